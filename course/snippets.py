"""Runnable snippets: code blocks a chapter marks to be run by the tests, exactly as shown.

The marker is an HTML comment on the line right before the opening fence (readers never see
it; the renderer drops it):

    <!-- run -->                                             run it; it must succeed
    <!-- run expect="Index Only Scan" expect="Heap Fetches: 0" -->   ...and print these
    <!-- run error="duplicate key value" -->                 it must fail with this error
    <!-- run file=src/shop/server.py -->                     also a file of the chapter's
                                                             Docker build context
    <!-- run serves=/readyz -->                              (dockerfile) the image runs,
                                                             answers 200 there, and exits 0
                                                             on SIGTERM

A chapter's SQL blocks run in order on one database, and its Python blocks in order in one
namespace, so a block may build on the ones before it; its Dockerfiles are built offline with
the chapter's `file=` blocks as their context. course/ only finds and checks the markers;
tests/course/test_runnable_snippets.py runs the blocks.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from course.fences import Segment
from course.problems import ContentProblem, did_you_mean

RUNNABLE_LANGS = ("sql", "python", "dockerfile")
MARKER = re.compile(r"^<!--\s*run\b(?P<options>.*?)-->\s*$")
SINGLE_OPTIONS = ("error", "file", "serves")
OPTIONS = ("expect", *SINGLE_OPTIONS)
_RELATIVE_PATH = re.compile(r"^(?!/)(?!.*(?:^|/)\.\.(?:/|$))[\w./-]+$")


@dataclass(frozen=True)
class Snippet:
    """One marked code block; `line` is the file line of its opening fence."""

    path: str
    line: int
    lang: str
    code: str
    expect: tuple[str, ...] = ()
    error: str | None = None
    file: str | None = None  # its path in the chapter's Docker build context
    serves: str | None = None  # dockerfile: the path the running image answers 200 on

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def is_marker(line: str) -> bool:
    return MARKER.match(line.strip()) is not None


def find_snippets(
    segments: list[Segment], path: str
) -> tuple[list[Snippet], list[ContentProblem]]:
    """The marked blocks in chapter order, and a problem for every marker that is wrong."""
    snippets: list[Snippet] = []
    problems: list[ContentProblem] = []
    for index, segment in enumerate(segments):
        if segment.is_fence:
            continue
        for offset, line in enumerate(segment.lines):
            match = MARKER.match(line.strip())
            if match is None:
                continue
            number = segment.first_line + offset
            following = segments[index + 1] if index + 1 < len(segments) else None
            if offset != len(segment.lines) - 1 or following is None:
                message = "a run marker must stand on the line right before a code fence"
                problems.append(ContentProblem(path, number, message))
                continue
            snippet, errors = _snippet(match["options"], following, path)
            problems += [ContentProblem(path, number, f"run marker: {e}") for e in errors]
            if snippet is not None:
                snippets.append(snippet)
    return snippets, problems


def _snippet(options: str, block: Segment, path: str) -> tuple[Snippet | None, list[str]]:
    """The Snippet of `block` under a marker with `options`, or the marker's errors."""
    if block.lang not in RUNNABLE_LANGS:
        langs = ", ".join(RUNNABLE_LANGS)
        return None, [f"cannot run a {block.lang or 'plain'!r} block (runnable: {langs})"]
    try:
        words = shlex.split(options)
    except ValueError as exc:
        return None, [f"cannot read the options: {exc}"]
    values: dict[str, list[str]] = {}
    errors: list[str] = []
    for word in words:
        key, sep, value = word.partition("=")
        if key not in OPTIONS:
            errors.append(f"unknown option {key!r}{did_you_mean(key, OPTIONS)} "
                          f"(options: {', '.join(OPTIONS)})")
        elif not sep or not value:
            errors.append(f"option {key!r} needs a value, e.g. {key}=\"...\"")
        else:
            values.setdefault(key, []).append(value)
    errors += [f"option {k!r} may be given once" for k in SINGLE_OPTIONS
               if len(values.get(k, [])) > 1]
    file = _single(values, "file")
    if file is not None and not _RELATIVE_PATH.match(file):
        errors.append(f"file must be a relative path inside the build context, got {file!r}")
    serves = _single(values, "serves")
    if serves is not None and (block.lang != "dockerfile" or not serves.startswith("/")):
        errors.append("serves is for a dockerfile block and takes a path such as /readyz")
    if errors:
        return None, errors
    return Snippet(
        path=path,
        line=block.first_line,
        lang=block.lang or "",
        code=block.inner,
        expect=tuple(values.get("expect", [])),
        error=_single(values, "error"),
        file=file,
        serves=serves,
    ), []


def _single(values: dict[str, list[str]], key: str) -> str | None:
    found = values.get(key)
    return found[0] if found else None
