"""ip_in_range(s) with MediaWiki IPUtils' semantics (expected values from the PHP)."""

from __future__ import annotations

import pytest

from moderation.rules import ipranges


@pytest.mark.parametrize(
    ("ip", "range_", "expected"),
    [
        ("1.2.3.5", "1.2.3.4 - 1.2.3.9", True),
        ("1.2.3.10", "1.2.3.4-1.2.3.9", False),
        ("10.1.2.3", "10.0.0.0/8", True),
        ("11.0.0.0", "10.0.0.0/8", False),
        ("10.0.0.1", "10.0.0.0/8\n", True),  # PHP's $ lets one final newline through
        ("192.168.1.7", "192.168.001.7", True),  # leading zeros in a single address
        ("1.2.3.4", "0.0.0.0/0", True),
        ("2001:db8::1", "2001:db8::/32", True),
        ("2001:db9::1", "2001:db8::/32", False),
        ("::1", "::/0", True),
        ("1.2.3.4", "::/0", False),  # v4 is never in a v6 range
        ("::1", "0.0.0.0/0", False),
        ("2001:DB8:0:0:0:0:0:5", "2001:db8::1 - 2001:db8::9", True),
        ("1.2.3.5", "1.2.3.9 - 1.2.3.1", False),  # reversed: empty
        ("foo", "1.2.3.9 - 1.2.3.1", True),  # ...but IPUtils' strcmp("", "") quirk
        ("foo", "1.2.3.0/24", False),
        ("1.2.3.4/24", "1.2.3.0/24", False),  # an address with a prefix is no address
    ],
)
def test_it_answers_as_ipUtils_does(ip: str, range_: str, expected: bool):
    assert ipranges.valid_range(range_)
    assert ipranges.ip_in_range(ip, range_) is expected


@pytest.mark.parametrize(
    "range_",
    ["1.2.3.0/33", "1.2.3", "1.2.3.4 -  1.2.3.5", "2001:db8::/129", "1.2.3.256", "::ffff:1.2.3.4",
     "1:2:3:4:5:6:7:8:9", "1::2::3", "", "foo", "1.2.3.4 - ::1"],
)  # fmt: skip
def test_invalid_ranges_are_refused(range_: str):
    assert not ipranges.valid_range(range_)


def test_ip_in_ranges_is_any():
    assert ipranges.ip_in_ranges("10.0.0.1", ["1.2.3.4", "10.0.0.0/30"])
    assert not ipranges.ip_in_ranges("10.0.0.9", ["1.2.3.4", "10.0.0.0/30"])
    assert not ipranges.ip_in_ranges("10.0.0.9", [])


def test_hex_forms_are_ipUtils():
    assert ipranges.to_hex("10.0.0.1") == "0A000001"
    assert ipranges.to_hex("2001:db8::1") == "v6-20010DB8000000000000000000000001"
    assert ipranges.to_hex("not an ip") == ""
