"""The message renderer: a chat message's source text -> safe HTML, plus whom it mentions.

The syntax is a small subset a wiki newcomer already knows, and nothing more:

    **bold**  '''bold'''    *italic*  _italic_  ''italic''    '''''bold italic'''''
    `code`    [text](https://...)    bare https://... URLs    [[Page title]]  [[Page|label]]
    ~~struck~~    @name     :shortcode:   one newline -> line break; a blank line -> new paragraph
    \\*       a backslash makes the next ASCII punctuation character plain text
    > quote   ``` code block ```   - item  * item   1. item  # item   (formatting_blocks.py)

Everything else is text and is HTML-escaped: raw HTML is shown as written, never
interpreted, so "how do I write <ref>?" reads back exactly like that.

Why a hand-written tokenizer rather than Python-Markdown: messages come from anyone, and
Python-Markdown has super-linear paths on short hostile input (measured on 4000 characters:
2000 × "[" took ~650 ms, 1000 × "[a](" ~250 ms, 1300 × "<a " ~230 ms). The tokenizer here
makes one left-to-right pass; every look-ahead it needs (the closing backtick run, the next
bracket, the parenthesis closing a link target) comes from a table built in linear time, and
no regular expression in it can backtrack more than a bounded amount. Emphasis is resolved
with a delimiter stack whose entries are each pushed and popped at most once. So the cost
is linear in the input; bench/render_bench.py measures it. The blocks (quotes, code
blocks, lists) are found first, line by line (livechat/formatting_blocks.py), and each
paragraph or list item then goes through the tokenizer here.

markdown-it-py, a CommonMark parser built to stay linear, was measured against this
tokenizer before the blocks were added (docs/benchmarks.md, "Formatting: markdown-it-py
against our tokenizer"): slower on most inputs, 10-50x on some hostile ones, so the
blocks grew here instead.

The HTML the tokenizer builds is then passed through `sanitize` (a bleach allow-list), so a
bug here can at worst produce ugly output, not script.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings

from accounts.usernames import match_mention

from .emoji import EMOJI_SHORTCODES, normalize_emoji
from .formatting_blocks import blocks_html
from .sanitizer import is_web_url, sanitize

__all__ = ["EMOJI_SHORTCODES", "Rendered", "normalize_emoji", "render", "sanitize"]


@dataclass(frozen=True)
class Rendered:
    html: str
    # The canonical names mentioned (accounts.usernames), de-duplicated, in order of first
    # appearance.
    mentions: list[str] = field(default_factory=list)


# --- the tokenizer ------------------------------------------------------------------------

# Emphasis runs longer than this are plain text: "****" means nothing to a reader, and
# bounding the run bounds how many tags one delimiter can produce.
_MAX_DELIM_RUN = 3
# Openers nested deeper than this are plain text, so hostile input cannot make the HTML
# (and the browser's DOM) thousands of levels deep.
_MAX_NESTING = 16
# Links, mentions, code spans and emphasis pairs per message; past this the rest is text.
# html5lib (inside bleach) spends ~25-100 µs per element it parses, so a message of 1000
# wiki links or mentions would take ~100 ms to sanitize; no real message needs this many.
_MAX_ELEMENTS = 200
_MAX_TITLE_CHARS = 255

# Characters that may start something; anything else is copied as text in one chunk.
_PLAIN_RE = re.compile(r"[^\\`\[*_~':@hH\n]+")
_BACKTICKS_RE = re.compile(r"`+")
_SHORTCODE_RE = re.compile(r":([a-z0-9_+-]{1,40}):")
_URL_BODY_RE = re.compile(r"[^\s<>\"`]+")
_CODE_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+.#-]{1,20}")
_ASCII_PUNCTUATION = frozenset(string.punctuation)
# Sentence punctuation after a bare URL belongs to the sentence, not the URL.
_URL_TRAILING = frozenset(".,:;!?*_~'\"")
# Characters MediaWiki never allows in a page title.
_BAD_TITLE_CHARS = frozenset("<>[]{}|")
_WIKI_TAGS = {"b": "strong", "i": "em"}
# Strikethrough is exactly two tildes; one or three are text.
_STRIKE_RUN = 2
_WIKI_QUOTES = {"b": "'''", "i": "''"}


def _escape_text(text: str) -> str:
    """Escape text for the HTML handed to bleach: '&' and '<' are all that text needs.

    Leaving '>' raw is safe in text and matters for speed: html5lib parses each character
    reference separately (~8 µs), so 4000 '>' as '&gt;' cost ~30 ms instead of ~0.5 ms.
    bleach's serializer writes '&gt;' in the final output anyway.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;")


@dataclass
class _Message:
    """What parsing one message shares across its paragraphs and link labels."""

    mentions: list[str] = field(default_factory=list)
    elements_left: int = _MAX_ELEMENTS

    def take_element(self) -> bool:
        """Spend one element of the budget; False once it is used up."""
        if self.elements_left <= 0:
            return False
        self.elements_left -= 1
        return True


def _is_punctuation(ch: str) -> bool:
    """CommonMark's 'Unicode punctuation': categories P* and S*."""
    return unicodedata.category(ch)[0] in "PS"


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _next_index_of(text: str, chars: str) -> list[int]:
    """next[i] = the first index >= i holding one of `chars` (len(text) if none)."""
    n = len(text)
    table = [n] * (n + 1)
    upcoming = n
    for k in range(n - 1, -1, -1):
        if text[k] in chars:
            upcoming = k
        table[k] = upcoming
    return table


class _LinkTargetIndex:
    """Where a link target starting at p ends: the ')' that closes it, in O(1) per query.

    A target is non-whitespace text with balanced parentheses (Wikipedia URLs have them:
    .../Python_(programming_language)). Scanning forward from every '[x](' would be
    quadratic on '[a](' repeated, so instead: with depth[k] the parenthesis balance before
    text[k], the closing ')' of a target starting at p is the one just before the first
    q > p with depth[q] < depth[p]. "Next smaller element" is one linear stack pass.
    """

    def __init__(self, text: str) -> None:
        n = len(text)
        depth = [0] * (n + 1)
        balance = 0
        for k, ch in enumerate(text):
            if ch == "(":
                balance += 1
            elif ch == ")":
                balance -= 1
            depth[k + 1] = balance
        self._next_lower = [-1] * (n + 1)
        stack: list[int] = []
        for q in range(n + 1):
            while stack and depth[stack[-1]] > depth[q]:
                self._next_lower[stack.pop()] = q
            stack.append(q)
        self._next_space = [n] * (n + 1)
        upcoming = n
        for k in range(n - 1, -1, -1):
            if text[k].isspace():
                upcoming = k
            self._next_space[k] = upcoming

    def end(self, start: int) -> int:
        """Index of the closing ')', or -1 if the target is unclosed or has whitespace."""
        q = self._next_lower[start]
        if q == -1 or q - 1 >= self._next_space[start]:
            return -1
        return q - 1


class _BacktickIndex:
    """For each backtick run, the next later run of the same length (its closing run)."""

    def __init__(self, text: str) -> None:
        self.run_end: dict[int, int] = {}
        self.closing: dict[int, tuple[int, int]] = {}
        runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(text)]
        later: dict[int, tuple[int, int]] = {}
        for start, end in reversed(runs):
            self.run_end[start] = end
            if end - start in later:
                self.closing[start] = later[end - start]
            later[end - start] = (start, end)


@dataclass(eq=False, slots=True)
class _Delim:
    """A run of emphasis characters, waiting for the delimiter stack to decide its fate."""

    char: str  # '*', '_', '~' or "'"
    count: int  # '*'/'_': delimiter characters not yet used by a match
    can_open: bool
    can_close: bool
    kinds: list[str]  # "'": the wikitext kinds ("b", "i") not yet matched
    prefix: str = ""  # "'": apostrophes that are never delimiters ("''''" is ' + ''')
    depth: int = -1  # position in the delimiter stack while it is an open opener
    opens: list[str] = field(default_factory=list)  # innermost first
    closes: list[str] = field(default_factory=list)  # innermost first

    def stack_keys(self) -> list[str]:
        """The opener stacks this delimiter sits on while it is open."""
        if self.char == "'":
            return ["'" + kind for kind in self.kinds]
        return [self.char] if self.count else []

    def to_html(self) -> str:
        if self.char == "'":
            unused = "".join(_WIKI_QUOTES[kind] for kind in self.kinds)
        else:
            unused = self.char * self.count
        # Closing tags come first, then any characters no match used, then the opening
        # tags outermost first: this is what keeps the output well nested.
        return self.prefix + "".join(self.closes) + unused + "".join(reversed(self.opens))


_Token = str | _Delim  # a str token is finished, safe HTML


class _Emphasis:
    """Matches emphasis delimiters on one line (CommonMark's delimiter stack, simplified).

    A closer matches the nearest open opener of its kind; openers between the two can no
    longer match (that would cross tags) and turn back into text. Each delimiter is pushed
    and popped at most once, and per-kind stacks find "the nearest opener of my kind" in
    O(1), so a line costs time linear in its delimiters.
    """

    def __init__(self, message: _Message) -> None:
        self.message = message
        self.stack: list[_Delim] = []
        self.by_key: dict[str, list[_Delim]] = {}

    def feed(self, delim: _Delim) -> None:
        if delim.char == "'":
            self._feed_wiki(delim)
        else:
            self._feed_markdown(delim)

    def _push(self, delim: _Delim) -> None:
        if len(self.stack) >= _MAX_NESTING:
            return
        delim.depth = len(self.stack)
        self.stack.append(delim)
        for key in delim.stack_keys():
            self.by_key.setdefault(key, []).append(delim)

    def _pop_above(self, opener: _Delim) -> None:
        """Openers above `opener` can never match now: they stay as plain text."""
        while self.stack[-1] is not opener:
            dead = self.stack.pop()
            for key in dead.stack_keys():
                popped = self.by_key[key].pop()
                assert popped is dead  # the per-kind stacks mirror the main stack's order

    def _feed_markdown(self, closer: _Delim) -> None:
        openers = self.by_key.setdefault(closer.char, [])
        # (The budget is checked last, so it is only spent on an actual match.)
        while closer.can_close and closer.count and openers and self.message.take_element():
            opener = openers[-1]
            self._pop_above(opener)
            # '**' with '**' is strong; otherwise one character each makes em.
            used = 2 if closer.count >= 2 and opener.count >= 2 else 1
            tag = "strong" if used == 2 else "em"
            if closer.char == "~":  # '~~' runs are always two long
                tag = "del"
            opener.opens.append(f"<{tag}>")
            closer.closes.append(f"</{tag}>")
            opener.count -= used
            closer.count -= used
            if not opener.count:
                self.stack.pop()
                openers.pop()
        if closer.count and closer.can_open:
            self._push(closer)

    def _feed_wiki(self, delim: _Delim) -> None:
        # Wikitext quotes toggle: a kind that is open closes, the others open. The nearest
        # open kind closes first, so "'''''a''' b''" nests as <em><strong>a</strong> b</em>.
        open_kinds = [kind for kind in delim.kinds if self.by_key.get("'" + kind)]
        open_kinds.sort(key=lambda kind: self.by_key["'" + kind][-1].depth, reverse=True)
        for kind in open_kinds:
            if not self.message.take_element():
                break
            openers = self.by_key["'" + kind]
            opener = openers[-1]
            self._pop_above(opener)
            opener.opens.append(f"<{_WIKI_TAGS[kind]}>")
            delim.closes.append(f"</{_WIKI_TAGS[kind]}>")
            opener.kinds.remove(kind)
            openers.pop()
            if not opener.kinds:
                self.stack.pop()
            delim.kinds.remove(kind)
        if delim.kinds:
            self._push(delim)


def _resolve_line(tokens: list[_Token], message: _Message) -> str:
    emphasis = _Emphasis(message)
    for token in tokens:
        if isinstance(token, _Delim):
            emphasis.feed(token)
    # Whatever is still open at the end of the line stays as its literal characters.
    return "".join(token if isinstance(token, str) else token.to_html() for token in tokens)


class _Inline:
    """One left-to-right pass over a paragraph (or a link's label), producing HTML.

    `links=False` is for link labels: no nested links, URLs or mentions inside a link.
    Emphasis is resolved line by line, as each line ends.
    """

    def __init__(self, text: str, message: _Message, *, links: bool) -> None:
        self.text = text
        self.message = message
        self.links = links
        self.done_lines: list[str] = []
        self.line: list[_Token] = []
        self.pending_text: list[str] = []
        # Built on first use: most messages have no brackets or backticks.
        self._brackets: list[int] | None = None
        self._link_targets: _LinkTargetIndex | None = None
        self._backticks: _BacktickIndex | None = None
        self._handlers = {
            "\\": self._backslash,
            "`": self._code,
            "[": self._bracket,
            "*": self._markdown_emphasis,
            "_": self._markdown_emphasis,
            "~": self._markdown_emphasis,
            "'": self._wiki_emphasis,
            ":": self._shortcode,
            "@": self._mention,
            "h": self._bare_url,
            "H": self._bare_url,
            "\n": self._newline,
        }

    # -- driving --

    def to_html(self) -> str:
        text = self.text
        i = 0
        while i < len(text):
            plain = _PLAIN_RE.match(text, i)
            if plain:
                self.pending_text.append(plain.group())
                i = plain.end()
                continue
            end = self._handlers[text[i]](i)
            if end is None:  # not the start of anything: the character is text
                self.pending_text.append(text[i])
                i += 1
            else:
                i = end
        self._end_line()
        return "<br>".join(self.done_lines)

    def _flush_text(self) -> None:
        if self.pending_text:
            self.line.append(_escape_text("".join(self.pending_text)))
            self.pending_text = []

    def _end_line(self) -> None:
        self._flush_text()
        self.done_lines.append(_resolve_line(self.line, self.message))
        self.line = []

    def _emit(self, token: _Token) -> None:
        self._flush_text()
        self.line.append(token)

    def _before(self, i: int) -> str:
        return self.text[i - 1] if i > 0 else " "

    def _label(self, source: str) -> str:
        return _Inline(source, self.message, links=False).to_html()

    # -- handlers: each returns the index after what it consumed, or None --

    def _newline(self, i: int) -> int:
        self._end_line()
        return i + 1

    def _backslash(self, i: int) -> int | None:
        if i + 1 >= len(self.text) or self.text[i + 1] not in _ASCII_PUNCTUATION:
            return None
        if self.text[i + 1] == "`":
            # An escaped backtick run is all text; the backtick index works in whole runs.
            end = self._run_end(i + 1)
            self.pending_text.append(self.text[i + 1 : end])
            return end
        self.pending_text.append(self.text[i + 1])
        return i + 2

    def _run_end(self, i: int) -> int:
        end = i
        while end < len(self.text) and self.text[end] == self.text[i]:
            end += 1
        return end

    def _code(self, i: int) -> int:
        if self._backticks is None:
            self._backticks = _BacktickIndex(self.text)
        closing = self._backticks.closing.get(i)
        if closing is None or not self.message.take_element():
            # No later run of the same length (or no budget left): the run is text.
            end = self._backticks.run_end.get(i) or self._run_end(i)
            self.pending_text.append(self.text[i:end])
            return end
        opening_end = self._backticks.run_end[i]
        content = self.text[opening_end : closing[0]]
        self._emit(f"<code>{_code_html(content, fenced=opening_end - i >= 3)}</code>")
        return closing[1]

    def _markdown_emphasis(self, i: int) -> int | None:
        end = self._run_end(i)
        if end - i > _MAX_DELIM_RUN or (self.text[i] == "~" and end - i != _STRIKE_RUN):
            self.pending_text.append(self.text[i:end])
            return end
        before = self._before(i)
        after = self.text[end] if end < len(self.text) else " "
        # CommonMark's flanking rules: a run can open if it is not followed by whitespace
        # (and, before punctuation, only if it follows whitespace or punctuation).
        left = not after.isspace() and (
            not _is_punctuation(after) or before.isspace() or _is_punctuation(before)
        )
        right = not before.isspace() and (
            not _is_punctuation(before) or after.isspace() or _is_punctuation(after)
        )
        if self.text[i] in "*~":
            can_open, can_close = left, right
        else:  # '_' inside a word is not emphasis: snake_case_names stay as written
            can_open = left and (not right or _is_punctuation(before))
            can_close = right and (not left or _is_punctuation(after))
        if not (can_open or can_close):
            self.pending_text.append(self.text[i:end])
            return end
        self._emit(_Delim(self.text[i], end - i, can_open, can_close, kinds=[]))
        return end

    def _wiki_emphasis(self, i: int) -> int | None:
        end = self._run_end(i)
        length = end - i
        if length < 2:  # a lone apostrophe is just an apostrophe
            return None
        # MediaWiki: '' italic, ''' bold, ''''' both; '''' is ' + '''; extra ones are text.
        if length >= 5:
            prefix, kinds = length - 5, ["b", "i"]
        elif length == 4:
            prefix, kinds = 1, ["b"]
        else:
            prefix, kinds = 0, ["b"] if length == 3 else ["i"]
        self._emit(_Delim("'", 0, True, True, kinds=kinds, prefix="'" * prefix))
        return end

    def _shortcode(self, i: int) -> int | None:
        if _is_word_char(self._before(i)):  # "a:x:b" is not an emoji
            return None
        match = _SHORTCODE_RE.match(self.text, i)
        emoji = EMOJI_SHORTCODES.get(match.group(1)) if match else None
        if match is None or emoji is None:  # unknown shortcodes stay as text
            return None
        self._emit(emoji)
        return match.end()

    def _mention(self, i: int) -> int | None:
        # The syntax (@Name, @John_Smith, @[Any Name]) is accounts.usernames'; it refuses
        # an "@" right after a letter or digit, so "bob@example.com" is no mention.
        if not self.links:
            return None
        match = match_mention(self.text, i)
        if match is None or not self.message.take_element():
            return None
        name, end = match
        self.message.mentions.append(name)
        escaped = html.escape(name)
        # A mention links to the person's user page on the wiki, where they can be reached;
        # it shows the name as the wiki writes it ("@John_Smith" reads "@John Smith").
        href = _wiki_href(f"User:{name}")
        if href is None:
            self._emit(f'<span class="mention" data-user="{escaped}">@{escaped}</span>')
        else:
            self._emit(
                f'<a class="mention" href="{html.escape(href)}" data-user="{escaped}">'
                f"@{escaped}</a>"
            )
        return end

    def _bare_url(self, i: int) -> int | None:
        if not self.links or _is_word_char(self._before(i)):
            return None
        head = self.text[i : i + 8].lower()
        if not head.startswith(("http://", "https://")):
            return None
        match = _URL_BODY_RE.match(self.text, i)
        assert match is not None  # the text at i starts with "http"
        url = _trim_url(match.group())
        scheme_end = url.index("://") + 3
        if not any(ch.isalnum() for ch in url[scheme_end:]) or not self.message.take_element():
            return None
        self._emit(_link_html(url, _escape_text(url), css_class="external"))
        return i + len(url)

    def _bracket(self, i: int) -> int | None:
        if not self.links:
            return None
        if self._brackets is None:
            # Labels and titles may not contain brackets or line breaks, so "the next one
            # of these" is where a label must end: an O(1) look-up instead of a scan.
            self._brackets = _next_index_of(self.text, "[]\n")
        if self.text.startswith("[[", i):
            end = self._wikilink(i)
            if end is not None:
                return end
        return self._markdown_link(i)

    def _wikilink(self, i: int) -> int | None:
        assert self._brackets is not None
        close = self._brackets[i + 2]
        if not self.text.startswith("]]", close):
            return None
        title, has_label, label = self.text[i + 2 : close].partition("|")
        href = _wiki_href(title)
        if href is None or not self.message.take_element():
            return None
        # Like MediaWiki, [[:Category:X]] shows as "Category:X".
        page_name = title.strip().removeprefix(":").lstrip()
        shown = label.strip() if has_label and label.strip() else page_name
        label_html = self._label(shown)
        self._emit(_link_html(href, label_html, css_class="wikilink", title=page_name))
        return close + 2

    def _markdown_link(self, i: int) -> int | None:
        assert self._brackets is not None
        close = self._brackets[i + 1]
        if close == i + 1 or not self.text.startswith("](", close):
            return None
        if self._link_targets is None:
            self._link_targets = _LinkTargetIndex(self.text)
        target_start = close + 2
        target_end = self._link_targets.end(target_start)
        if target_end <= target_start:
            return None
        href = self.text[target_start:target_end]
        if not _is_allowed_link(href):  # e.g. javascript: -- show what was written
            return None
        if not self.message.take_element():
            return None
        label_html = self._label(self.text[i + 1 : close])
        self._emit(_link_html(href, label_html, css_class="external"))
        return target_end + 1


def _code_html(content: str, *, fenced: bool) -> str:
    """Code is shown verbatim; newlines in it still break lines."""
    if fenced and "\n" in content:
        # ```lang\n...\n``` as pasted from elsewhere: drop the language word and the
        # line breaks that only frame the code.
        first, _, rest = content.partition("\n")
        if not first.strip() or _CODE_LANGUAGE_RE.fullmatch(first.strip()):
            content = rest
        content = content.removesuffix("\n")
    elif len(content) > 2 and content[0] == content[-1] == " " and content.strip():
        content = content[1:-1]  # CommonMark: `` `a` `` shows `a` without the padding
    return _escape_text(content).replace("\n", "<br>")


def _trim_url(url: str) -> str:
    """Drop trailing punctuation that belongs to the sentence, and unbalanced ) or ]."""
    unbalanced = {")": url.count(")") - url.count("("), "]": url.count("]") - url.count("[")}
    end = len(url)
    while end:
        ch = url[end - 1]
        if ch in _URL_TRAILING:
            end -= 1
        elif ch in unbalanced and unbalanced[ch] > 0:
            unbalanced[ch] -= 1
            end -= 1
        else:
            break
    return url[:end]


def _is_allowed_link(href: str) -> bool:
    lowered = href.lower()
    if lowered.startswith("mailto:"):
        return len(href) > len("mailto:")
    return is_web_url(href) and len(href) > lowered.index("//") + 2


def _is_relative_path(title: str) -> bool:
    """Titles MediaWiki rejects because a browser would resolve them as path segments."""
    return (
        title in (".", "..")
        or title.startswith(("./", "../"))
        or "/./" in title
        or "/../" in title
        or title.endswith(("/.", "/.."))
    )


def _wiki_href(title: str) -> str | None:
    """[[title]] -> LIVECHAT_WIKI_URL + Title_with_underscores (percent-encoded), or None."""
    # MediaWiki treats spaces and underscores alike and collapses runs of them.
    title = " ".join(title.replace("_", " ").split())
    title = title.removeprefix(":").lstrip()  # [[:Category:X]] links rather than files
    page, _, section = title.partition("#")
    page = page.strip()
    if (
        not page
        or len(page) > _MAX_TITLE_CHARS
        or not _BAD_TITLE_CHARS.isdisjoint(page)
        or _is_relative_path(page)
    ):
        return None
    base = getattr(settings, "LIVECHAT_WIKI_URL", "https://en.wikipedia.org/wiki/")
    href = base + quote(page.replace(" ", "_"), safe="/:")
    if section.strip():
        href += "#" + quote(section.strip().replace(" ", "_"), safe="/:")
    # The base comes from settings; refuse anything that would not stay on a web URL or a
    # same-site path (an empty base plus "//evil.example" would be protocol-relative).
    if is_web_url(href) or (href.startswith("/") and not href.startswith("//")):
        return href
    return None


def _link_html(href: str, label_html: str, *, css_class: str, title: str | None = None) -> str:
    title_attr = f' title="{html.escape(title)}"' if title else ""
    return f'<a href="{html.escape(href)}" class="{css_class}"{title_attr}>{label_html}</a>'


# --- rendering ----------------------------------------------------------------------------

# C0/C1 control characters (bar tab and newline) and DEL: invisible, and some of them make
# HTML parsers disagree. Removed before anything else looks at the text.
_CONTROL_CHARS = {cp: None for cp in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]}
# A JSON string may carry lone surrogates, which cannot be encoded to UTF-8 later.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _clean_source(body: str) -> str:
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_CONTROL_CHARS)
    return _SURROGATE_RE.sub("\ufffd", text)


def _markup(body: str) -> tuple[str, list[str]]:
    """The tokenizer's HTML (before sanitizing) and the mentions, duplicates included.

    Separate from render() so the benchmark can tell the tokenizer's cost from bleach's.
    """
    message = _Message()

    def inline(text: str) -> str:
        return _Inline(text, message, links=True).to_html()

    text = _clean_source(body)
    return blocks_html(text, inline=inline, take_element=message.take_element), message.mentions


def render(body: str) -> Rendered:
    """A message's source -> sanitized HTML and the names it @mentions."""
    markup, mentions = _markup(body)
    return Rendered(html=sanitize(markup), mentions=list(dict.fromkeys(mentions)))
