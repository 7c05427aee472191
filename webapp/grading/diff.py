"""What changed between two submissions' files, file by file, as the files page shows it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "del", "hunk" (an @@ line) or "same"
    text: str


@dataclass(frozen=True)
class FileDiff:
    path: str
    change: str  # ADDED, REMOVED or CHANGED
    lines: list[DiffLine]


def text_of(content: bytes) -> str:
    """A file's text as the pages show it (the workspace only keeps UTF-8, but a scripted
    submission may carry any bytes)."""
    return content.decode("utf-8", errors="replace")


def file_diffs(old: dict[str, bytes], new: dict[str, bytes]) -> list[FileDiff]:
    """The files that differ from `old` to `new`, in path order, each as a unified diff."""
    diffs = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        change = ADDED if before is None else REMOVED if after is None else CHANGED
        lines = list(difflib.unified_diff(text_of(before or b"").splitlines(),
                                          text_of(after or b"").splitlines(),
                                          n=CONTEXT_LINES, lineterm=""))
        # lines[:2] are the ---/+++ file headers; the page names the file itself
        diffs.append(FileDiff(path, change, [_line(text) for text in lines[2:]]))
    return diffs


def _line(text: str) -> DiffLine:
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    return DiffLine(kinds.get(text[:1], "same"), text)
