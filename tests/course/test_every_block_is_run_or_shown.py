"""Every code block of every chapter is run by the tests or says on the page why it is not.

"Code in a chapter runs as shown, and a test proves it": a block carries a run marker
(test_runnable_snippets runs it), an output marker (the run block before it must print it),
or a shown marker (the page tells the reader it is not run, and why). Quiz, lab and mermaid
blocks are not code, and JSON and YAML blocks are data that test_data_blocks parses.
"""

from __future__ import annotations

from pathlib import Path

from course import Chapter, load_course
from course.fences import split_fences
from course.shown import NOT_CODE_LANGS
from tests.course.test_data_blocks import DATA_LANGS

CONTENT = Path(__file__).resolve().parents[2] / "content"
FENCE = "```"
HOW = "mark it <!-- run ... --> or say why not with <!-- shown: REASON -->"


def unmarked_blocks(chapter: Chapter, display: str) -> list[str]:
    """`path:line` of each code block of `chapter` neither run, output, shown nor data."""
    covered = {s.line for s in chapter.snippets} | {b.line for b in chapter.shown}
    covered |= {s.output_line for s in chapter.snippets if s.output_line is not None}
    segments = split_fences(chapter.path.read_text(encoding="utf-8"))
    return [f"{display}:{block.first_line}: a {block.lang or 'plain'!r} block is neither run "
            f"nor shown ({HOW})" for block in segments
            if block.is_fence and block.lang not in (*NOT_CODE_LANGS, *DATA_LANGS)
            and block.first_line not in covered]


def test_every_code_block_of_the_real_chapters_is_run_or_shown() -> None:
    course = load_course(CONTENT)
    assert course.chapters
    unmarked = [line for chapter in course.chapters
                for line in unmarked_blocks(chapter, f"content/{chapter.path.name}")]
    assert unmarked == []


def test_an_unmarked_block_is_named_by_file_and_line(content_dir, write_chapter) -> None:
    body = (
        "Intro.\n\n"  # the body starts on line 9
        f"<!-- run -->\n{FENCE}python\nprint('hi')\n{FENCE}\n\n"  # 12
        f"<!-- output -->\n{FENCE}\nhi\n{FENCE}\n\n"  # 17
        f"<!-- shown: needs a Kubernetes cluster -->\n{FENCE}bash\nkubectl get pods\n{FENCE}\n\n"
        f"{FENCE}http\nGET / HTTP/1.1\n{FENCE}\n\n"  # 26
        f"{FENCE}\nplain\n{FENCE}\n\n"  # 30
        f"{FENCE}yaml\na: 1\n{FENCE}\n\n{FENCE}mermaid\ngraph LR\n{FENCE}\n"
    )
    write_chapter("01-intro.md", body)
    course = load_course(content_dir)
    assert course.problems == []
    assert unmarked_blocks(course.chapters[0], "content/01-intro.md") == [
        f"content/01-intro.md:26: a 'http' block is neither run nor shown ({HOW})",
        f"content/01-intro.md:30: a 'plain' block is neither run nor shown ({HOW})",
    ]
