"""Content problems: what is wrong, in which file, on which line - the unit every check reports."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ContentProblem:
    """One thing an author must fix; `str()` gives the `path:line: message` editors jump to."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class SourceError(ValueError):
    """Content that cannot be parsed at all, with the 1-based line in its file."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def display_path(path: Path, content_dir: Path) -> str:
    """The path as authors know it: relative to the content dir's parent when possible."""
    base = content_dir.resolve().parent
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """A hint suffix naming the closest known word, or nothing when none is close."""
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""
