"""Word-level diffs for moderators: message revisions and abuse-filter versions.

``word_diff(old, new)`` returns safe HTML: every piece of text escaped, changed runs of
words in ``<del>``/``<ins>``. The template ``admin/moderation/includes/diff.html`` shows
one; its styles are in ``admin/moderation/includes/styles.html``.

How: trim the equal ends; a Myers diff if few tokens changed; else SequenceMatcher
(autojunk off) within a budget; else line by line, words inside changed lines; else the
whole middle replaced. Then the runs are tidied for reading (``_coalesce``).
"""

from __future__ import annotations

import re
from difflib import Match, SequenceMatcher
from itertools import accumulate
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words and single punctuation marks, each with the whitespace after it: a changed comma
# is marked alone, not with the word it follows. Whitespace rides along with the token
# before it because, as tokens of their own, spaces would be the commonest token by far,
# and SequenceMatcher's cost grows with the pairs of equal tokens (below). Tokens are
# matched without that whitespace, and a changed space or line break is marked by itself.
_TOKEN = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")

# SequenceMatcher, with autojunk off so that common words still match, visits every pair
# of equal tokens in the range it searches, once per block it finds; repetitive text makes
# that cubic: "a " * 2000 against "b a " * 1000 took over five minutes with spaces as
# tokens. So each diff gets a budget of such visits: 4,000 characters of prose with
# fifteen scattered edits need about 36,000. Past it, the diff goes line by line, then
# word by word inside the changed lines while a second budget lasts; what is left is shown
# replaced whole. Measured on adversarial 4,000-character texts: at most ~50 ms
# (tests/moderation/test_diff.py pins a bound).
STEP_BUDGET = 100_000
# Before all that, a Myers diff (_fewest_edits) tries for an edit of at most this many
# inserted or deleted tokens: the usual edit, cheap however repetitive the text. (On
# repetitive text, SequenceMatcher's longest match can also be a shifted one: one
# sentence changed in a text repeating it showed as a whole paragraph moved.)
MAX_EDITS = 60


class Run(NamedTuple):
    old: str
    new: str
    changed: bool


class _TooCostly(Exception):
    pass


class _Budget:
    def __init__(self, steps: int) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise _TooCostly


class _BoundedMatcher(SequenceMatcher):
    """A SequenceMatcher that gives up when its search would exceed the budget."""

    def __init__(self, a: list[str], b: list[str], budget: _Budget) -> None:
        super().__init__(None, a, b, autojunk=False)
        self._budget = budget
        # Searching a[alo:ahi] visits, for each item, every place b holds it.
        self._visits = list(accumulate((len(self.b2j.get(x, ())) for x in a), initial=0))

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> Match:
        ahi = len(self.a) if ahi is None else ahi
        self._budget.spend(self._visits[ahi] - self._visits[alo])  # before, not after
        return super().find_longest_match(alo, ahi, blo, bhi)


def word_diff(old: str, new: str) -> SafeString:
    """``old`` turned into ``new`` as HTML, changed word runs marked ``<del>``/``<ins>``."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    # Most edits touch one spot: trimming the equal ends first keeps the costly part small.
    head = _common_prefix(a, b)
    tail = _common_prefix(a[head:][::-1], b[head:][::-1])
    a_mid, b_mid = a[head : len(a) - tail], b[head : len(b) - tail]
    middle = _fewest_edits(a_mid, b_mid)
    if middle is None:
        try:
            middle = _matched(a_mid, b_mid, _Budget(STEP_BUDGET))
        except _TooCostly:
            middle = _by_lines("".join(a_mid), "".join(b_mid))
    runs = [
        Run("".join(a[:head]), "".join(b[:head]), changed=False),
        *middle,
        Run("".join(a[len(a) - tail :]), "".join(b[len(b) - tail :]), changed=False),
    ]
    return _render(_coalesce(runs))


def _key(item: str) -> str:
    return item.rstrip()


def _common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _matched(a: list[str], b: list[str], budget: _Budget) -> list[Run]:
    """Runs turning the items ``a`` into ``b`` (tokens or lines), matched on their keys."""
    runs = []
    matcher = _BoundedMatcher([_key(x) for x in a], [_key(y) for y in b], budget)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                runs += _equal_but_whitespace(x, y)
        else:
            runs.append(Run("".join(a[i1:i2]), "".join(b[j1:j2]), changed=True))
    return runs


def _fewest_edits(a: list[str], b: list[str], max_edits: int = MAX_EDITS) -> list[Run] | None:
    """Myers' O(ND) diff: the fewest tokens inserted and deleted, or None if that is more
    than ``max_edits``. It costs about the length times the edits made."""
    keys_a, keys_b = [_key(x) for x in a], [_key(y) for y in b]
    n, m = len(a), len(b)
    frontier = {1: 0}  # diagonal k = x - y -> furthest x reached with d edits
    trace = []
    for d in range(max_edits + 1):
        trace.append(dict(frontier))
        for k in range(-d, d + 1, 2):
            down = k == -d or (k != d and frontier[k - 1] < frontier[k + 1])
            x = frontier[k + 1] if down else frontier[k - 1] + 1
            y = x - k
            while x < n and y < m and keys_a[x] == keys_b[y]:
                x, y = x + 1, y + 1
            frontier[k] = x
            if x >= n and y >= m:
                return _runs_from_path(a, b, _backtrack(trace, n, m))
    return None


def _backtrack(trace: list[dict[int, int]], x: int, y: int) -> list[tuple[str, int, int]]:
    """The steps of the shortest edit, first to last: ("=", i, j), ("-", i, j), ("+", i, j)."""
    steps = []
    for d in range(len(trace) - 1, -1, -1):
        frontier, k = trace[d], x - y
        down = k == -d or (k != d and frontier.get(k - 1, -1) < frontier.get(k + 1, -1))
        prev_k = k + 1 if down else k - 1
        prev_x = frontier.get(prev_k, 0)
        prev_y = prev_x - prev_k
        while x > prev_x and y > prev_y:
            x, y = x - 1, y - 1
            steps.append(("=", x, y))
        if d > 0:
            steps.append(("+", prev_x, prev_y) if down else ("-", prev_x, prev_y))
        x, y = prev_x, prev_y
    return steps[::-1]


def _runs_from_path(a: list[str], b: list[str], steps: list[tuple[str, int, int]]) -> list[Run]:
    runs: list[Run] = []
    for op, i, j in steps:
        if op == "=":
            runs += _equal_but_whitespace(a[i], b[j])
        else:
            runs.append(Run(a[i], "", changed=True) if op == "-" else Run("", b[j], changed=True))
    return runs


def _by_lines(old: str, new: str) -> list[Run]:
    """Line by line, then word by word inside each changed block of lines while the
    budget lasts."""
    try:
        lines = _matched(
            old.splitlines(keepends=True), new.splitlines(keepends=True), _Budget(STEP_BUDGET)
        )
    except _TooCostly:
        return [Run(old, new, changed=True)]
    budget = _Budget(STEP_BUDGET)
    runs = []
    for run in lines:
        if not (run.changed and run.old and run.new) or budget.left <= 0:
            runs.append(run)
            continue
        try:
            runs += _matched(_TOKEN.findall(run.old), _TOKEN.findall(run.new), budget)
        except _TooCostly:
            runs.append(run)
    return runs


def _equal_but_whitespace(x: str, y: str) -> list[Run]:
    """Two tokens that matched: the same word, perhaps followed by different whitespace."""
    if x == y:
        return [Run(x, y, changed=False)]
    key = _key(x)
    return [Run(key, key, changed=False), Run(x[len(key) :], y[len(key) :], changed=True)]


def _coalesce(runs: list[Run]) -> list[Run]:
    """Merge neighbouring runs of the same kind; fold a short unchanged stretch between
    two changes into them; keep whitespace both sides share outside the marks. So
    "say <del>a b c</del><ins>x y z</ins>" rather than a mark per word, and a rewritten
    sentence reads as one change, not as changes around each "the" it kept."""
    folded: list[Run] = []
    for run in runs:
        if not (run.old or run.new):
            continue
        if folded and folded[-1].changed == run.changed:
            folded[-1] = _joined(folded[-1], run)
        else:
            folded.append(run)
        while len(folded) >= 3 and _foldable(*folded[-3:]):
            folded[-3:] = [_joined(_joined(folded[-3], folded[-2]), folded[-1])]
    out: list[Run] = []
    for run in folded:
        shared = _shared_trailing_space(run) if run.changed and run.old and run.new else ""
        if shared:
            run = Run(run.old[: -len(shared)], run.new[: -len(shared)], changed=True)
        out.append(run)
        if shared:
            out.append(Run(shared, shared, changed=False))
    return _slid_to_boundaries(out)


def _slid_to_boundaries(runs: list[Run]) -> list[Run]:
    """An insertion (or deletion) between unchanged text can often sit in several places,
    ")<ins>\n& b)</ins>" as well as "<ins>)\n& b</ins>)": where one of them starts or
    ends at a line break, put it there (diff-match-patch's cleanupSemanticLossless, for
    lines only: within a line the tokens already start changes at word starts)."""
    merged: list[Run] = []
    for run in runs:
        if merged and not run.changed and not merged[-1].changed:
            merged[-1] = _joined(merged[-1], run)
        else:
            merged.append(run)
    for i in range(1, len(merged) - 1):
        before, edit, after = merged[i - 1 : i + 2]
        if before.changed or after.changed or (edit.old and edit.new):
            continue
        left, text, right = _best_place(before.new, edit.old or edit.new, after.new)
        merged[i - 1] = Run(left, left, changed=False)
        merged[i] = Run(text, "", changed=True) if edit.old else Run("", text, changed=True)
        merged[i + 1] = Run(right, right, changed=False)
    return [run for run in merged if run.old or run.new]


def _best_place(left: str, text: str, right: str) -> tuple[str, str, str]:
    best, best_score = (left, text, right), _edge(left, text) + _edge(text, right)
    # Slide as far left as the text allows, then step right, looking for a better place.
    n = 0
    while n < min(len(left), len(text)) and left[-1 - n] == text[-1 - n]:
        n += 1
    if n:
        left, text, right = left[:-n], text[-n:] + text[:-n], text[-n:] + right
    while True:
        score = _edge(left, text) + _edge(text, right)
        if score > best_score:
            best, best_score = (left, text, right), score
        if not (right and text[0] == right[0]):
            return best
        left, text, right = left + text[0], text[1:] + right[0], right[1:]


def _edge(one: str, two: str) -> int:
    """How good a place the boundary between ``one`` and ``two`` is for a change to start
    or end: the ends of the text, then blank lines, then line breaks."""
    if not one or not two:
        return 3
    if one.endswith(("\n\n", "\n\r\n")) or two.startswith(("\n\n", "\r\n\r\n")):
        return 2
    return 1 if one[-1] in "\r\n" or two[0] in "\r\n" else 0


def _joined(first: Run, second: Run) -> Run:
    return Run(first.old + second.old, first.new + second.new, first.changed or second.changed)


def _foldable(before: Run, same: Run, after: Run) -> bool:
    # diff-match-patch's semantic cleanup: an equality no longer than the change on
    # either side of it is noise. But not between two pure insertions (or deletions):
    # folding would turn kept text into a deletion (insertion) that never happened.
    if not before.changed or same.changed or not after.changed:
        return False
    if not (before.old or after.old) or not (before.new or after.new):
        return False
    size = len(same.new)
    return size <= max(len(before.old), len(before.new)) and size <= max(
        len(after.old), len(after.new)
    )


def _shared_trailing_space(run: Run) -> str:
    """Whitespace both sides of a change end with, unless it is all of both."""
    n = 0
    limit = min(len(run.old) - len(run.old.rstrip()), len(run.new) - len(run.new.rstrip()))
    while n < limit and run.old[-1 - n] == run.new[-1 - n]:
        n += 1
    if n == 0 or (n == len(run.old) and n == len(run.new)):
        return ""
    return run.old[len(run.old) - n :]


def _render(runs: list[Run]) -> SafeString:
    parts = []
    for run in runs:
        if not run.changed:
            parts.append(escape(run.new))
            continue
        if run.old:
            parts.append(_marked("del", run.old))
        if run.new:
            parts.append(_marked("ins", run.new))
    # Safe: every piece of text went through escape(); the only markup is ours.
    return mark_safe("".join(parts))


def _marked(tag: str, text: str) -> str:
    # A changed line break or space would be invisible: show line breaks with a sign and
    # give whitespace-only changes a class the stylesheet makes visible.
    css = ' class="diff-ws"' if text.isspace() else ""
    body = escape(text).replace("\n", '<span class="diff-nl" title="line break">↵</span>\n')
    return f"<{tag}{css}>{body}</{tag}>"
