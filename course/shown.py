"""Shown-only code blocks: blocks a chapter shows but the tests cannot run, and the reason why.

The marker is an HTML comment on the line right before the opening fence, like a run marker:

    <!-- shown: needs a Kubernetes cluster -->

The page shows its reason above the block ("Not run in this course: needs a Kubernetes
cluster"), so a reader knows which code the course proved and which it only shows. Every code
block of the real chapters is either run (course/snippets.py) or shown with a reason
(tests/course/test_every_block_is_run_or_shown.py).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from course.fences import Segment, markers
from course.labbox import LAB_LANG
from course.problems import ContentProblem
from course.quiz import QUIZ_LANG

MARKER = re.compile(r"^<!--\s*shown\b(?P<rest>.*?)-->\s*$")
_REASON = re.compile(r"^\s*:\s*(?P<reason>\S.*?)\s*$")
NOT_CODE_LANGS = (QUIZ_LANG, LAB_LANG, "mermaid")  # blocks the page turns into something else
CAPTION = "Not run in this course:"
EXAMPLE = "<!-- shown: needs a Kubernetes cluster -->"


@dataclass(frozen=True)
class ShownBlock:
    """A code block shown but not run; `line` is the file line of its opening fence."""

    path: str
    line: int
    lang: str
    reason: str


def reason_of(line: str) -> str | None:
    """The reason of a well-formed shown marker on `line`, else None."""
    match = MARKER.match(line.strip())
    reason = _REASON.match(match["rest"]) if match else None
    return reason["reason"] if reason else None


def caption_html(reason: str) -> str:
    """What the page shows above a shown-only block: words, not only a colour."""
    return (f'<p class="not-run" role="note"><strong>{CAPTION}</strong> '
            f"{html.escape(reason)}</p>")


def find_shown(
    segments: list[Segment], path: str
) -> tuple[list[ShownBlock], list[ContentProblem]]:
    """The shown-only blocks in chapter order, and a problem for every marker that is wrong."""
    blocks: list[ShownBlock] = []
    problems: list[ContentProblem] = []
    for _, number, match, following in markers(segments, MARKER):
        reason = _REASON.match(match["rest"])
        if following is None:
            message = "a shown marker must stand on the line right before a code fence"
        elif reason is None:
            message = f"a shown marker says why the block is not run, e.g. {EXAMPLE}"
        elif following.lang in NOT_CODE_LANGS:
            message = f"a shown marker is for code, not a {following.lang!r} block"
        else:
            blocks.append(ShownBlock(path, following.first_line, following.lang or "",
                                     reason["reason"]))
            continue
        problems.append(ContentProblem(path, number, message))
    return blocks, problems
