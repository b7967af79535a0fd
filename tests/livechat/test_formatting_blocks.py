"""Quotes, code blocks, lists and strikethrough: what each becomes, and what stays text."""

from __future__ import annotations

import pytest

from livechat.formatting import render, sanitize


def html_of(body: str) -> str:
    return render(body).html


# --- quotes ---------------------------------------------------------------------------


def test_it_renders_a_quote() -> None:
    assert html_of("> quoted text") == "<blockquote><p>quoted text</p></blockquote>"


def test_it_joins_quote_lines_and_keeps_their_breaks() -> None:
    assert html_of("> one\n>two\n> \n> three") == (
        "<blockquote><p>one<br>two</p><p>three</p></blockquote>"
    )


def test_it_ends_a_quote_at_the_first_line_without_a_marker() -> None:
    assert html_of("said:\n> yes\nand then") == (
        "<p>said:</p><blockquote><p>yes</p></blockquote><p>and then</p>"
    )


def test_it_nests_quotes() -> None:
    assert html_of(">> inner\n> outer") == (
        "<blockquote><blockquote><p>inner</p></blockquote><p>outer</p></blockquote>"
    )


def test_it_leaves_quote_markers_past_eight_levels_as_text() -> None:
    out = html_of(">" * 12 + " deep")
    assert out.count("<blockquote>") == 8
    assert "&gt;&gt;&gt;&gt; deep" in out


def test_it_keeps_a_greater_than_inside_a_line_as_text() -> None:
    assert html_of("2 > 1") == "<p>2 &gt; 1</p>"


def test_it_formats_inside_a_quote() -> None:
    rendered = render("> **Note** ~~old~~ @Bob :smile: [[Help:Contents]] https://x.org/")
    assert rendered.mentions == ["Bob"]
    out = rendered.html
    assert out.startswith("<blockquote><p><strong>Note</strong> <del>old</del> ")
    assert 'class="mention"' in out and "😄" in out
    assert 'class="wikilink"' in out and 'href="https://x.org/"' in out


# --- code blocks ------------------------------------------------------------------------


def test_it_renders_a_code_block_keeping_spaces_and_lines() -> None:
    assert html_of("```\ndef f():\n    return  1\n\n\nf()\n```") == (
        "<pre><code>def f():\n    return  1\n\n\nf()</code></pre>"
    )


def test_it_drops_a_language_word_but_keeps_other_text_after_the_fence() -> None:
    assert html_of("```python\nx = 1\n```") == "<pre><code>x = 1</code></pre>"
    assert html_of("```not a language\nx\n```") == ("<pre><code>not a language\nx</code></pre>")


def test_it_does_not_format_inside_a_code_block() -> None:
    body = "```\n**b** ~~s~~ @Bob :smile: [[P]] https://x.org/ <b>&amp;\n> - # 1.\n```"
    rendered = render(body)
    assert rendered.mentions == []
    assert rendered.html == (
        "<pre><code>**b** ~~s~~ @Bob :smile: [[P]] https://x.org/ &lt;b&gt;&amp;amp;\n"
        "&gt; - # 1.</code></pre>"
    )


def test_it_closes_a_fence_only_with_one_at_least_as_long() -> None:
    assert html_of("````\n```\n````\nafter") == "<pre><code>```</code></pre><p>after</p>"


def test_it_runs_an_unclosed_fence_to_the_end_of_the_message() -> None:
    assert html_of("text\n```\ncode\n\nmore") == ("<p>text</p><pre><code>code\n\nmore</code></pre>")


def test_it_keeps_backticks_on_one_line_inline() -> None:
    assert html_of("```code```") == "<p><code>code</code></p>"


def test_it_renders_a_fence_inside_a_quote_and_ends_it_with_the_quote() -> None:
    assert html_of("> ```\n> a  *b*\n> ```\n> said") == (
        "<blockquote><pre><code>a  *b*</code></pre><p>said</p></blockquote>"
    )
    assert html_of("> ```\n> open\nout") == (
        "<blockquote><pre><code>open</code></pre></blockquote><p>out</p>"
    )


# --- lists ------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["-", "*"])
def test_it_renders_a_bulleted_list(marker: str) -> None:
    assert html_of(f"{marker} one\n{marker} ''two''") == (
        "<ul><li>one</li><li><em>two</em></li></ul>"
    )


@pytest.mark.parametrize("markers", [("1.", "2."), ("#", "#"), ("1)", "1)"), ("1.", "#")])
def test_it_renders_a_numbered_list(markers: tuple[str, str]) -> None:
    first, second = markers
    assert html_of(f"{first} one\n{second} two") == "<ol><li>one</li><li>two</li></ol>"


def test_it_renders_a_list_after_text_and_text_after_a_list() -> None:
    assert html_of("Steps:\n# open\n# save\nDone.") == (
        "<p>Steps:</p><ol><li>open</li><li>save</li></ol><p>Done.</p>"
    )


def test_it_takes_a_hash_with_a_space_for_an_item_and_a_hashtag_for_text() -> None:
    assert html_of("#hashtag") == "<p>#hashtag</p>"
    assert html_of("# item") == "<ol><li>item</li></ol>"
    assert html_of("#") == "<p>#</p>"


def test_it_starts_a_numbered_list_only_at_one() -> None:
    assert html_of("2018. A year to remember") == "<p>2018. A year to remember</p>"
    assert html_of("1. a\n5. b") == "<ol><li>a</li><li>b</li></ol>"


def test_it_needs_text_after_a_marker() -> None:
    assert html_of("-\n- \n-x") == "<p>-<br>- <br>-x</p>"


def test_it_continues_an_item_with_an_indented_line() -> None:
    assert html_of("- one\n  still one\n- two") == (
        "<ul><li>one<br>still one</li><li>two</li></ul>"
    )


def test_it_starts_a_new_list_when_the_kind_changes() -> None:
    assert html_of("- a\n1. b") == "<ul><li>a</li></ul><ol><li>b</li></ol>"


def test_it_ends_a_list_at_a_blank_line() -> None:
    assert html_of("- a\n\n- b") == "<ul><li>a</li></ul><ul><li>b</li></ul>"


def test_it_formats_inside_list_items() -> None:
    rendered = render("* see [[Help:Contents|help]] and @Alice\n* `code` :+1:")
    assert rendered.mentions == ["Alice"]
    assert rendered.html.startswith("<ul><li>see <a ")
    assert "<li><code>code</code> 👍</li></ul>" in rendered.html


def test_it_renders_lists_inside_quotes() -> None:
    assert html_of("> - a\n> - b") == ("<blockquote><ul><li>a</li><li>b</li></ul></blockquote>")


def test_it_keeps_bold_at_a_line_start_as_bold() -> None:
    assert html_of("**bold** start") == "<p><strong>bold</strong> start</p>"


# --- strikethrough ----------------------------------------------------------------------


def test_it_renders_strikethrough() -> None:
    assert html_of("~~gone~~ here") == "<p><del>gone</del> here</p>"


def test_it_leaves_single_and_triple_tildes_as_text() -> None:
    assert html_of("~a~ ~~~b~~~ ~ c") == "<p>~a~ ~~~b~~~ ~ c</p>"


def test_it_leaves_spaced_or_unclosed_tildes_as_text() -> None:
    assert html_of("~~ a ~~ and ~~open") == "<p>~~ a ~~ and ~~open</p>"


def test_it_nests_strikethrough_with_emphasis_without_crossing() -> None:
    assert html_of("~~a **b** c~~") == "<p><del>a <strong>b</strong> c</del></p>"
    assert html_of("~~a **b~~ c**") == "<p><del>a **b</del> c**</p>"


def test_it_does_not_strike_across_lines() -> None:
    assert html_of("~~a\nb~~") == "<p>~~a<br>b~~</p>"


# --- safety -----------------------------------------------------------------------------


def test_it_escapes_markup_in_every_block() -> None:
    for body in ["> <b>x", "```\n<b>x\n```", "- <b>x", "# <b>x", "~~<b>x~~"]:
        assert "&lt;b&gt;x" in html_of(body), body


def test_its_output_passes_the_sanitizer_unchanged() -> None:
    body = "> quote\n>> deeper\n```\ncode\n```\n- a\n# b\n~~c~~"
    out = html_of(body)
    assert sanitize(out) == out


def test_it_lets_no_attribute_onto_the_new_tags() -> None:
    out = sanitize('<pre class="x"><code class="language-js">a</code></pre><ol start="3">')
    assert out == "<pre><code>a</code></pre><ol></ol>"


# --- sending and editing ----------------------------------------------------------------


@pytest.mark.django_db
def test_it_renders_blocks_when_sent_and_again_when_edited(alice: object, room: object) -> None:
    from livechat import actions

    message = actions.send_message(user=alice, room=room, body="- one\n- two").message
    assert message.html == "<ul><li>one</li><li>two</li></ul>"
    change = actions.edit_message(
        user=alice, message_id=message.pk, body="> quoted\n```\n*code*\n```", base_revision=1
    )
    message.refresh_from_db()
    expected = "<blockquote><p>quoted</p></blockquote><pre><code>*code*</code></pre>"
    assert message.html == expected
    assert change.payload["html"] == expected


def test_it_renders_at_most_200_blocks_and_leaves_the_rest_as_text() -> None:
    out = html_of("- a\n1. b\n" * 150)
    assert out.count("<ul>") + out.count("<ol>") == 200
    # The 100 lines past the budget: one paragraph of text.
    assert out.endswith("</ol><p>- a<br>1. b" + "<br>- a<br>1. b" * 49 + "</p>")
