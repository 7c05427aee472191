"""Chapter bodies render with the course's Markdown extensions and special blocks."""

from __future__ import annotations

from course import QUIZ_MARKER, TocEntry, load_course, pygments_css
from course.render import render_markdown

FENCE = "```"


def render(body: str) -> str:
    return render_markdown(body, {}).html


def test_python_code_is_highlighted_with_pygments_classes():
    html = render(f"{FENCE}python\ndef answer():\n    return 42\n{FENCE}\n")
    assert '<div class="highlight">' in html
    assert '<span class="k">def</span>' in html
    assert "style=" not in html


def test_pygments_stylesheet_targets_the_highlight_class():
    css = pygments_css()
    assert ".highlight .k " in css
    assert "color:" in css.replace(" ", "")


def test_admonition_renders_with_title():
    html = render('!!! warning "Mind the gap"\n    Stale reads ahead.\n')
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Mind the gap</p>' in html
    assert "<p>Stale reads ahead.</p>" in html


def test_table_renders():
    html = render("| pattern | writes |\n|---|---|\n| cache-aside | app |\n")
    assert "<table>" in html
    assert "<th>pattern</th>" in html
    assert "<td>cache-aside</td>" in html


def test_headings_get_anchors_permalinks_and_toc_for_h2_h3_only():
    rendered = render_markdown("## Why cache\n\n### Hit ratio math\n\n#### Footnote-level\n", {})
    assert '<h2 id="why-cache">' in rendered.html
    assert 'class="headerlink" href="#why-cache"' in rendered.html
    assert 'class="headerlink" href="#hit-ratio-math"' in rendered.html
    assert '<h4 id="footnote-level">Footnote-level</h4>' in rendered.html
    assert rendered.toc == [
        TocEntry(2, "why-cache", "Why cache"),
        TocEntry(3, "hit-ratio-math", "Hit ratio math"),
    ]


def test_mermaid_block_becomes_escaped_pre_not_highlighted():
    html = render(f"{FENCE}mermaid\ngraph LR\n  A -->|<b>| B\n{FENCE}\n")
    assert '<pre class="mermaid">graph LR\n  A --&gt;|&lt;b&gt;| B</pre>' in html
    assert "highlight" not in html


def test_quiz_block_becomes_marker_without_answer_key(content_dir, write_chapter):
    body = (
        "## Self-check\n\nBefore.\n\n"
        f"{FENCE}quiz\n"
        "- question: Which is secret?\n"
        "  choices: [Visible, Hidden-answer-text]\n"
        "  answer: 2\n"
        "  explanation: Only the server knows.\n"
        f"{FENCE}\n\nAfter.\n"
    )
    write_chapter("01-intro.md", body)
    chapter = load_course(content_dir).chapters[0]
    html = chapter.html
    assert html.count(QUIZ_MARKER) == 1
    assert html.index("Before.") < html.index(QUIZ_MARKER) < html.index("After.")
    for secret in ("Hidden-answer-text", "answer:", "Only the server knows"):
        assert secret not in html


def test_footnotes_definition_lists_and_raw_html_pass_through():
    html = render('Claim[^1].\n\n[^1]: Source.\n\nTerm\n:   Definition\n\n<svg id="d"></svg>\n')
    assert 'class="footnote"' in html
    assert "<dl>" in html
    assert '<svg id="d"></svg>' in html


def test_word_count_excludes_code_and_quiz(content_dir, write_chapter):
    body = (
        "## Two words\n\nfour more words here\n\n"
        f"{FENCE}python\nnot counted at all\n{FENCE}\n\n"
        f"{FENCE}quiz\n- question: q\n  choices: [a, b]\n  answer: 1\n  explanation: e\n{FENCE}\n"
    )
    write_chapter("01-intro.md", body)
    assert load_course(content_dir).chapters[0].word_count == 2 + 4
