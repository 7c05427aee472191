"""Run markers: which code blocks a chapter asks the tests to run; bad markers get file:line."""

from __future__ import annotations

from course import load_course
from course.snippets import OUTPUT_PLACE, Snippet

FENCE = "```"


def test_marked_blocks_become_snippets_in_order_and_markers_leave_no_trace(
    content_dir, write_chapter
):
    body = (
        "Intro.\n\n"  # the body starts on line 9
        f'<!-- run expect="3 rows" expect="Index Only Scan" -->\n{FENCE}sql\nSELECT 1;\n{FENCE}\n\n'
        f"{FENCE}python\nprint('not marked')\n{FENCE}\n\n"
        f"<!-- run file=src/shop/server.py -->\n{FENCE}python\nx = 1\n{FENCE}\n\n"
        f"<!-- run serves=/readyz -->\n{FENCE}dockerfile\nFROM scratch\n{FENCE}\n\n"
        f'<!-- run error="duplicate key" -->\n{FENCE}sql\nINSERT INTO t VALUES (1);\n{FENCE}\n'
    )
    write_chapter("01-intro.md", body)
    course = load_course(content_dir)
    assert course.problems == []
    path = "content/01-intro.md"
    assert course.chapters[0].snippets == [
        Snippet(path, 12, "sql", "SELECT 1;", expect=("3 rows", "Index Only Scan")),
        Snippet(path, 21, "python", "x = 1", file="src/shop/server.py"),
        Snippet(path, 26, "dockerfile", "FROM scratch", serves="/readyz"),
        Snippet(path, 31, "sql", "INSERT INTO t VALUES (1);", error="duplicate key"),
    ]
    assert course.chapters[0].snippets[0].where == "content/01-intro.md:12"
    html = course.chapters[0].html
    assert "<!--" not in html and "expect=" not in html
    assert html.count('class="highlight"') == 5


def test_bad_markers_are_reported_on_their_line(write_chapter, problem_lines):
    body = (
        "Intro.\n\n"
        f"<!-- run -->\n\n{FENCE}sql\nSELECT 1;\n{FENCE}\n\n"  # 11: blank line before the fence
        f"<!-- run -->\n{FENCE}yaml\na: 1\n{FENCE}\n\n"  # 17
        f"<!-- run expct=x -->\n{FENCE}sql\nSELECT 1;\n{FENCE}\n\n"  # 22
        f'<!-- run expect="unclosed -->\n{FENCE}sql\nSELECT 1;\n{FENCE}\n\n'  # 27
        f"<!-- run error=a error=b expect -->\n{FENCE}sql\nSELECT 1;\n{FENCE}\n\n"  # 32
        f"<!-- run serves=/readyz file=../etc -->\n{FENCE}python\nx = 1\n{FENCE}\n"  # 37
    )
    write_chapter("01-intro.md", body)
    assert problem_lines() == [
        "content/01-intro.md:11: a run marker must stand on the line right before a code fence",
        "content/01-intro.md:17: run marker: cannot run a 'yaml' block "
        "(runnable: sql, python, dockerfile, bash)",
        "content/01-intro.md:22: run marker: unknown option 'expct' (did you mean 'expect'?) "
        "(options: expect, error, file, serves)",
        "content/01-intro.md:27: run marker: cannot read the options: No closing quotation",
        "content/01-intro.md:32: run marker: option 'expect' needs a value, e.g. expect=\"...\"",
        "content/01-intro.md:32: run marker: option 'error' may be given once",
        "content/01-intro.md:37: run marker: file must be a relative path inside the build "
        "context, got '../etc'",
        "content/01-intro.md:37: run marker: serves is for a dockerfile block and takes a path "
        "such as /readyz",
    ]


def test_an_output_block_is_what_the_run_block_before_it_must_print(content_dir, write_chapter):
    body = (
        "Intro.\n\n"  # the body starts on line 9
        f"<!-- run -->\n{FENCE}python\nprint('hi')\n{FENCE}\n\nIt prints:\n\n"  # 12
        f"<!-- output -->\n{FENCE}\nhi\n{FENCE}\n"  # 19
    )
    write_chapter("01-intro.md", body)
    course = load_course(content_dir)
    assert course.problems == []
    assert course.chapters[0].snippets == [
        Snippet("content/01-intro.md", 12, "python", "print('hi')", output="hi", output_line=19)]
    assert "<!--" not in course.chapters[0].html


def test_an_output_marker_after_anything_but_a_run_block_is_reported(write_chapter,
                                                                     problem_lines):
    body = (
        "Intro.\n\n"
        f"<!-- output -->\n{FENCE}\nhi\n{FENCE}\n\n"  # 11: no block before it
        f"{FENCE}python\nprint('hi')\n{FENCE}\n\n<!-- output -->\n{FENCE}\nhi\n{FENCE}\n\n"  # 20
        f"<!-- run -->\n{FENCE}python\nx = 1\n{FENCE}\n\n<!-- output -->\n\n"  # 30
        f"{FENCE}\nhi\n{FENCE}\n"
    )
    write_chapter("01-intro.md", body)
    assert problem_lines() == [
        f"content/01-intro.md:11: {OUTPUT_PLACE}",
        f"content/01-intro.md:20: {OUTPUT_PLACE}",
        "content/01-intro.md:30: an output marker must stand on the line right before a code "
        "fence",
    ]
