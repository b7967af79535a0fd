"""Wikitext the chat reads and writes on talk-style pages (the help desk, user talk pages),
as pure functions: no Django, no HTTP, so every rule here has a unit test without a wiki.

- :func:`sections` splits a page into its sections the way MediaWiki numbers them (the
  ``section=<n>`` of ``action=edit``), ignoring headings inside comments, ``<nowiki>``
  and ``<pre>``;
- :func:`section_with` finds the section that holds an invisible marker (an HTML comment
  the chat put there), subsections included, so the chat finds its own sections again
  whatever people did to their headings;
- :func:`added_lines` is what an edit added to a section (a reply), and :func:`reply_text`
  turns it into the chat's plain text: indentation, signature and markup removed;
- :func:`nowiki` makes any chat text safe to write as wikitext (no template, link,
  heading or signature can come out of it).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Where headings are not headings: the wiki skips these when it numbers sections.
_OPAQUE = re.compile(r"<!--.*?(?:-->|$)|<nowiki\b.*?(?:</nowiki>|$)|<pre\b.*?(?:</pre>|$)", re.S)
_HEADING = re.compile(r"^(={1,6})(.+?)\1[ \t]*(?:<!--.*?-->[ \t]*)*$", re.M)


@dataclass(frozen=True)
class Section:
    index: int  # the wiki's section number (1 is the first heading; 0 the lead)
    level: int  # 2 for "== Heading =="
    heading: str  # the heading's text, trimmed
    start: int  # offsets in the page's text: the heading line's first character…
    end: int  # …and the end of the section, its subsections included

    def text(self, page: str) -> str:
        return page[self.start : self.end]


def _masked(text: str) -> str:
    """``text`` with comments, nowiki and pre blanked out (same length, newlines kept), so
    that a heading inside them is not taken for one."""
    return _OPAQUE.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), text)


def sections(text: str) -> list[Section]:
    """The page's sections in order, each running to the next heading of its level or
    higher (so a level-2 section holds its level-3 subsections)."""
    found = [
        (match.start(), len(match.group(1)), match.group(2).strip())
        for match in _HEADING.finditer(_masked(text))
    ]
    result = []
    for number, (start, level, _heading) in enumerate(found):
        end = len(text)
        for later_start, later_level, _later in found[number + 1 :]:
            if later_level <= level:
                end = later_start
                break
        heading = _HEADING.match(text, start)
        title = heading.group(2).strip() if heading else _heading
        result.append(Section(index=number + 1, level=level, heading=title, start=start, end=end))
    return result


def section_with(text: str, marker: str) -> Section | None:
    """The innermost section whose own text holds ``marker``, or None. A marker copied into
    a later section (someone quoting it) does not move the section: the first wins."""
    at = text.find(marker)
    if at < 0:
        return None
    holding = [section for section in sections(text) if section.start <= at < section.end]
    return max(holding, key=lambda section: section.start) if holding else None


def marker_comment(name: str) -> str:
    """The invisible marker the chat leaves in what it writes, to find it again."""
    return f"<!-- livechat:{name} -->"


# --- what an edit added -------------------------------------------------------------------

# A line rewritten this much alike is a correction of the old one, not new words.
SIMILAR = 0.75


def added_lines(old: str, new: str) -> list[str]:
    """The lines ``new`` has that ``old`` did not: inserted lines, and rewritten lines
    that are not merely corrections of the old ones (words added at a line's end count
    as added)."""
    before, after = old.splitlines(), new.splitlines()
    added: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "insert":
            added.extend(after[b_start:b_end])
        elif op == "replace":
            replaced = before[a_start:a_end]
            for line in after[b_start:b_end]:
                grown = next(
                    (old_line for old_line in replaced if old_line and line.startswith(old_line)),
                    None,
                )
                if grown is not None:
                    added.append(line[len(grown) :])
                elif not any(
                    difflib.SequenceMatcher(a=old_line, b=line).ratio() >= SIMILAR
                    for old_line in replaced
                ):
                    added.append(line)
    return added


# --- from wikitext to the chat's text -------------------------------------------------------

# "12:00, 5 December 2026 (UTC)" as ~~~~~ writes it in English; other languages put the
# parts elsewhere, but always end with the zone in parentheses.
_TIMESTAMP = re.compile(r"\d{1,2}:\d{2},?\s[^\n]{0,40}?\d{4}\s*\([A-Z]{2,5}\)\s*$")
_TRAILING_LINK = re.compile(r"\[\[[^\[\]\n]*\]\]\s*$")
_USER_LINK = re.compile(
    r"\[\[\s*:?\s*(?:user|user[ _]talk|special:contrib\w*)\s*[:/][^\[\]\n]*\]\]\s*$", re.I
)
# What sits between a signature's links and around it: "([[User talk:X|talk]])", " -- ",
# "—", "·".
_PUNCTUATION = re.compile(r"(?:[\s()|·•]|--|—|–)+$")
# What joins a signature to the words before it: " -- ", " — ".
_CONNECTOR = re.compile(r"(?:\s|--|—|–|·)+$")


def strip_signature(text: str) -> str:
    """``text`` without the signature at its end: ``[[User:X|X]] ([[User talk:X|talk]])
    12:00, 5 December 2026 (UTC)`` and its variants (a custom signature's links, a
    ``--`` before it). Without a timestamp only links to user pages are taken as a
    signature (``~~~``), so a reply that ends with a link to a help page keeps it."""
    stripped = text.rstrip()
    timestamp = _TIMESTAMP.search(stripped)
    link = _TRAILING_LINK if timestamp else _USER_LINK
    removed = timestamp is not None
    if timestamp:
        stripped = stripped[: timestamp.start()]
    while True:
        # The punctuation goes only with a link before it: "(see above)" stays.
        candidate = _PUNCTUATION.sub("", stripped)
        match = link.search(candidate)
        if match is None:
            break
        stripped = candidate[: match.start()]
        removed = True
    return _CONNECTOR.sub("", stripped) if removed else stripped


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PIPED_LINK = re.compile(r"\[\[[^\[\]|\n]*\|([^\[\]\n]*)\]\]")
_LINK = re.compile(r"\[\[\s*:?([^\[\]|\n]*)\]\]")
_EXTERNAL_LINK = re.compile(r"\[(https?://[^\s\]]+)\s+([^\]\n]+)\]")
_EMPHASIS = re.compile(r"'{2,5}")
_NOWIKI = re.compile(r"</?nowiki\s*/?>")
_INDENT = re.compile(r"^[:*#;]+\s*")
_TEMPLATE_PING = re.compile(r"\{\{\s*(?:re|reply to|ping|u)\s*\|[^{}]*\}\}\s*", re.I)


def reply_text(lines: list[str]) -> str:
    """Added lines of a reply as the chat shows them: indentation (``:``) and comments
    gone, each line's signature removed, links reduced to their words (an external link
    keeps its address), bold and italics unmarked, pings ({{re|…}}) dropped. Empty when
    the lines held nothing but markup."""
    out = []
    for line in lines:
        line = _COMMENT.sub("", line)
        line = _INDENT.sub("", line.strip())
        line = strip_signature(line)
        line = _TEMPLATE_PING.sub("", line)
        line = _PIPED_LINK.sub(r"\1", line)
        line = _LINK.sub(r"\1", line)
        line = _EXTERNAL_LINK.sub(r"\2 (\1)", line)
        line = _EMPHASIS.sub("", line)
        line = _NOWIKI.sub("", line)
        out.append(line.strip())
    return "\n".join(out).strip()


# --- from the chat's text to wikitext -------------------------------------------------------


def nowiki(text: str) -> str:
    """Chat text as wikitext that shows it as written and can do nothing else: every line
    in ``<nowiki>`` (no templates, links, signatures, lists or headings; entities are the
    only thing the wiki reads inside, hence ``&``, ``<`` and ``>`` escaped), the lines
    joined by ``<br />`` so the whole stays one paragraph."""
    lines = []
    for line in text.splitlines() or [""]:
        escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        lines.append(f"<nowiki>{escaped}</nowiki>" if escaped.strip() else "")
    return "<br />".join(line for line in lines if line)


def heading_text(text: str, *, limit: int = 80) -> str:
    """A section heading made from chat text: one line, at most ``limit`` characters, and
    none of the characters that would end a heading or make markup of it (the heading is
    also the edit summary's link target, so it stays plain)."""
    line = " ".join(text.split())
    line = re.sub(r"[\[\]{}<>|=~#]", "", line).strip(" '")
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line
