"""``ip_in_range`` and ``ip_in_ranges`` as AbuseFilter has them: MediaWiki's IPUtils 5.0
(``isValidRange``, ``isIPAddress``, ``parseRange``, ``toHex``, ``isInRange``), ported
rule for rule, quirks included, so a filter copied from a wiki gives the same answers.

What a range may be: a single address (``1.2.3.4``, ``2001:db8::1``), CIDR
(``1.2.3.0/24``, ``2001:db8::/32``), or two addresses joined by ``-`` with at most one space
on each side (``1.2.3.4 - 1.2.3.9``); IPv4 octets may have leading zeros (``010``),
IPv6 may not embed an IPv4 address. Like PHP's ``/^...$/``, one trailing newline is
tolerated. AbuseFilter raises an error for anything else: call ``valid_range`` first.

Addresses and ranges compare as IPUtils' hex strings ("0A000001", "v6-2001...") with
``strcmp``, which keeps IPUtils' corner cases: an IPv4 address is never in an IPv6 range
and the other way round, an address that is not an address is in no valid range, and a
reversed hyphen range (``1.2.3.9 - 1.2.3.1``) contains nothing but, in IPUtils, "anything
that is not an address" (both sides compare as "").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|0?[0-9]?[0-9])"
_V4 = rf"{_BYTE}\.{_BYTE}\.{_BYTE}\.{_BYTE}"
_V4_PREFIX = r"(?:3[0-2]|[12][0-9]|[0-9])"
_V6_PREFIX = r"(?:12[0-8]|1[01][0-9]|[1-9][0-9]|[0-9])"
_V4_ADDRESS = re.compile(_V4)
_V4_WITH_PREFIX = re.compile(rf"{_V4}(?:/{_V4_PREFIX})?")
_V4_CIDR = re.compile(rf"{_V4}/{_V4_PREFIX}")
_V4_HYPHEN = re.compile(rf"{_V4} ?- ?{_V4}")
_V6_WORD = re.compile(r"[0-9A-Fa-f]{1,4}")
_V6_PREFIX_RE = re.compile(_V6_PREFIX)
# PHP's trim() characters.
_TRIM = " \t\n\r\0\x0b"


def _php_dollar(text: str) -> str:
    """PHP's ``$`` (no D modifier) also matches before a final newline: drop one."""
    return text[:-1] if text.endswith("\n") else text


def _words(text: str, low: int, high: int) -> bool:
    words = text.split(":")
    return low <= len(words) <= high and all(_V6_WORD.fullmatch(w) for w in words)


def _v6_address(text: str) -> bool:
    """IPUtils::RE_IPV6_ADD: eight words, or one '::' standing for at least one."""
    if text == "::":
        return True
    if text.startswith("::"):
        return _words(text[2:], 1, 7)
    if text.endswith("::"):
        return _words(text[:-2], 1, 7)
    if text.count("::") == 1:
        left, right = text.split("::")
        return _words(left, 1, 6) and _words(right, 1, 6) and _words(left + ":" + right, 2, 7)
    return _words(text, 8, 8)


def _v6_with_prefix(text: str) -> bool:
    address, slash, prefix = text.partition("/")
    return _v6_address(address) and (not slash or bool(_V6_PREFIX_RE.fullmatch(prefix)))


def _v6_hyphen(text: str) -> bool:
    if text.count("-") != 1:
        return False
    left, right = text.split("-")
    left = left[:-1] if left.endswith(" ") else left
    right = right[1:] if right.startswith(" ") else right
    return _v6_address(left) and _v6_address(right)


def is_ipv4(text: str) -> bool:
    """IPUtils::isIPv4 (an optional /prefix included)."""
    return bool(_V4_WITH_PREFIX.fullmatch(_php_dollar(text)))


def is_ipv6(text: str) -> bool:
    """IPUtils::isIPv6 (an optional /prefix included)."""
    return _v6_with_prefix(_php_dollar(text))


def is_ip_address(text: str) -> bool:
    """IPUtils::isIPAddress."""
    return is_ipv4(text) or is_ipv6(text)


def is_valid_range(text: str) -> bool:
    """IPUtils::isValidRange: CIDR or hyphen range (not a single address)."""
    text = _php_dollar(text)
    if _V4_CIDR.fullmatch(text) or _V4_HYPHEN.fullmatch(text):
        return True
    address, slash, prefix = text.partition("/")
    if slash and _v6_address(address) and _V6_PREFIX_RE.fullmatch(prefix):
        return True
    return _v6_hyphen(text)


def valid_range(text: str) -> bool:
    """What AbuseFilter accepts as a range; for anything else, ip_in_range(s) is an
    error there ("invalidiprange")."""
    return is_valid_range(text) or is_ip_address(text)


def _sanitize_ip(ip: str) -> str | None:
    """IPUtils::sanitizeIP."""
    ip = ip.strip(_TRIM)
    if ip == "":
        return None
    if not is_ip_address(ip):
        return ip
    if is_ipv4(ip):
        return re.sub(r"(?:^|(?<=\.))0+(?=[1-9]|0[./]|0$)", "", ip)
    ip = ip.upper()
    abbreviation = ip.find("::")
    if abbreviation >= 0:
        cidr_start = ip.find("/")
        address_end = cidr_start - 1 if cidr_start >= 0 else len(ip) - 1
        if abbreviation == 0:
            repeat, extra, pad = "0:", "0" if ip == "::" else "", 9
        elif abbreviation == address_end - 1:
            repeat, extra, pad = ":0", "", 9
        else:
            repeat, extra, pad = ":0", ":", 8
        ip = ip.replace("::", repeat * max(0, pad - ip.count(":")) + extra)
    return re.sub(r"(^|:)0+([0-9A-Fa-f]{1,4})", r"\1\2", ip)


def _ip2long(ip: str) -> int | None:
    """PHP's ip2long (inet_pton): four decimal octets, no leading zeros."""
    parts = ip.split(".")
    if len(parts) != 4:
        return None
    value = 0
    for part in parts:
        if not part.isascii() or not part.isdigit() or (len(part) > 1 and part[0] == "0"):
            return None
        if int(part) > 255:
            return None
        value = value * 256 + int(part)
    return value


def _v6_raw_hex(ip: str) -> str:
    sanitized = _sanitize_ip(ip) or ""
    return "".join(block.rjust(4, "0") for block in sanitized.split(":"))


def to_hex(ip: str) -> str:
    """IPUtils::toHex, with PHP's false as "" (how strcmp sees it)."""
    if is_ipv6(ip):
        return "v6-" + _v6_raw_hex(ip)
    if is_ipv4(ip):
        value = _ip2long(_sanitize_ip(ip) or "")
        return "" if value is None else f"{value:08X}"
    return ""


def _is_numeric_bits(bits: str, top: int) -> int | None:
    bits = bits.strip(" \t\n\r\x0b\x0c")
    if not bits.isascii() or not bits.isdigit():
        return None
    return int(bits) if 0 <= int(bits) <= top else None


def parse_range(text: str) -> tuple[str, str]:
    """IPUtils::parseRange: (start, end) hex strings, ("", "") where it gives false."""
    if "/" in text:
        if is_ipv6(text):
            return _parse_range6(text)
        network_text, _, bits_text = text.partition("/")
        network = _ip2long(network_text)
        bits = _is_numeric_bits(bits_text, 32)
        if network is None or bits is None:
            return "", ""
        network &= ~((1 << (32 - bits)) - 1) & 0xFFFFFFFF
        return f"{network:08X}", f"{network + 2 ** (32 - bits) - 1:08X}"
    if "-" in text:
        start, _, end = (part.strip(_TRIM) for part in text.partition("-"))
        if is_ipv6(start) and is_ipv6(end):
            return _parse_range6(text)
        if is_ipv4(start) and is_ipv4(end):
            start, end = to_hex(start), to_hex(end)
            if start > end or not start or not end:
                return "", ""
            return start, end
        return "", ""
    single = to_hex(text)
    return single, single


def _parse_range6(text: str) -> tuple[str, str]:
    text = _sanitize_ip(text) or ""
    if "/" in text:
        network_text, _, bits_text = text.partition("/")
        bits = _is_numeric_bits(bits_text, 128)
        raw = _v6_raw_hex(network_text)
        if bits is None or not re.fullmatch(r"[0-9A-Fa-f]{32}", raw):
            return "", ""
        host = (1 << (128 - bits)) - 1
        network = int(raw, 16) & ~host
        return f"v6-{network:032X}", f"v6-{network | host:032X}"
    if "-" in text:
        start, _, end = (part.strip(_TRIM) for part in text.partition("-"))
        start, end = to_hex(start), to_hex(end)
        if start > end or not start or not end:
            return "", ""
        return start, end
    return "", ""


def ip_in_range(ip: str, range_: str) -> bool:
    """IPUtils::isInRange. Check ``valid_range(range_)`` first: AbuseFilter does, and
    raises an error when it is not."""
    address = to_hex(ip)
    start, end = parse_range(range_)
    return start <= address <= end


def ip_in_ranges(ip: str, ranges: Iterable[str]) -> bool:
    """IPUtils::isInRanges."""
    return any(ip_in_range(ip, range_) for range_ in ranges)
