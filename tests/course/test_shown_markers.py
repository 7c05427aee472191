"""Shown markers: a block the tests cannot run says why, on the page; bad markers get file:line."""

from __future__ import annotations

from course import load_course
from course.shown import EXAMPLE, ShownBlock

FENCE = "```"


def test_a_shown_block_carries_its_reason_in_a_caption_above_it(content_dir, write_chapter):
    body = (
        "Intro.\n\n"  # the body starts on line 9
        f"<!-- shown: needs a Kubernetes cluster & a <deployment> -->\n"
        f"{FENCE}bash\nkubectl rollout undo deployment/shop-api\n{FENCE}\n"  # 12
    )
    write_chapter("01-intro.md", body)
    course = load_course(content_dir)
    assert course.problems == []
    chapter = course.chapters[0]
    reason = "needs a Kubernetes cluster & a <deployment>"
    assert chapter.shown == (ShownBlock("content/01-intro.md", 12, "bash", reason),)
    caption = ('<p class="not-run" role="note"><strong>Not run in this course:</strong> '
               "needs a Kubernetes cluster &amp; a &lt;deployment&gt;</p>")
    assert caption in chapter.html
    assert chapter.html.index(caption) < chapter.html.index('class="highlight"')
    assert "<!--" not in chapter.html and "shown:" not in chapter.html


def test_bad_shown_markers_are_reported_on_their_line(write_chapter, problem_lines):
    body = (
        "Intro.\n\n"
        f"<!-- shown: needs a cluster -->\n\n{FENCE}bash\nkubectl get pods\n{FENCE}\n\n"  # 11
        f"<!-- shown -->\n{FENCE}http\nGET / HTTP/1.1\n{FENCE}\n\n"  # 17
        f"<!-- shown:   -->\n{FENCE}http\nGET / HTTP/1.1\n{FENCE}\n\n"  # 22
        f"<!-- shown needs a cluster -->\n{FENCE}bash\nkubectl get pods\n{FENCE}\n\n"  # 27
        f"<!-- shown: a diagram -->\n{FENCE}mermaid\ngraph LR\n{FENCE}\n"  # 32
    )
    write_chapter("01-intro.md", body)
    needs_reason = f"a shown marker says why the block is not run, e.g. {EXAMPLE}"
    assert problem_lines() == [
        "content/01-intro.md:11: a shown marker must stand on the line right before a code fence",
        f"content/01-intro.md:17: {needs_reason}",
        f"content/01-intro.md:22: {needs_reason}",
        f"content/01-intro.md:27: {needs_reason}",
        "content/01-intro.md:32: a shown marker is for code, not a 'mermaid' block",
    ]
