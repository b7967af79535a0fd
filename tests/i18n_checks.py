"""Scanners behind tests/test_catalogs.py: words a person reads that skip gettext.

Three small readers, one per kind of source: Django templates (through Django's own
lexer, then an HTML parser over what is left), the page's scripts (a JavaScript tokenizer
that knows strings, template literals, regexes and comments, and which call or property a
literal sits in), and the Python application code (its AST). Each returns ``Finding``s
that name the file, the line and the text, so that a failure says what to wrap where.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.template.base import DebugLexer, TokenType

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    text: str
    where: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.where}: {self.text!r}"


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def has_letters(text: str) -> bool:
    return any(char.isalpha() for char in text)


# --- Templates ----------------------------------------------------------------------------

BLOCK_TRANSLATE_TAGS = {"blocktranslate", "blocktrans"}
END_BLOCK_TRANSLATE_TAGS = {"endblocktranslate", "endblocktrans"}
# Attributes a person reads or hears (screen readers announce the aria ones).
PEOPLE_ATTRIBUTES = {
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-placeholder",
    "aria-valuetext",
    "title",
    "placeholder",
    "alt",
    "label",
}
# <input type=…> whose value is the button's caption.
CAPTION_INPUT_TYPES = {"submit", "button", "reset"}


# Where a {% block %} starts and ends in a skeleton: private-use characters, which are
# neither letters nor markup, so the HTML parser passes them through untouched.
BLOCK_END = "\ue000"
BLOCK_BASE = 0xF0000


@dataclass
class Skeleton:
    """A template with everything Django renders replaced: variables become ``{…}``, tags
    a space, translated text and comments nothing. The literal HTML and text stay, and
    each removed piece leaves its newlines, so line numbers still match the source.
    ``{% block %}`` and ``{% endblock %}`` leave markers (see ``block_marker``)."""

    text: str
    blocks: list[str]  # marker index -> block name
    extends: str | None


def block_marker(index: int) -> str:
    return chr(BLOCK_BASE + index)


def skeleton(source: str) -> Skeleton:
    out: list[str] = []
    blocks: list[str] = []
    extends: str | None = None
    skipping: set[str] = set()  # the tags that end a skipped region
    for token in DebugLexer(source).tokenize():
        start, end = token.position
        raw = source[start:end]
        blank = "\n" * raw.count("\n")
        if token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            name = bits[0] if bits else ""
            if skipping:
                if name in skipping:
                    skipping = set()
                out.append(blank)
            elif name in BLOCK_TRANSLATE_TAGS:
                skipping = END_BLOCK_TRANSLATE_TAGS
                out.append(blank)
            elif name == "comment":
                skipping = {"endcomment"}
                out.append(blank)
            elif name == "block" and len(bits) > 1:
                out.append(block_marker(len(blocks)) + blank)
                blocks.append(bits[1])
            elif name == "endblock":
                out.append(BLOCK_END + blank)
            elif name == "extends" and len(bits) > 1 and bits[1][0] in "'\"":
                extends = bits[1][1:-1]
                out.append(blank)
            else:
                out.append(blank or " ")
        elif skipping:
            out.append(blank)
        elif token.token_type == TokenType.TEXT:
            out.append(raw)
        elif token.token_type == TokenType.VAR:
            out.append("{…}" + blank)
        else:
            out.append(blank)
    return Skeleton("".join(out), blocks, extends)


def _visible(text: str) -> str:
    """Text as a finding shows it: markers dropped, whitespace folded."""
    text = "".join(char for char in text if char != BLOCK_END and ord(char) < BLOCK_BASE)
    return " ".join(text.split())


@dataclass(frozen=True)
class AttributeSlot:
    """A block whose content lands inside an attribute value (``class="{% block %}"``)."""

    tag: str
    attribute: str
    input_type: str

    @property
    def people_facing(self) -> bool:
        return self.attribute in PEOPLE_ATTRIBUTES or (
            self.attribute == "value"
            and self.tag == "input"
            and self.input_type in CAPTION_INPUT_TYPES
        )


class _TemplateText(HTMLParser):
    """Collects text and people-facing attribute values with letters; also which blocks
    sit inside attribute values."""

    def __init__(self, path: str, blocks: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.blocks = blocks
        self.findings: list[Finding] = []
        self.slots: dict[str, AttributeSlot] = {}
        self.raw_text_depth = 0  # inside <script> or <style>: code, not words

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        input_type = next((value or "" for name, value in attrs if name == "type"), "")
        for name, value in attrs:
            slot = AttributeSlot(tag, name, input_type.lower())
            for char in value or "":
                if ord(char) >= BLOCK_BASE:
                    self.slots[self.blocks[ord(char) - BLOCK_BASE]] = slot
            if value and slot.people_facing and has_letters(value):
                where = f'<{tag} {name}="…"> attribute'
                self.findings.append(Finding(self.path, line, _visible(value), where))
        if tag in {"script", "style"}:
            self.raw_text_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self.raw_text_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.raw_text_depth:
            self.raw_text_depth -= 1

    def handle_data(self, data: str) -> None:
        if self.raw_text_depth or not has_letters(data):
            return
        line = self.getpos()[0]
        # The parser reports the line the data starts on; point at its first word.
        line += data[: len(data) - len(data.lstrip())].count("\n")
        self.findings.append(Finding(self.path, line, _visible(data), "text"))


def _template_source(name: str, skip: tuple[Any, ...] = ()) -> tuple[str, Any] | None:
    """The source and origin of template ``name``, skipping the origins in ``skip``: as
    Django's {% extends %} does, so that a project template extending the same name (our
    admin/base_site.html extends Django's) leads on to the one it extends."""
    from django.template import TemplateDoesNotExist, engines

    try:
        template, origin = engines["django"].engine.find_template(name, skip=list(skip))
    except TemplateDoesNotExist:
        return None
    return template.source, origin


def block_slots(name: str, _skip: tuple[Any, ...] = ()) -> dict[str, AttributeSlot]:
    """For template ``name`` and what it extends: the blocks that fill attribute values."""
    found = _template_source(name, _skip)
    if found is None:
        return {}
    source, origin = found
    parsed = skeleton(source)
    slots = block_slots(parsed.extends, (*_skip, origin)) if parsed.extends else {}
    parser = _TemplateText(name, parsed.blocks)
    parser.feed(parsed.text)
    parser.close()
    return {**slots, **parser.slots}


def _child_text(parsed: Skeleton, path: str) -> tuple[str, list[Finding]]:
    """An extending template renders only its blocks: text outside them is dropped, and a
    block that fills an attribute in a parent (``{% block body_class %}``) is checked as
    that attribute's value."""
    assert parsed.extends is not None
    slots = block_slots(parsed.extends)
    out: list[str] = []
    findings: list[Finding] = []
    depth = 0
    slot: AttributeSlot | None = None
    line = 1
    for char in parsed.text:
        code = ord(char)
        if code >= BLOCK_BASE:
            if depth == 0:
                slot = slots.get(parsed.blocks[code - BLOCK_BASE])
                slot_text: list[str] = []
                slot_line = line
            depth += 1
            out.append(char)
            continue
        if char == BLOCK_END:
            depth -= 1
            if depth == 0 and slot is not None:
                value = "".join(slot_text)
                if slot.people_facing and has_letters(value):
                    where = f'{{% block %}} in <{slot.tag} {slot.attribute}="…">'
                    findings.append(Finding(path, slot_line, _visible(value), where))
                slot = None
            out.append(char)
            continue
        if char == "\n":
            line += 1
            out.append(char)
        elif depth == 0:
            out.append(" ")
        elif slot is not None:
            slot_text.append(char)
            out.append(" ")
        else:
            out.append(char)
    return "".join(out), findings


def untranslated_template_text(path: Path) -> list[Finding]:
    """Text nodes and people-facing attributes with letters that no {% translate %} or
    {% blocktranslate %} covers. Variables render as ``{…}`` here, so ``{{ room.name }}``
    is fine while ``Message to {{ room.name }}`` is not."""
    parsed = skeleton(path.read_text(encoding="utf-8"))
    name = relative(path)
    text, findings = parsed.text, []
    if parsed.extends:
        text, findings = _child_text(parsed, name)
    if path.suffix != ".html":
        return findings + [
            Finding(name, number, _visible(line), "text")
            for number, line in enumerate(text.splitlines(), start=1)
            if has_letters(line)
        ]
    parser = _TemplateText(name, parsed.blocks)
    parser.feed(text)
    parser.close()
    return sorted(findings + parser.findings, key=lambda finding: finding.line)


# Test tooling with pages of its own, not the product: the stand-in OAuth server of `make wiki`.
TOOLING_PACKAGES = {"wikioauth"}


def template_files() -> list[Path]:
    """templates/ and every app's templates/ directory (not the tooling's)."""
    roots = [
        ROOT / "templates",
        *sorted(p for p in ROOT.glob("*/templates") if p.parent.name not in TOOLING_PACKAGES),
    ]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in {".html", ".txt"} and ".venv" not in path.parts
    )


# --- Scripts ------------------------------------------------------------------------------

GETTEXT_FUNCTIONS = {"gettext", "ngettext", "pgettext", "npgettext", "gettext_noop"}
# Tokens that are not prose although they look like a capitalised word or two words:
# key names (KeyboardEvent.key), HTTP methods and header names.
NON_PROSE = {
    "Enter",
    "Escape",
    "Tab",
    "Backspace",
    "Delete",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "Shift",
    "Control",
    "Alt",
    "Meta",
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "Accept",
    "Content-Type",
    "X-CSRFToken",
    "X-Requested-With",
    "Authorization",
    "Bearer",
}
TWO_WORDS = re.compile(r"[A-Za-z]+\s+[A-Za-z]+")
ONE_WORD = re.compile(r"^[A-Z][a-z]+[.!?…]?$")

# Where a literal is code, not words: it names elements, classes, events or attributes.
# Calls whose every string argument is such a name:
CODE_CALLS = {
    "querySelector",
    "querySelectorAll",
    "closest",
    "matches",
    "getElementById",
    "getElementsByClassName",
    "createElement",
    "addEventListener",
    "removeEventListener",
    "getAttribute",
    "hasAttribute",
    "removeAttribute",
    "toggleAttribute",
    "fromCatalog",
    "import",
}
# classList's methods take class names.
CLASS_LIST_METHODS = {"add", "remove", "toggle", "contains", "replace"}
# Properties and attributes that hold code (classes, ids, types, tokens), not words; as
# an object key (el("li", {class: …})), an assignment (node.className = …) or the first
# argument of setAttribute.
CODE_PROPERTIES = {
    "class",
    "className",
    "id",
    "type",
    "role",
    "rel",
    "name",
    "for",
    "htmlFor",
    "href",
    "src",
    "datetime",
    "autocomplete",
    "inputmode",
    "enterkeyhint",
    "aria-live",
    "aria-relevant",
    "aria-controls",
    "aria-describedby",
    "aria-labelledby",
    "aria-owns",
    "aria-haspopup",
    # CSS values set through the CSSOM (Object.assign(element.style, {…})), whose
    # shorthands read like words: "0 2px 8px rgba(…)", "600 15px/1.2 sans-serif".
    "boxShadow",
    "font",
    "border",
    "transition",
}


def _is_code_property(name: str | None) -> bool:
    return name is not None and (name in CODE_PROPERTIES or name.startswith("data-"))


def is_prose(text: str) -> bool:
    text = text.strip()
    if text in NON_PROSE:
        return False
    return bool(TWO_WORDS.search(text) or ONE_WORD.match(text))


@dataclass
class JsLiteral:
    line: int
    chunks: list[str]  # the static text (a template literal's pieces between ${…})
    template: bool
    context: str = ""  # why it is not prose, or "" when it may be


@dataclass
class _Frame:
    opener: str  # ( [ { ${
    callee: str | None = None  # the name called, for "("
    member_of: str | None = None  # `classList` in classList.add(
    argument: int = 0
    first_string: str | None = None  # for "(": the first argument, when a string
    object_key: str | None = None  # for "{": the key whose value comes next


JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
# After these a "/" starts a regular expression, not a division.
REGEX_AFTER_KEYWORDS = {
    *("return", "typeof", "case", "do", "else", "in", "of", "new", "void", "delete"),
    *("throw", "instanceof", "yield", "await"),
}


def _cook(raw: str) -> str:
    """A JavaScript string's escapes decoded, near enough for reading its words."""

    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "xu":
            digits = escape[1:].strip("{}")
            try:
                return chr(int(digits, 16))
            except ValueError:
                return ""
        if escape in "\r\n":
            return ""
        return JS_ESCAPES.get(escape, escape)

    return JS_ESCAPE.sub(replace, raw)


class JsScanner:
    """Walks a script once, collecting its string literals with what they sit in."""

    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.literals: list[JsLiteral] = []
        self.frames: list[_Frame] = [_Frame("top")]
        # The last two significant tokens: (kind, value).
        self.prev: tuple[str, str] = ("punct", ";")
        self.prev2: tuple[str, str] = ("punct", ";")
        self.pending_member: str | None = None  # `a.b` seen: b's owner

    def scan(self) -> list[JsLiteral]:
        self._tokens(until_brace=False)
        return self.literals

    # -- helpers --------------------------------------------------------------------------

    def _advance(self, count: int) -> str:
        text = self.src[self.pos : self.pos + count]
        self.line += text.count("\n")
        self.pos += count
        return text

    def _push(self, kind: str, value: str) -> None:
        self.prev2, self.prev = self.prev, (kind, value)

    def _regex_allowed(self) -> bool:
        kind, value = self.prev
        if kind in {"name"}:
            return value in REGEX_AFTER_KEYWORDS
        if kind in {"number", "string", "template", "regex"}:
            return False
        return value not in {")", "]", "}"}

    # -- the token loop ---------------------------------------------------------------------

    def _tokens(self, *, until_brace: bool) -> None:
        """Tokenize until the end, or (inside ``${…}``) until its closing brace."""
        depth = 0
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            nxt = src[self.pos + 1] if self.pos + 1 < len(src) else ""
            if char in " \t\r\n":
                self._advance(1)
            elif char == "/" and nxt == "/":
                end = src.find("\n", self.pos)
                self._advance((end if end != -1 else len(src)) - self.pos)
            elif char == "/" and nxt == "*":
                end = src.find("*/", self.pos + 2)
                self._advance((end + 2 if end != -1 else len(src)) - self.pos)
            elif char in "'\"":
                self._string(char)
            elif char == "`":
                self._template()
            elif char == "/" and self._regex_allowed():
                self._regex()
            elif char.isalpha() or char in "_$":
                match = re.compile(r"[\w$]+").match(src, self.pos)
                assert match is not None
                self._advance(len(match.group()))
                self._name(match.group())
            elif char.isdigit() or (char == "." and nxt.isdigit()):
                match = re.compile(r"[\w.]+").match(src, self.pos)
                assert match is not None
                self._advance(len(match.group()))
                self._push("number", match.group())
            else:
                if until_brace and char == "}" and depth == 0:
                    self._advance(1)
                    return
                if char in "([{":
                    depth += 1
                elif char in ")]}":
                    depth -= 1
                self._advance(1)
                self._punct(char)

    def _name(self, name: str) -> None:
        if self.prev == ("punct", ".") and self.prev2[0] == "name":
            self.pending_member = self.prev2[1]
        elif self.prev != ("punct", "."):
            self.pending_member = None
        self._push("name", name)
        frame = self.frames[-1]
        if frame.opener == "{" and self.prev2[1] in {"{", ","}:
            frame.object_key = name

    def _punct(self, char: str) -> None:
        frame = self.frames[-1]
        if char == "(":
            callee = self.prev[1] if self.prev[0] == "name" else None
            member_of = self.pending_member if callee else None
            self.frames.append(_Frame("(", callee=callee, member_of=member_of))
        elif char in "[{":
            self.frames.append(_Frame(char))
        elif char in ")]}":
            if len(self.frames) > 1:
                self.frames.pop()
        elif char == ",":
            frame.argument += 1
            frame.object_key = None
        self._push("punct", char)

    def _string(self, quote: str) -> None:
        start_line = self.line
        match = re.compile(rf"{quote}((?:[^{quote}\\\n]|\\.)*){quote}", re.DOTALL).match(
            self.src, self.pos
        )
        if match is None:  # an unterminated string: read to the end of the line
            end = self.src.find("\n", self.pos)
            raw = self.src[self.pos + 1 : end if end != -1 else len(self.src)]
            self._advance(len(raw) + 1)
        else:
            raw = match.group(1)
            self._advance(len(match.group()))
        self._literal(JsLiteral(start_line, [_cook(raw)], template=False))
        self._push("string", raw)
        frame = self.frames[-1]
        if frame.opener == "{" and self.prev2[1] in {"{", ","}:
            frame.object_key = _cook(raw)  # {"aria-label": …}
        elif frame.opener == "(" and frame.argument == 0 and self.prev2[1] == "(":
            frame.first_string = _cook(raw)  # setAttribute("class", …)

    def _template(self) -> None:
        literal = JsLiteral(self.line, [], template=True)
        # Decide the literal's context before the ${…} expressions move prev along.
        self._literal(literal)
        self._advance(1)
        chunk: list[str] = []
        src = self.src
        while self.pos < len(src):
            char = src[self.pos]
            if char == "\\":
                chunk.append(self._advance(2))
            elif char == "`":
                self._advance(1)
                break
            elif char == "$" and src[self.pos + 1 : self.pos + 2] == "{":
                literal.chunks.append(_cook("".join(chunk)))
                chunk = []
                self._advance(2)
                saved = (self.prev, self.prev2, self.frames)
                self.prev, self.prev2 = ("punct", "("), ("punct", ";")
                self.frames = [_Frame("${")]
                self._tokens(until_brace=True)
                self.prev, self.prev2, self.frames = saved
            else:
                chunk.append(self._advance(1))
        literal.chunks.append(_cook("".join(chunk)))
        self._push("template", "`")

    def _regex(self) -> None:
        src = self.src
        index = self.pos + 1
        in_class = False
        while index < len(src) and src[index] != "\n":
            char = src[index]
            if char == "\\":
                index += 2
                continue
            if char == "[":
                in_class = True
            elif char == "]":
                in_class = False
            elif char == "/" and not in_class:
                break
            index += 1
        index += 1
        while index < len(src) and (src[index].isalnum()):
            index += 1
        self._advance(index - self.pos)
        self._push("regex", "/")

    # -- what a literal sits in ---------------------------------------------------------------

    def _literal(self, literal: JsLiteral) -> None:
        literal.context = self._code_context()
        self.literals.append(literal)

    def _code_context(self) -> str:
        """Why a literal here is code or already translated; "" if it may be words."""
        frame = self.frames[-1]
        prev_kind, prev = self.prev
        if prev in {"import", "from"} or (prev_kind == "name" and self.prev2[1] == "import"):
            return "import"
        if frame.opener == "(":
            if frame.callee in GETTEXT_FUNCTIONS:
                return "gettext"
            if frame.member_of == "console":
                return "console"  # for developers, in English
            if frame.callee in CODE_CALLS:
                return f"{frame.callee}()"
            if frame.member_of == "classList" and frame.callee in CLASS_LIST_METHODS:
                return f"classList.{frame.callee}()"
            if frame.callee == "setAttribute" and (
                frame.argument == 0 or _is_code_property(frame.first_string)
            ):
                return "setAttribute()"
        if frame.opener == "{" and prev == ":" and _is_code_property(frame.object_key):
            return f"{frame.object_key}:"
        if prev == "=" and self.prev2[0] == "name" and self.prev2[1] in CODE_PROPERTIES:
            return f".{self.prev2[1]} ="
        if prev == "[" and self.prev2[0] == "name":
            return "a property name"
        return ""


def untranslated_script_text(path: Path) -> list[Finding]:
    findings = []
    for literal in JsScanner(path.read_text(encoding="utf-8")).scan():
        if literal.context == "gettext" and literal.template and len(literal.chunks) > 1:
            # xgettext skips a template literal with ${…}: the text never reaches the catalog.
            if any(has_letters(chunk) for chunk in literal.chunks):
                shown = "${…}".join(literal.chunks)
                where = "template literal with ${…} in gettext (use interpolate)"
                findings.append(Finding(relative(path), literal.line, shown, where))
            continue
        if literal.context:
            continue
        prose = [chunk for chunk in literal.chunks if is_prose(chunk)]
        if prose:
            shown = "${…}".join(literal.chunks) if literal.template else literal.chunks[0]
            kind = "template literal" if literal.template else "string"
            findings.append(Finding(relative(path), literal.line, shown, kind))
    return findings


SCRIPT_DIRS = ("livechat", "helpdesk", "accounts")


def script_files() -> list[Path]:
    return sorted(path for name in SCRIPT_DIRS for path in (ROOT / "static" / name).glob("*.js"))


# --- Python --------------------------------------------------------------------------------

APP_PACKAGES = ("core", "accounts", "livechat", "moderation", "helpdesk", "notifications", "timers")
ERROR_MODULES = ("core/errors.py", "moderation/errors.py")
GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
MESSAGE_FUNCTIONS = {"success", "error", "warning", "info", "debug", "add_message"}
FORM_TEXT_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural"}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|\{[^{}]*\}")
VERBOSE_NAMES = {"verbose_name", "verbose_name_plural"}


def python_files() -> list[Path]:
    return sorted(
        path
        for package in APP_PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _name_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def domain_error_classes(files: Iterable[Path]) -> set[str]:
    """DomainError and every subclass in the application code (by class name)."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in files]
    classes: dict[str, set[str]] = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = {name for base in node.bases if (name := _name_of(base))}
                classes.setdefault(node.name, set()).update(bases)
    known = {"DomainError"}
    while True:
        more = {name for name, bases in classes.items() if bases & known} - known
        if not more:
            return known
        known |= more


def _is_translated(node: ast.expr) -> bool:
    """A gettext call, or ``_(...) % {...}``, or a conditional of those."""
    if isinstance(node, ast.Call):
        name = _name_of(node.func)
        if name in GETTEXT_NAMES:
            return True
        # str(_("…")) or format_lazy(_("…"), …): the text still came from the catalog.
        return bool(node.args) and _is_translated(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_translated(node.left)
    if isinstance(node, ast.IfExp):
        return _is_translated(node.body) and _is_translated(node.orelse)
    return False


def _literal_text(node: ast.expr) -> str | None:
    """The text of a literal sentence: a string constant, an f-string, a concatenation or
    %-formatting of those, or a str.format() on one. None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{…}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        left = _literal_text(node.left)
        right = _literal_text(node.right) if isinstance(node.op, ast.Add) else None
        if left is not None or right is not None:
            return (left or "{…}") + (right or ("" if isinstance(node.op, ast.Mod) else "{…}"))
        return None
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _literal_text(node.func.value)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    return None


@dataclass
class _PythonChecker(ast.NodeVisitor):
    path: str
    error_classes: set[str]
    findings: list[Finding] = field(default_factory=list)

    def _check(self, node: ast.expr | None, where: str) -> None:
        if node is None or _is_translated(node):
            return
        text = _literal_text(node)
        if text is not None:
            # "%(name)s" and "{name}" are slots for values, not words.
            text = PLACEHOLDER.sub("{…}", text)
        if text is not None and has_letters(text):
            self.findings.append(Finding(self.path, node.lineno, text, where))

    def visit_Call(self, node: ast.Call) -> None:
        name = _name_of(node.func)
        text_argument: ast.expr | None = None
        if node.args:
            text_argument = node.args[0]
        if name in self.error_classes or name == "ValidationError":
            self._check(text_argument, f"{name}(…)")
            for keyword in node.keywords:
                if keyword.arg in {"detail", "message"}:
                    self._check(keyword.value, f"{name}({keyword.arg}=…)")
        elif (
            name in MESSAGE_FUNCTIONS
            and isinstance(node.func, ast.Attribute)
            and _name_of(node.func.value) == "messages"
        ):
            # messages.success(request, text); add_message(request, level, text).
            index = 2 if name == "add_message" else 1
            self._check(node.args[index] if len(node.args) > index else None, f"messages.{name}")
            for keyword in node.keywords:
                if keyword.arg == "message":
                    self._check(keyword.value, f"messages.{name}(message=…)")
        elif name == "add_error" and len(node.args) > 1:
            self._check(node.args[1], "form.add_error")  # (field, message)
        elif name == "message_user" and len(node.args) > 1:
            self._check(node.args[1], "message_user")  # (request, message)
        for keyword in node.keywords:
            if keyword.arg in FORM_TEXT_KEYWORDS:
                self._check(keyword.value, f"{keyword.arg}=")
            elif keyword.arg == "description" and name in {"display", "action"}:
                self._check(keyword.value, f"@admin.{name}(description=…)")
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        # class Meta: verbose_name = "…" (the admin shows it).
        if node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    _name_of(target) in VERBOSE_NAMES for target in statement.targets
                ):
                    self._check(statement.value, "Meta.verbose_name")
        self.generic_visit(node)


def untranslated_python_text(path: Path, error_classes: set[str]) -> list[Finding]:
    checker = _PythonChecker(relative(path), error_classes)
    checker.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return checker.findings


# --- Catalogs ------------------------------------------------------------------------------

PO_ESCAPE = re.compile(r'\\(["\\ntr])')
PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}
PO_STRING = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$')


def po_messages(path: Path) -> set[tuple[str | None, str, str | None]]:
    """(context, msgid, plural) of every message in a .po file, the header excluded.
    Obsolete entries (``#~``) are not messages."""
    if not path.exists():
        return set()
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            if current and not line:
                entries.append(current)
                current, key = {}, None
            continue
        match = PO_STRING.match(line)
        if match:
            key = match.group(1)
            if key in {"msgctxt", "msgid"} and "msgid" in current:
                entries.append(current)
                current = {}
            current[key] = _po_unescape(match.group(2))
        elif line.startswith('"') and key is not None:
            current[key] += _po_unescape(line[1:-1])
    if current:
        entries.append(current)
    return {
        (entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural"))
        for entry in entries
        if entry.get("msgid")
    }


def _po_unescape(text: str) -> str:
    return PO_ESCAPE.sub(lambda m: PO_ESCAPES.get(m[1], m[1]), text)


def report(findings: list[Finding], advice: str) -> str:
    lines = [str(finding) for finding in findings]
    return f"{len(findings)} untranslated, {advice}:\n" + "\n".join(lines)
