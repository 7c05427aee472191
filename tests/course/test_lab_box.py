"""The ```lab block: parsed, rendered as the "What you will build" box, validated with file:line."""

from __future__ import annotations

from course import TocEntry, load_course

FENCE = "```"
LABS = {
    "toy": {
        "health_answers": "The service answers its health check",
        "create_returns_201": "Creating an item answers 201 with its id",
        "item_read_back": "A created item can be read back",
    }
}
ROWS = """- section: health
  build: A `/healthz` endpoint
  checks: [health_answers]
- section: creating-items
  build: POST /items that stores an item
  checks: [create_returns_201, item_read_back]
"""
SECTIONS = "## Health\n\nAnswer 200.\n\n## Creating items\n\nStore it.\n"


def body(rows: str = ROWS, before: str = "", after: str = SECTIONS) -> str:
    """With `lab:` set: the intro on line 10 of a write_chapter file, fence on 12, row 1 on 13."""
    return f"An introduction.\n\n{before}{FENCE}lab\n{rows}{FENCE}\n\n{after}"


def test_box_renders_where_it_stands_linking_lab_sections_and_check_titles(
    content_dir, write_chapter
):
    write_chapter("01-intro.md", body(), lab="toy")
    course = load_course(content_dir, LABS)
    assert course.problems == []
    html = course.chapters[0].html
    assert html.index("An introduction.") < html.index('class="lab-box"') < html.index(
        '<h2 id="health"'
    )
    assert '<h2 id="what-you-will-build">What you will build</h2>' in html
    assert 'href="/labs/toy"' in html
    assert '<a href="#health">Health</a>' in html
    assert '<a href="#creating-items">Creating items</a>' in html
    assert "A <code>/healthz</code> endpoint" in html
    assert "<li>Creating an item answers 201 with its id</li>" in html
    assert "item_read_back" not in html
    assert FENCE not in html and "checks:" not in html
    assert course.chapters[0].toc[0] == TocEntry(2, "what-you-will-build", "What you will build")


def test_without_lab_data_the_box_names_check_ids_and_skips_their_validation(
    content_dir, write_chapter
):
    extra_row = "- section: health\n  build: x\n  checks: [made_up]\n"
    write_chapter("01-intro.md", body(ROWS + extra_row), lab="toy")
    course = load_course(content_dir)
    assert course.problems == []
    assert "<li><code>made_up</code></li>" in course.chapters[0].html


def test_unknown_section_is_reported_on_its_row(write_chapter, problem_lines):
    write_chapter("01-intro.md", body(ROWS.replace("section: health", "section: helth")),
                  lab="toy")
    assert problem_lines(LABS) == [
        "content/01-intro.md:13: lab block: no section 'helth' in this chapter "
        "(did you mean 'health'?)"
    ]


def test_unknown_check_is_reported_on_its_line(write_chapter, problem_lines):
    rows = ROWS.replace("checks: [create_returns_201, item_read_back]",
                        "checks:\n    - create_returns_201\n    - item_read_bak")
    write_chapter("01-intro.md", body(rows), lab="toy")
    assert problem_lines(LABS) == [
        "content/01-intro.md:12: lab block: checks of lab 'toy' in no row: item_read_back",
        "content/01-intro.md:20: lab block: lab 'toy' has no check 'item_read_bak' "
        "(did you mean 'item_read_back'?)",
    ]


def test_a_check_of_the_lab_in_no_row_is_reported_on_the_block(write_chapter, problem_lines):
    write_chapter("01-intro.md", body(ROWS.replace(", item_read_back", "")), lab="toy")
    assert problem_lines(LABS) == [
        "content/01-intro.md:12: lab block: checks of lab 'toy' in no row: item_read_back"
    ]


def test_a_lab_block_needs_the_chapters_lab(write_chapter, problem_lines):
    write_chapter("01-intro.md", body())  # no lab: one line less of front matter
    assert problem_lines(LABS) == [
        "content/01-intro.md:11: a lab block needs the chapter's lab: set its front matter "
        "'lab' to the lab's id"
    ]


def test_at_most_one_lab_block_per_lab_and_only_the_first_renders(content_dir, write_chapter):
    second = f"{FENCE}lab toy\n{ROWS}{FENCE}\n\n"  # naming the chapter's lab: the same lab
    write_chapter("01-intro.md", body(after=second + SECTIONS), lab="toy")
    course = load_course(content_dir, LABS)
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:21: a chapter has at most one lab block per lab (line 12 maps "
        "lab 'toy')"
    ]
    assert course.chapters[0].html.count('class="lab-box"') == 1


EXTRA = {"limiter": {"limit_holds": "Over the limit: 429", "refills": "Tokens come back"}}
EXTRA_ROWS = """- section: health
  build: A limit on `/healthz` too
  checks: [limit_holds]
- section: creating-items
  build: Buckets that *refill*
  checks: [refills]
"""


def two_boxes(extra_rows: str = EXTRA_ROWS, fence: str = "lab limiter") -> str:
    return body(after=f"{FENCE}{fence}\n{extra_rows}{FENCE}\n\n{SECTIONS}")


def test_an_extra_lab_gets_its_own_box_after_the_main_one(content_dir, write_chapter):
    write_chapter("01-intro.md", two_boxes(), lab="toy", extra_labs=["limiter"])
    course = load_course(content_dir, {**LABS, **EXTRA})
    assert course.problems == []
    html = course.chapters[0].html
    main = html.index('<h2 id="what-you-will-build">What you will build</h2>')
    extra = html.index('<h2 id="what-you-will-build-limiter">What you will build in the '
                       'limiter lab</h2>')
    assert main < extra < html.index('<h2 id="health"')
    box = html[extra:html.index("</aside>", extra)]
    assert 'In <a href="/labs/limiter">the limiter lab</a> you build' in box
    assert '<a class="button" href="/labs/limiter">Open the lab</a>' in box
    assert '<a href="#creating-items">Creating items</a>' in box
    assert "Buckets that <em>refill</em>" in box
    assert "<li>Tokens come back</li>" in box and "Creating an item" not in box
    assert course.chapters[0].toc[:3] == [
        TocEntry(2, "what-you-will-build", "What you will build"),
        TocEntry(2, "what-you-will-build-limiter", "What you will build in the limiter lab"),
        TocEntry(2, "health", "Health")]


def test_an_extra_labs_box_is_validated_against_that_labs_checks(write_chapter, problem_lines):
    path = write_chapter("01-intro.md", two_boxes(EXTRA_ROWS.replace("[refills]", "[refils]")),
                         lab="toy", extra_labs=["limiter"])
    lines = path.read_text().split("\n")
    fence = lines.index(f"{FENCE}lab limiter") + 1
    assert problem_lines({**LABS, **EXTRA}) == [
        f"content/01-intro.md:{fence}: lab block: checks of lab 'limiter' in no row: refills",
        f"content/01-intro.md:{fence + 6}: lab block: lab 'limiter' has no check 'refils' "
        "(did you mean 'refills'?)",
    ]


def test_an_extra_lab_needs_its_box_and_a_box_needs_its_lab_linked(write_chapter,
                                                                   problem_lines):
    path = write_chapter("01-intro.md", body(), lab="toy", extra_labs=["limiter"])
    extra_labs = path.read_text().split("\n").index("extra_labs:") + 1
    write_chapter("02-next.md", two_boxes(fence="lab stranger"), lab="toy")
    assert problem_lines({**LABS, **EXTRA}) == [
        f"content/01-intro.md:{extra_labs}: chapter links lab 'limiter' but has no ```lab "
        "limiter block (the \"What you will build\" box mapping this chapter's sections to "
        "the lab's checks)",
        "content/02-next.md:21: lab block for 'stranger': the chapter does not link that lab "
        "(add it to the front matter's extra_labs)",
    ]


def test_the_block_stands_before_the_first_section(write_chapter, problem_lines):
    write_chapter("01-intro.md", body(before="## Early\n\nText.\n\n"), lab="toy")
    assert problem_lines(LABS) == [
        "content/01-intro.md:16: the lab block belongs right after the introduction, before "
        "the first '## ' section (line 12)"
    ]


def test_row_shape_errors_name_the_row_and_leave_the_box_out(
    content_dir, write_chapter
):
    rows = ("- section: health\n  bild: x\n  checks: [health_answers]\n"
            "- section: creating-items\n  build: y\n  checks: []\n")
    write_chapter("01-intro.md", body(rows), lab="toy")
    course = load_course(content_dir, LABS)
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:13: lab block row 1: unknown key 'bild' (did you mean 'build'?)",
        "content/01-intro.md:13: lab block row 1: missing 'build'",
        "content/01-intro.md:16: lab block row 2: checks must be a non-empty list of check "
        "ids, e.g. [create_returns_201]",
    ]
    assert 'class="lab-box"' not in course.chapters[0].html


def test_malformed_yaml_and_a_non_list_are_reported(write_chapter, problem_lines):
    write_chapter("01-intro.md", body("- section: [health\n"), lab="toy")
    write_chapter("02-next.md", body("section: health\n"), lab="toy")
    lines = problem_lines(LABS)
    assert lines[0].startswith("content/01-intro.md:14: lab block: malformed YAML")
    assert lines[1:] == [
        "content/02-next.md:12: lab block: expected a list of rows with section, build and checks"
    ]


def test_a_chapter_linking_a_lab_with_checks_must_have_the_box(write_chapter, problem_lines):
    write_chapter("01-intro.md", lab="toy")
    write_chapter("02-next.md", lab="checkless")
    assert problem_lines({**LABS, "checkless": {}}) == [
        "content/01-intro.md:8: chapter links lab 'toy' but has no ```lab block (the \"What "
        "you will build\" box mapping this chapter's sections to the lab's checks)"
    ]
