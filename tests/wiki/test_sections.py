"""wiki.sections without a wiki: sections as MediaWiki numbers them, what an edit added to
a section, signatures stripped, chat text made inert."""

from __future__ import annotations

from wiki import sections

PAGE = """Intro text.
== First ==
<!-- livechat:question:1 -->
Question one.
=== Sub ===
More.
== Second <!-- a comment --> ==
<nowiki>== not a heading ==</nowiki>
<!--
== nor this ==
-->
Body.
"""


def test_it_numbers_sections_as_the_wiki_does_and_skips_headings_in_comments_and_nowiki():
    found = sections.sections(PAGE)
    assert [(s.index, s.level, s.heading) for s in found] == [
        (1, 2, "First"),
        (2, 3, "Sub"),
        (3, 2, "Second <!-- a comment -->"),
    ]
    first = found[0].text(PAGE)
    assert first.startswith("== First ==") and "More." in first and "Second" not in first


def test_it_finds_the_section_holding_a_marker_subsections_included():
    found = sections.section_with(PAGE, "<!-- livechat:question:1 -->")
    assert found is not None and found.heading == "First" and found.index == 1
    assert sections.section_with(PAGE, "<!-- livechat:question:2 -->") is None


def test_it_takes_inserted_lines_and_words_added_at_a_lines_end():
    old = "== Q ==\nmarker\n: question\n"
    new = "== Q ==\nmarker\n: question\n:: Try the sandbox. ~~~~\n"
    assert sections.added_lines(old, new) == [":: Try the sandbox. ~~~~"]
    grown = "== Q ==\nmarker\n: question Thanks, that helped.\n"
    assert sections.added_lines(old, grown) == [" Thanks, that helped."]


def test_it_ignores_a_correction_of_an_existing_line():
    old = "== Q ==\n: How do I cite a book on this wiki?\n"
    new = "== Q ==\n: How do I cite a book on the wiki?\n"
    assert sections.added_lines(old, new) == []


def test_it_strips_a_standard_signature_and_its_variants():
    signed = (
        "Use the sandbox. [[User:Mentor|Mentor]] ([[User talk:Mentor|talk]]) "
        "12:00, 5 December 2026 (UTC)"
    )
    assert sections.strip_signature(signed) == "Use the sandbox."
    assert sections.strip_signature("Yes (see above) -- [[User:X|X]] 09:05, 1 May 2026 (UTC)") == (
        "Yes (see above)"
    )
    # A custom signature: any links before the timestamp.
    assert (
        sections.strip_signature(
            "Done. [[User:X|<b>X</b>]] · [[Special:Contributions/X|c]] 09:05, 1 May 2026 (CET)"
        )
        == "Done."
    )
    # ~~~ (no timestamp): only links to user pages go.
    assert sections.strip_signature("See the guide. [[User:X|X]]") == "See the guide."
    assert sections.strip_signature("See [[Help:Editing]]") == "See [[Help:Editing]]"
    assert sections.strip_signature("Nothing to strip (really)") == "Nothing to strip (really)"


def test_it_makes_a_reply_plain_text():
    lines = [
        ":: {{re|Newcomer}} Read [[Help:Referencing|the referencing guide]], "
        "'''then''' [[Help:Cite]] or [https://example.org the site]. "
        "[[User:Mentor|Mentor]] ([[User talk:Mentor|talk]]) 12:00, 5 December 2026 (UTC)",
        "<!-- hidden -->",
    ]
    assert sections.reply_text(lines) == (
        "Read the referencing guide, then Help:Cite or the site (https://example.org)."
    )
    assert sections.reply_text(["", "::", "<!-- x -->"]) == ""


def test_it_makes_chat_text_inert_wikitext():
    text = "{{delete}} [[Main Page]] ~~~~ <b>x</b> & </nowiki>\n== heading ==\n* item"
    assert sections.nowiki(text) == (
        "<nowiki>{{delete}} [[Main Page]] ~~~~ &lt;b&gt;x&lt;/b&gt; &amp; &lt;/nowiki&gt;"
        "</nowiki><br /><nowiki>== heading ==</nowiki><br /><nowiki>* item</nowiki>"
    )
    # The markup inside is masked: no heading comes out of it.
    assert sections.sections(sections.nowiki("== x ==\n== y ==")) == []


def test_it_makes_a_plain_heading():
    assert sections.heading_text("How do I [[cite]] {{a}} book?\nThanks") == (
        "How do I cite a book? Thanks"
    )
    assert len(sections.heading_text("word " * 50)) <= 80
