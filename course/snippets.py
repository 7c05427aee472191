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

A block that shows what the run block right before it prints carries `<!-- output -->`: the
run block must print that text exactly (a block a chapter cannot run says why instead, with
`<!-- shown: ... -->`, see course/shown.py).

A chapter's SQL blocks run in order on one database, and its Python blocks in order in one
namespace, so a block may build on the ones before it; its bash blocks run in order with a
Redis of their own for `redis-cli`; its Dockerfiles are built offline with
the chapter's `file=` blocks as their context. course/ only finds and checks the markers;
tests/course/test_runnable_snippets.py runs the blocks.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, replace

from course.fences import Segment, markers
from course.problems import ContentProblem, did_you_mean

RUNNABLE_LANGS = ("sql", "python", "dockerfile", "bash")
MARKER = re.compile(r"^<!--\s*run\b(?P<options>.*?)-->\s*$")
OUTPUT_MARKER = re.compile(r"^<!--\s*output\s*-->\s*$")
OUTPUT_PLACE = ("an output marker must follow a run block: it marks the block that shows what "
                "the run block right before it prints")
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
    output: str | None = None  # the text of the `<!-- output -->` block right after it
    output_line: int | None = None  # the file line of that block's opening fence

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def is_marker(line: str) -> bool:
    """A run or output marker, which the page never shows."""
    return any(p.match(line.strip()) for p in (MARKER, OUTPUT_MARKER))


def find_snippets(
    segments: list[Segment], path: str
) -> tuple[list[Snippet], list[ContentProblem]]:
    """The marked blocks in chapter order, and a problem for every marker that is wrong."""
    snippets: list[Snippet] = []
    problems: list[ContentProblem] = []
    found = sorted([*markers(segments, MARKER), *markers(segments, OUTPUT_MARKER)],
                   key=lambda marker: marker[1])
    for index, number, match, following in found:
        if following is None:
            kind = "an output" if match.re is OUTPUT_MARKER else "a run"
            message = f"{kind} marker must stand on the line right before a code fence"
            problems.append(ContentProblem(path, number, message))
        elif match.re is OUTPUT_MARKER:
            ran = snippets[-1] if snippets else None
            if ran is None or index == 0 or ran.line != segments[index - 1].first_line:
                problems.append(ContentProblem(path, number, OUTPUT_PLACE))
            else:
                snippets[-1] = replace(ran, output=following.inner,
                                       output_line=following.first_line)
        else:
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
