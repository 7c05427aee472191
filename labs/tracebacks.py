"""The one line of a service's log that says why it died: the exception of its last traceback,
at the learner's file and line.

A grade of an app that does not start leads with this line ("SyntaxError: invalid syntax at
app.py:3") instead of leaving the learner to dig it out of fifty lines of log.
"""

from __future__ import annotations

import re
from collections.abc import Collection

FRAME = re.compile(r'^\s+File "(?P<path>[^"]+)", line (?P<line>\d+)')
NOT_LEARNERS = ("/site-packages/", "/dist-packages/", "/lib/python", "<frozen ", "<string>")
# A line of a log without a Python traceback that still says what went wrong.
ERROR_WORD = re.compile(r"\b(error|exception|fatal|killed|denied|refused)\b", re.IGNORECASE)


def decisive_line(log: str, learner_files: Collection[str] = ()) -> str | None:
    """"<exception line> at <file>:<line>" for the last traceback in `log`, where the place is
    the deepest frame in the learner's own files (`learner_files`: paths relative to the
    submission; without them, any file outside Python's libraries); else the last line that
    names an error; None when the log says nothing of the kind."""
    lines = log.splitlines()
    last_frame = next((i for i in range(len(lines) - 1, -1, -1) if FRAME.match(lines[i])), None)
    if last_frame is None:
        return next((line.strip() for line in reversed(lines) if ERROR_WORD.search(line)), None)
    exception = next((line.strip() for line in lines[last_frame + 1:]
                      if line.strip() and not line[:1].isspace()), "the log ends in a traceback")
    place = _learners_place(_frames_before(lines, last_frame), learner_files)
    return f"{exception} at {place}" if place else exception


def _frames_before(lines: list[str], last: int) -> list[tuple[str, str]]:
    """(path, line) of each frame of the traceback that ends with the frame at `last`."""
    frames = []
    for line in reversed(lines[:last + 1]):
        frame = FRAME.match(line)
        if frame:
            frames.append((frame["path"], frame["line"]))
        elif not line[:1].isspace():  # "Traceback (most recent call last):" or other output
            break
    return frames[::-1]


def _learners_place(frames: list[tuple[str, str]], learner_files: Collection[str]) -> str | None:
    """"models.py:2" for the deepest frame in the learner's files."""
    for path, line in reversed(frames):
        shown = _learners_path(path, learner_files)
        if shown:
            return f"{shown}:{line}"
    return None


def _learners_path(path: str, learner_files: Collection[str]) -> str | None:
    if learner_files:
        matches = [name for name in learner_files if path == name or path.endswith("/" + name)]
        return max(matches, key=len) if matches else None
    if any(marker in path for marker in NOT_LEARNERS):
        return None
    return path.rsplit("/", 1)[-1]
