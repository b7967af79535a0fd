"""What a user name is: the one definition the model, forms, renderer, mention resolution,
completion and abuse filters share.

**Names.** Chat accounts are wiki accounts, so a name is anything MediaWiki allows: letters
of any script and spaces (``Zoë``, ``Иван``, ``John Smith``), digits and most punctuation.
Not allowed: ``# < > [ ] | { } / @ : =``, control and private-use characters, invisible
spaces, ``%`` followed by two hex digits (a URL escape), a name that is an IP address, and
more than :data:`MAX_LENGTH` characters. As on the wiki, a name is written in one canonical
form (:func:`normalize_username`): Unicode NFC, ``_`` and runs of spaces become one space,
no space at either end, and the first letter upper-case (``john_smith`` is
``John smith``).

**Mentions.** Two forms, both resolving to canonical names:

* ``@Name`` for names made of letters, digits and combining marks, with ``.``, ``-``,
  ``'`` and ``_`` allowed *between* them (``_`` stands for a space, as in wiki links):
  ``@Alice``, ``@John_Smith`` (John Smith), ``@O'Brien``, ``@j.doe``. Trailing punctuation
  is the sentence's, not the name's (``thanks @Alice.`` mentions Alice), and ``''`` ends
  the name (it is wikitext italics).
* ``@[Any Legal Name]`` for every other name: ``@[Bob (WMF)]``, ``@[Dr. Who?]``. Brackets
  can never be part of a name, so the closing ``]`` is always where the name ends.

An ``@`` right after a letter or digit is no mention (``bob@example.org``).
:func:`mention_form` is what completion inserts for a user: the short form when it reads
back as that user, the bracketed one otherwise.

Every scan here is linear in the text: a mention scan stops at the first ``@`` (which no
name may contain) and after at most :data:`MAX_LENGTH` characters, so no character is
examined by more than a bounded number of scans.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Final

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The User model's username column.
MAX_LENGTH: Final = 150

# Never in a MediaWiki user name: title syntax (# < > [ ] | { }), subpages (/), and
# $wgInvalidUsernameCharacters (@ : =).
FORBIDDEN_CHARACTERS: Final = frozenset("#<>[]|{}/@:=")

# Spaces MediaWiki folds into one "_" in titles; here they fold into one " ".
_SPACES_RE = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
# Characters MediaWiki's User::isValidUserName refuses outright (besides the control
# characters, which are refused by category): zero-width space, private use.
_INVISIBLE_RE = re.compile("[\u200b\ue000-\uf8ff]")
# Control characters, surrogates, private use.
_UNSEEN = frozenset({"Cc", "Cs", "Co"})
_URL_ESCAPE_RE = re.compile("%[0-9A-Fa-f]{2}")
# Georgian Mkhedruli has an upper case (Mtavruli) in Unicode, but MediaWiki does not
# capitalise it: its titles stay as typed.
_NO_UPPER_CASE = range(0x10D0, 0x1100)

# Between two runs of name characters in the short form; "_" reads as a space.
_JOINERS: Final = frozenset("_.-'")


def normalize_username(raw: str) -> str:
    """A name as the wiki writes it: NFC; "_" and space runs -> one space; trimmed; the
    first letter upper-case. Does not validate (see :func:`validate_username`)."""
    name = _SPACES_RE.sub(" ", unicodedata.normalize("NFC", raw)).strip(" ")
    if not name or ord(name[0]) in _NO_UPPER_CASE:
        return name
    upper = name[0].upper()
    # "ß".upper() is "SS": MediaWiki leaves letters without a one-letter capital alone.
    return upper + name[1:] if len(upper) == 1 else name


def username_problems(name: str) -> list[str]:
    """Why ``name`` is not a valid canonical user name, as sentences; [] when it is."""
    if not name:
        return [_("Enter a user name.")]
    problems: list[str] = []
    if len(name) > MAX_LENGTH:
        problems.append(
            ngettext(
                "A user name can be at most %(max)d character long.",
                "A user name can be at most %(max)d characters long.",
                MAX_LENGTH,
            )
            % {"max": MAX_LENGTH}
        )
    forbidden = sorted(FORBIDDEN_CHARACTERS.intersection(name))
    if forbidden:
        problems.append(
            _("A user name cannot contain these characters: %(characters)s")
            % {"characters": " ".join(forbidden)}
        )
    if _INVISIBLE_RE.search(name) or any(unicodedata.category(ch) in _UNSEEN for ch in name):
        problems.append(_("A user name cannot contain control or invisible characters."))
    if _URL_ESCAPE_RE.search(name):
        problems.append(_("A user name cannot contain “%” followed by two hexadecimal digits."))
    if _is_ip_address(name):
        problems.append(_("A user name cannot be an IP address."))
    if not problems and normalize_username(name) != name:
        problems.append(
            _("The wiki writes this user name “%(name)s”.") % {"name": normalize_username(name)}
        )
    return problems


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def is_valid_username(name: str) -> bool:
    return not username_problems(name)


def validate_username(value: str) -> None:
    """The User model's validator: ``value`` must be a legal name in canonical form (forms
    normalize what people type first, see accounts.forms)."""
    problems = username_problems(value)
    if problems:
        raise ValidationError(problems, code="invalid_username")


# --- mentions ------------------------------------------------------------------------------


def _is_name_character(ch: str) -> bool:
    """Letters and digits of any script, and combining marks (Devanagari vowel signs,
    a decomposed "ë"): what a short-form mention is made of."""
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


def match_mention(text: str, at: int) -> tuple[str, int] | None:
    """The mention whose "@" is ``text[at]``: (canonical name, index after it), or None
    when there is none there (not after a letter or digit, and a legal name)."""
    if text[at] != "@" or (at > 0 and _is_name_character(text[at - 1])):
        return None
    start = at + 1
    if start < len(text) and text[start] == "[":
        return _bracketed(text, start + 1)
    return _short(text, start)


def _bracketed(text: str, start: int) -> tuple[str, int] | None:
    # Spaces may be padded or doubled inside the brackets; anything longer than twice a
    # name is no name. Stops at the first character no name has ("]" or otherwise).
    end = start
    limit = min(len(text), start + 2 * MAX_LENGTH)
    while end < limit and text[end] not in FORBIDDEN_CHARACTERS and text[end] != "\n":
        end += 1
    if end >= len(text) or text[end] != "]":
        return None
    name = normalize_username(text[start:end])
    return (name, end + 1) if is_valid_username(name) else None


def _short(text: str, start: int) -> tuple[str, int] | None:
    n = len(text)
    if start >= n or not _is_name_character(text[start]):
        return None
    end = start  # after the last name character taken
    i = start
    while i < n and i - start <= MAX_LENGTH:
        if _is_name_character(text[i]):
            i += 1
            end = i
            continue
        # A run of joiners belongs to the name only if a name character follows it and it
        # holds no "''" (wikitext italics right after a name).
        j = i
        while j < n and j - start <= MAX_LENGTH and text[j] in _JOINERS:
            if text.startswith("''", j):
                break
            j += 1
        if j == i or j >= n or not _is_name_character(text[j]):
            break
        i = j
    if i - start > MAX_LENGTH:  # a run too long to be a name is no mention at all
        return None
    name = normalize_username(text[start:end])
    return (name, end) if is_valid_username(name) else None


def find_mentions(text: str) -> list[str]:
    """The canonical names ``text`` mentions, in order, repeats included."""
    found: list[str] = []
    at = text.find("@")
    while at != -1:
        match = match_mention(text, at)
        if match is None:
            at = text.find("@", at + 1)
            continue
        found.append(match[0])
        at = text.find("@", match[1])
    return found


def mention_form(username: str) -> str:
    """The text that mentions ``username``: ``@Name`` when that reads back as this name
    (spaces written as "_"), else ``@[Name]``."""
    name = normalize_username(username)
    short = "@" + name.replace(" ", "_")
    if find_mentions(short) == [name]:
        return short
    return f"@[{name}]"
