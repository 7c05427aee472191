"""Split a Markdown body into prose and fenced blocks, as Python-Markdown's fenced_code sees them.

Quiz extraction, diagrams, link checking and word counts all need to know which lines are
code; this is the one place that decides it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from course.problems import ContentProblem

# Python-Markdown only opens a fence at the start of a line.
FENCE_OPEN = re.compile(
    r"^(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+#.-]*)(?P<info>[^\n]*)$")


@dataclass(frozen=True)
class Segment:
    """A run of lines: prose (`lang` is None) or one fenced block including its fence lines."""

    first_line: int
    lines: list[str]
    lang: str | None = None
    info: str = ""  # what the opening fence says after the language, e.g. a lab id

    @property
    def is_fence(self) -> bool:
        return self.lang is not None

    @property
    def inner(self) -> str:
        """The fenced block's content without its fence lines."""
        return "\n".join(self.lines[1:-1])

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def split_fences(body: str, first_line: int = 1) -> list[Segment]:
    """Segments of `body` in order; `first_line` is the file line of the body's first line."""
    lines = body.split("\n")
    segments: list[Segment] = []
    prose_start = 0
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        end = _closing_fence(lines, i + 1, match["fence"]) if match else None
        if match is None or end is None:
            i += 1
            continue
        if prose_start < i:
            segments.append(Segment(first_line + prose_start, lines[prose_start:i]))
        segments.append(Segment(first_line + i, lines[i : end + 1], match["lang"].lower(),
                                match["info"].strip()))
        i = prose_start = end + 1
    if prose_start < len(lines):
        segments.append(Segment(first_line + prose_start, lines[prose_start:]))
    return segments


def _closing_fence(lines: list[str], start: int, fence: str) -> int | None:
    closing = re.compile(rf"^{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    return next((j for j in range(start, len(lines)) if closing.match(lines[j])), None)


def single_block(
    segments: list[Segment], lang: str, path: str
) -> tuple[Segment | None, list[ContentProblem]]:
    """The first ```lang block of a chapter that may have one, and a problem for each other."""
    blocks = [s for s in segments if s.lang == lang]
    problems = [
        ContentProblem(path, extra.first_line, f"a chapter has at most one {lang} block")
        for extra in blocks[1:]
    ]
    return (blocks[0] if blocks else None), problems


def markers(
    segments: list[Segment], pattern: re.Pattern[str]
) -> Iterator[tuple[int, int, re.Match[str], Segment | None]]:
    """Each prose line matching `pattern` (an HTML-comment marker): the index of its segment,
    its file line, the match, and the fenced block it stands right before, or None when it
    does not stand on the line right before a fence."""
    for index, segment in enumerate(segments):
        if segment.is_fence:
            continue
        for offset, line in enumerate(segment.lines):
            match = pattern.match(line.strip())
            if match is None:
                continue
            following = segments[index + 1] if index + 1 < len(segments) else None
            last = offset == len(segment.lines) - 1
            yield index, segment.first_line + offset, match, following if last else None
