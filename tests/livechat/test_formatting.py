"""The message renderer: what each piece of syntax becomes, and what stays plain text."""

from __future__ import annotations

from typing import Any

import pytest

from livechat.formatting import EMOJI_SHORTCODES, Rendered, normalize_emoji, render, sanitize

REL = 'rel="nofollow noopener noreferrer"'
WALES = "\U0001f3f4\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"


def html_of(body: str) -> str:
    return render(body).html


def inner(body: str) -> str:
    """The HTML of a one-paragraph message, without the <p> wrapper."""
    out = html_of(body)
    assert out.startswith("<p>") and out.endswith("</p>"), out
    return out[len("<p>") : -len("</p>")]


# --- plain text and escaping ----------------------------------------------------------


def test_it_wraps_plain_text_in_a_paragraph() -> None:
    assert render("hello world") == Rendered(html="<p>hello world</p>", mentions=[])


def test_it_renders_nothing_for_an_empty_message() -> None:
    assert render("") == Rendered(html="", mentions=[])


def test_it_shows_html_tags_as_text() -> None:
    assert inner("how do I write <b>bold</b> or <ref>?") == (
        "how do I write &lt;b&gt;bold&lt;/b&gt; or &lt;ref&gt;?"
    )


def test_it_shows_a_script_tag_as_text() -> None:
    assert inner("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_it_escapes_ampersands_and_keeps_entities_literal() -> None:
    assert inner("Q&A: &lt; is <") == "Q&amp;A: &amp;lt; is &lt;"


def test_it_turns_a_newline_into_a_line_break() -> None:
    assert html_of("one\ntwo") == "<p>one<br>two</p>"


def test_it_turns_a_blank_line_into_a_new_paragraph() -> None:
    assert html_of("one\n\n\n  \ntwo\r\nthree") == "<p>one</p><p>two<br>three</p>"


def test_it_leaves_headings_and_unspaced_markers_as_text() -> None:
    # Lists are in tests/livechat/test_formatting_blocks.py; these are not lists.
    assert html_of("-one\n*two*\n== Heading ==\n#three") == (
        "<p>-one<br><em>two</em><br>== Heading ==<br>#three</p>"
    )


def test_it_drops_control_characters_and_lone_surrogates() -> None:
    assert inner("a\x00b\x1bc\x7fd\ud800e") == "abcd\ufffde"


# --- emphasis -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("**bold**", "<strong>bold</strong>"),
        ("__bold__", "<strong>bold</strong>"),
        ("'''bold'''", "<strong>bold</strong>"),
        ("*italic*", "<em>italic</em>"),
        ("_italic_", "<em>italic</em>"),
        ("''italic''", "<em>italic</em>"),
        ("'''''both'''''", "<em><strong>both</strong></em>"),
        ("***both***", "<em><strong>both</strong></em>"),
    ],
    ids=lambda value: value,
)
def test_it_renders_emphasis(body: str, expected: str) -> None:
    assert inner(body) == expected


def test_it_nests_markdown_emphasis() -> None:
    assert inner("*a **b** c*") == "<em>a <strong>b</strong> c</em>"


def test_it_nests_wikitext_quotes_the_way_mediawiki_does() -> None:
    assert inner("'''''bold italic''' just italic''") == (
        "<em><strong>bold italic</strong> just italic</em>"
    )
    assert inner("'''bold ''and italic'''''") == "<strong>bold <em>and italic</em></strong>"


def test_it_treats_four_apostrophes_as_one_plus_bold() -> None:
    assert inner("''''x'''") == "'<strong>x</strong>"


def test_it_leaves_single_apostrophes_alone() -> None:
    assert inner("don't 'quote' me") == "don't 'quote' me"


def test_it_leaves_underscores_inside_words_alone() -> None:
    assert inner("snake_case_name and __init__.py") == (
        "snake_case_name and <strong>init</strong>.py"
    )


def test_it_allows_asterisks_inside_words() -> None:
    assert inner("un*frigging*believable") == "un<em>frigging</em>believable"


def test_it_leaves_spaced_asterisks_alone() -> None:
    assert inner("2 * 3 * 4 and ** nothing **") == "2 * 3 * 4 and ** nothing **"


def test_it_leaves_unclosed_emphasis_as_text() -> None:
    assert inner("**open and ''open") == "**open and ''open"


def test_it_does_not_carry_emphasis_across_lines() -> None:
    assert inner("**one\ntwo**") == "**one<br>two**"


def test_it_never_crosses_tags() -> None:
    # The '''...''' pair is cut by the *...* pair closing first: it stays text.
    assert inner("*a '''b* c'''") == "<em>a '''b</em> c'''"


def test_it_honours_backslash_escapes() -> None:
    assert inner(r"\*not italic\* and \[[Not a link]] and \`x\`") == (
        "*not italic* and [[Not a link]] and `x`"
    )


def test_it_leaves_other_backslashes_alone() -> None:
    assert inner(r"C:\Users\me") == r"C:\Users\me"


# --- code -----------------------------------------------------------------------------


def test_it_renders_inline_code() -> None:
    assert inner("run `ls -la` now") == "run <code>ls -la</code> now"


def test_it_does_not_format_inside_code() -> None:
    assert inner("`**x** [[P]] @bob :smile: https://x.org <b>`") == (
        "<code>**x** [[P]] @bob :smile: https://x.org &lt;b&gt;</code>"
    )
    assert render("`@bob`").mentions == []


def test_it_matches_backtick_runs_of_equal_length() -> None:
    assert inner("`` a ` b ``") == "<code>a ` b</code>"


def test_it_leaves_an_unmatched_backtick_as_text() -> None:
    assert inner("a ` b `` c") == "a ` b `` c"


def test_it_renders_a_fenced_snippet_without_its_language_word() -> None:
    # At the start of a line it is a code block; inside a line, a code span.
    assert html_of("```python\nprint('x')\nx = 1\n```") == (
        "<pre><code>print('x')\nx = 1</code></pre>"
    )
    assert inner("see ```python\nprint('x')\nx = 1```") == ("see <code>print('x')<br>x = 1</code>")


# --- links ----------------------------------------------------------------------------


def test_it_renders_a_markdown_link() -> None:
    assert inner("see [the docs](https://example.org/docs?a=1&b=2)") == (
        'see <a href="https://example.org/docs?a=1&amp;b=2" class="external" '
        f'{REL} target="_blank">the docs</a>'
    )


def test_it_keeps_balanced_parentheses_in_a_link_target() -> None:
    out = inner("[Python](https://en.wikipedia.org/wiki/Python_(programming_language)).")
    assert 'href="https://en.wikipedia.org/wiki/Python_(programming_language)"' in out
    assert out.endswith("</a>.")


def test_it_formats_a_link_label() -> None:
    assert "><strong>bold</strong> label</a>" in inner("[**bold** label](https://x.org)")


def test_it_renders_a_mailto_link_without_a_new_tab() -> None:
    assert inner("[mail](mailto:help@example.org)") == (
        f'<a href="mailto:help@example.org" class="external" {REL}>mail</a>'
    )


@pytest.mark.parametrize(
    "body",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        "[x](/relative/path)",
        "[x](Help:Contents)",
        "[x]()",
    ],
)
def test_it_shows_a_link_with_a_refused_target_as_text(body: str) -> None:
    out = html_of(body)
    assert out.startswith("<p>[x](")
    assert "href" not in out


def test_it_needs_a_label_and_a_target_without_spaces_for_a_markdown_link() -> None:
    # What is left over may still hold a bare URL, which is linked on its own.
    assert inner("[](https://x.org)").startswith('[](<a href="https://x.org"')
    assert inner("[x](https://has space.org)").startswith('[x](<a href="https://has"')


def test_it_linkifies_bare_urls() -> None:
    assert inner("go to https://example.org/a_b now") == (
        f'go to <a href="https://example.org/a_b" class="external" {REL} target="_blank">'
        "https://example.org/a_b</a> now"
    )


@pytest.mark.parametrize(
    ("body", "url", "after"),
    [
        ("see https://example.org.", "https://example.org", "."),
        ("see https://example.org/x, then", "https://example.org/x", ", then"),
        ("(see https://example.org/x)", "https://example.org/x", ")"),
        ("see https://example.org/x_(y))", "https://example.org/x_(y)", ")"),
        ("really? https://example.org/?q=1!", "https://example.org/?q=1", "!"),
        ("'''https://example.org'''", "https://example.org", ""),
        ("<https://example.org>", "https://example.org", "&gt;"),
    ],
)
def test_it_keeps_trailing_punctuation_out_of_bare_urls(body: str, url: str, after: str) -> None:
    out = inner(body)
    assert f'href="{url}"' in out
    assert f">{url}</a>{after}" in out


def test_it_does_not_linkify_urls_glued_to_a_word_or_without_a_host() -> None:
    assert "<a" not in inner("xhttps://example.org and http:// and ftp://example.org")


# --- wiki links -----------------------------------------------------------------------


def test_it_renders_a_wiki_link(settings: Any) -> None:
    settings.LIVECHAT_WIKI_URL = "https://wiki.example.org/wiki/"
    assert inner("read [[Help:Editing pages]]") == (
        'read <a href="https://wiki.example.org/wiki/Help:Editing_pages" class="wikilink" '
        f'title="Help:Editing pages" {REL} target="_blank">Help:Editing pages</a>'
    )


def test_it_renders_a_wiki_link_with_a_label(settings: Any) -> None:
    settings.LIVECHAT_WIKI_URL = "https://wiki.example.org/wiki/"
    out = inner("[[Main Page|the front page]]")
    assert 'href="https://wiki.example.org/wiki/Main_Page"' in out
    assert out.endswith(">the front page</a>")


def test_it_percent_encodes_wiki_titles(settings: Any) -> None:
    settings.LIVECHAT_WIKI_URL = "https://wiki.example.org/wiki/"
    out = inner('[[Café & "Bar"/Sub page?x=1#Early history]]')
    assert (
        'href="https://wiki.example.org/wiki/Caf%C3%A9_%26_%22Bar%22/Sub_page%3Fx%3D1'
        '#Early_history"'
    ) in out


def test_it_normalizes_wiki_title_spacing(settings: Any) -> None:
    settings.LIVECHAT_WIKI_URL = "/wiki/"
    assert 'href="/wiki/Foo_bar_baz"' in inner("[[ Foo_bar   baz ]]")
    assert 'href="/wiki/Category:Cats"' in inner("[[:Category:Cats]]")


@pytest.mark.parametrize(
    "body",
    ["[[]]", "[[ | label]]", "[[a<b]]", "[[a{b}]]", "[[../../etc]]", "[[a/./b]]", "[[a\nb]]"],
    ids=repr,
)
def test_it_leaves_invalid_wiki_titles_as_text(body: str) -> None:
    assert "<a" not in html_of(body)


def test_it_refuses_a_wiki_link_that_would_leave_the_wiki(settings: Any) -> None:
    settings.LIVECHAT_WIKI_URL = ""
    assert "<a" not in html_of("[[//evil.example/x]] [[javascript:alert(1)]]")


def test_it_does_not_nest_links_or_mentions_in_a_label() -> None:
    out = inner("[[Page|see https://x.org and @bob]]")
    assert out.count("<a") == 1
    assert "mention" not in out
    assert render("[[Page|@bob]]").mentions == []


def test_it_leaves_stray_brackets_as_text() -> None:
    assert inner("[[[[ ]] [a] [b] (c) [[x") == "[[[[ ]] [a] [b] (c) [[x"


# --- mentions -------------------------------------------------------------------------


def test_it_renders_a_mention() -> None:
    assert render("hi @Alice!") == Rendered(
        html=(
            '<p>hi <a class="mention" href="https://en.wikipedia.org/wiki/User:Alice" '
            'data-user="Alice" rel="nofollow noopener noreferrer" target="_blank">@Alice</a>!</p>'
        ),
        mentions=["Alice"],
    )


def test_it_extracts_mentions_canonical_deduplicated_in_order() -> None:
    # Names come out as the wiki writes them: first letter capital, "_" a space.
    body = "@bob and @Alice, then @Bob again, and (@carol.d-e_f) @Alice."
    assert render(body).mentions == ["Bob", "Alice", "Carol.d-e f"]


def test_it_renders_a_name_with_spaces_in_either_form() -> None:
    for body in ["@John_Smith, hi", "@[John Smith], hi", "@[John_Smith], hi"]:
        rendered = render(body)
        assert rendered.mentions == ["John Smith"], body
        html = rendered.html
        assert html.startswith(
            '<p><a class="mention" href="https://en.wikipedia.org/wiki/User:John_Smith"'
        ), body
        assert html.endswith(">@John Smith</a>, hi</p>"), body


def test_it_renders_names_of_any_script_and_bracketed_punctuation() -> None:
    rendered = render("@Zoë @Иван @O'Brien and @[Bob (WMF)]? @हिन्दी")
    assert rendered.mentions == ["Zoë", "Иван", "O'Brien", "Bob (WMF)", "हिन्दी"]
    assert 'href="https://en.wikipedia.org/wiki/User:Bob_%28WMF%29"' in rendered.html
    assert ">@Bob (WMF)</a>?" in rendered.html
    assert 'href="https://en.wikipedia.org/wiki/User:%D0%98%D0%B2%D0%B0%D0%BD"' in rendered.html


def test_it_leaves_brackets_that_hold_no_legal_name_as_text() -> None:
    for body in ["@[a#b]", "@[]", "@[ ]", "@[no end", "@[a\nb]", "@[[Page]]"]:
        assert render(body).mentions == [], body
    assert "wikilink" in render("@[[Page]]").html


def test_it_ends_a_short_mention_before_wikitext_italics_and_joiners() -> None:
    assert render("@Bob''s'' @Ann- @Cy_ @Di'").mentions == ["Bob", "Ann", "Cy", "Di"]


def test_it_does_not_take_emails_for_mentions() -> None:
    rendered = render("mail bob@example.org or me@x.y")
    assert rendered.mentions == []
    assert "mention" not in rendered.html


def test_it_keeps_a_sentence_full_stop_out_of_a_mention() -> None:
    assert render("thanks @j.smith.").mentions == ["J.smith"]


def test_it_finds_mentions_inside_emphasis() -> None:
    rendered = render("**@bob** ''@carol''")
    assert rendered.mentions == ["Bob", "Carol"]
    bob = '<strong><a class="mention" href="https://en.wikipedia.org/wiki/User:Bob"'
    assert bob in rendered.html


def test_it_ignores_a_bare_at_sign_and_overlong_names() -> None:
    assert render("@ and @@ and @" + "x" * 151).mentions == []
    assert render("@" + "x" * 150).mentions == ["X" + "x" * 149]
    assert render("@[" + "x" * 151 + "]").mentions == []


# --- emoji shortcodes -----------------------------------------------------------------


def test_it_replaces_known_shortcodes() -> None:
    assert inner(":thumbsup: :+1: :-1: :tada: :heart:") == "👍 👍 👎 🎉 ❤️"


def test_it_leaves_unknown_shortcodes_as_text() -> None:
    assert inner(":not_an_emoji: :Smile:") == ":not_an_emoji: :Smile:"


def test_it_does_not_see_shortcodes_inside_words_or_times() -> None:
    assert inner("a:x:b at 10:30:00") == "a:x:b at 10:30:00"


def test_it_ships_a_curated_shortcode_table() -> None:
    assert 120 <= len(EMOJI_SHORTCODES) <= 250
    for name in ["smile", "grin", "joy", "wink", "heart", "thumbsup", "+1", "thumbsdown", "-1"]:
        assert name in EMOJI_SHORTCODES
    for name in ["tada", "thinking", "wave", "pray", "fire", "rocket", "eyes", "check"]:
        assert name in EMOJI_SHORTCODES
    for name in ["white_check_mark", "x", "warning", "question", "bulb", "book"]:
        assert name in EMOJI_SHORTCODES
    for name, emoji in EMOJI_SHORTCODES.items():
        assert normalize_emoji(emoji) == emoji, name
        assert normalize_emoji(f":{name}:") == emoji, name


# --- normalize_emoji (reactions) ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (":thumbsup:", "👍"),
        (":+1:", "👍"),
        ("👍", "👍"),
        (" 👍 ", "👍"),
        ("❤️", "❤️"),
        ("❤", "❤️"),  # without VS16: the same reaction as with it
        ("👍🏽", "👍🏽"),
        ("🇫🇷", "🇫🇷"),
        ("👩\u200d💻", "👩\u200d💻"),
        ("🏳️\u200d🌈", "🏳️\u200d🌈"),
        ("1️⃣", "1️⃣"),
        ("#\ufe0f\u20e3", "#\ufe0f\u20e3"),
        (WALES, WALES),
    ],
    ids=repr,
)
def test_it_normalizes_reaction_emoji(value: str, expected: str) -> None:
    assert normalize_emoji(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "<b>",
        "",
        "   ",
        ":nope:",
        "::",
        "1",
        "👍" * 40,
        "👍👍",
        "🇫",
        "👩\u200d",
        "\u200d👩",
        "👍\u200b",
        "❤\ufe0e",
    ],
    ids=repr,
)
def test_it_rejects_anything_but_one_emoji(value: str) -> None:
    assert normalize_emoji(value) is None


# --- sanitize -------------------------------------------------------------------------


def test_it_sanitizes_disallowed_markup_to_text() -> None:
    assert sanitize('<img src=x onerror="alert(1)"><b>b</b>') == (
        '&lt;img src=x onerror="alert(1)"&gt;&lt;b&gt;b&lt;/b&gt;'
    )


def test_it_sanitizes_dangerous_attributes_and_urls() -> None:
    out = sanitize(
        '<a href="javascript:alert(1)" onclick="x()" style="color:red" class="evil">a</a>'
        '<a href="jav&#x09;ascript:alert(1)">b</a><a href="https://ok.org" target="_top">c</a>'
        '<span class="mention" data-user="a b" title="t">d</span>'
    )
    assert out == (
        f'<a {REL}>a</a><a {REL}>b</a><a href="https://ok.org" target="_blank" {REL}>c</a>'
        '<span class="mention">d</span>'
    )


def test_it_sanitizes_idempotently() -> None:
    for body in [
        "**a** ''b'' `c` [d](https://e.org?x=1&y=2) [[F g|h]] @i :smile: <j> & \"k\"",
        "line\nbreak\n\npara",
    ]:
        out = render(body).html
        assert sanitize(out) == out
        assert sanitize(sanitize(out)) == sanitize(out)


# --- limits against hostile input -----------------------------------------------------


def test_it_renders_at_most_200_elements_and_leaves_the_rest_as_text() -> None:
    rendered = render(" ".join(f"@u{i}" for i in range(250)))
    assert rendered.mentions == [f"U{i}" for i in range(200)]
    assert rendered.html.count('class="mention"') == 200
    assert rendered.html.endswith("@u248 @u249</p>")


def test_it_caps_emphasis_nesting() -> None:
    out = inner("**a " * 30 + "b** " * 30)
    assert out.count("<strong>") == out.count("</strong>") == 16


def test_it_leaves_long_delimiter_runs_as_text() -> None:
    assert inner("****a****") == "****a****"
