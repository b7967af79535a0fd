"""The real AbuseFilter of the local wiki (`make wiki`, scripts/wiki.sh) as an oracle for the
chat's filter language: what it says of an expression's syntax
(``action=abusefilterchecksyntax``) and what the expression evaluates to
(``action=abusefilterevalexpression``, formatversion=2, no ``prettyprint``: the value as JSON).

Both need ``abusefilter-modify``: the client logs in with the sysop's bot password of the
"abusefilter" grant (``WIKI_AF_BOT_USER`` / ``WIKI_AF_BOT_PASSWORD`` in .wiki/credentials.env),
keeps one session and its connections, and remembers every answer for the session (the API has
no batching, and generated expressions repeat).

AbuseFilter's syntax check is more than parsing: it evaluates the whole tree without
short-circuits, unknown variables allowed, so ``1/0`` or ``"a"[0]`` fail it too. The evaluation
API runs that check first and answers ``abusefilter-tools-syntax-error`` without details when it
fails; :meth:`AbuseFilterOracle.explain` asks the syntax check for the message and offset
when they are wanted.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ROOT / ".wiki" / "credentials.env"
SYNTAX_ERROR = "abusefilter-tools-syntax-error"


class OracleUnavailable(Exception):
    """The wiki does not answer, or refuses the client (no AbuseFilter, wrong password)."""


@dataclass(frozen=True)
class Answer:
    """AbuseFilter's answer for one expression.

    ``syntax_ok``: its syntax check passes. Otherwise ``message`` and ``character`` (0-based)
    are the check's. When it passes, ``result`` is the evaluation's JSON value, or ``error`` the
    API's error code when the evaluation failed anyway."""

    expression: str
    syntax_ok: bool
    message: str = ""
    character: int | None = None
    result: Any = None
    error: str | None = None

    def describe(self) -> str:
        if not self.syntax_ok:
            return f"syntax error @{self.character}: {self.message}"
        if self.error is not None:
            return f"evaluation error: {self.error}"
        return f"value {self.result!r}"


def read_credentials(path: Path = CREDENTIALS) -> dict[str, str]:
    """The ``KEY=value`` lines of credentials.env, the environment overriding them."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    for key in ("LIVECHAT_WIKI_API", "WIKI_AF_BOT_USER", "WIKI_AF_BOT_PASSWORD"):
        if key in os.environ:
            values[key] = os.environ[key]
    return values


class AbuseFilterOracle:
    def __init__(self, api: str, user: str, password: str, *, timeout: float = 30) -> None:
        self.api = api
        self.timeout = timeout
        self.calls = 0
        self._user = user
        self._password = password
        self._session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=8)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._answers: dict[str, Answer] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_credentials(cls, values: dict[str, str] | None = None) -> AbuseFilterOracle:
        values = read_credentials() if values is None else values
        api = values.get("LIVECHAT_WIKI_API", "")
        user = values.get("WIKI_AF_BOT_USER", "")
        password = values.get("WIKI_AF_BOT_PASSWORD", "")
        if not api:
            raise OracleUnavailable("no LIVECHAT_WIKI_API (`make wiki` writes credentials.env)")
        if not user or not password:
            raise OracleUnavailable(
                "credentials.env has no WIKI_AF_BOT_USER / WIKI_AF_BOT_PASSWORD "
                "(`make wiki` adds them)"
            )
        oracle = cls(api, user, password)
        oracle.login()
        return oracle

    # --- the API ---------------------------------------------------------------------------

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        params = {**params, "format": "json", "formatversion": "2"}
        try:
            if method == "GET":
                response = self._session.get(self.api, params=params, timeout=self.timeout)
            else:
                response = self._session.post(self.api, data=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise OracleUnavailable(f"{self.api}: {error}") from error
        self.calls += 1
        try:
            return response.json()
        except ValueError as error:
            raise OracleUnavailable(
                f"{self.api} answered HTTP {response.status_code}, not JSON: {response.text[:300]}"
            ) from error

    def login(self) -> None:
        tokens = self._call("GET", action="query", meta="tokens", type="login")
        token = tokens["query"]["tokens"]["logintoken"]
        answer = self._call(
            "POST", action="login", lgname=self._user, lgpassword=self._password, lgtoken=token
        )
        if answer.get("login", {}).get("result") != "Success":
            raise OracleUnavailable(f"login as {self._user} refused: {answer}")
        probe = self._call("POST", action="abusefilterchecksyntax", filter="1")
        if "error" in probe:
            raise OracleUnavailable(f"the abusefilter API refuses {self._user}: {probe['error']}")

    def check_syntax(self, expression: str) -> tuple[bool, str, int | None]:
        answer = self._call("POST", action="abusefilterchecksyntax", filter=expression)
        if "error" in answer:
            raise OracleUnavailable(f"abusefilterchecksyntax: {answer['error']}")
        check = answer["abusefilterchecksyntax"]
        if check["status"] == "ok":
            return True, "", None
        return False, check.get("message", ""), check.get("character")

    def run(self, expression: str, *, explain: bool = False) -> Answer:
        """Syntax verdict and value of ``expression``; with ``explain``, a syntax error's
        message and offset too (a second call)."""
        with self._lock:
            known = self._answers.get(expression)
        if known is not None:
            return self.explain(known) if explain else known
        answer = self._call("POST", action="abusefilterevalexpression", expression=expression)
        if "abusefilterevalexpression" in answer:
            result = Answer(expression, True, result=answer["abusefilterevalexpression"]["result"])
        elif answer.get("error", {}).get("code") == SYNTAX_ERROR:
            # The message and offset cost a second call: explain() asks when they are needed.
            result = Answer(expression, False)
        elif answer.get("error", {}).get("code") in {"permissiondenied", "readapidenied"}:
            raise OracleUnavailable(f"abusefilterevalexpression: {answer['error']}")
        else:
            code = answer.get("error", {}).get("code", str(answer)[:200])
            result = Answer(expression, True, error=code)
        with self._lock:
            self._answers[expression] = result
        return self.explain(result) if explain else result

    def explain(self, answer: Answer) -> Answer:
        """``answer`` with the syntax check's message and offset, when it is a syntax error."""
        if answer.syntax_ok or answer.message:
            return answer
        ok, message, character = self.check_syntax(answer.expression)
        if ok:  # should not happen: the evaluation API runs the same check
            message = "evalexpression said syntax error, checksyntax said ok"
        explained = Answer(answer.expression, False, message=message, character=character)
        with self._lock:
            self._answers[answer.expression] = explained
        return explained

    def run_many(self, expressions: list[str], *, workers: int = 4) -> list[Answer]:
        """:meth:`run` for each, ``workers`` at a time (the wiki's PHP server has 4)."""
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self.run, expressions))
