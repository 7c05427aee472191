"""CourseStore: the loaded course for a running site, reloaded when content files change."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from course.labbox import LabChecks
from course.loader import load_course
from course.model import Course
from course.render import RenderCache

Fingerprint = tuple[tuple[str, int, int], ...]


def fingerprint(content_dir: Path) -> Fingerprint:
    """(path, mtime, size) of every file under the content dir, images included."""
    if not content_dir.is_dir():
        return ()
    entries = []
    for path in sorted(content_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            entries.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


class CourseStore:
    """Holds one loaded Course; with `reload=True` each access re-scans and reloads on change.

    Rendering is cached per file version, so a reload after editing one chapter re-renders
    only that chapter (and the pages whose links changed meaning when a slug changed).
    """

    def __init__(
        self,
        content_dir: Path,
        labs: Mapping[str, LabChecks] | None = None,
        *,
        reload: bool = False,
    ) -> None:
        self.content_dir = Path(content_dir)
        self.labs = labs
        self.reload = reload
        self.cache = RenderCache()
        self._lock = threading.Lock()
        self._fingerprint: Fingerprint | None = None
        self._course: Course | None = None

    @property
    def course(self) -> Course:
        with self._lock:
            if self._course is None or self.reload:
                current = fingerprint(self.content_dir)
                if self._course is None or current != self._fingerprint:
                    self._course = load_course(self.content_dir, self.labs, cache=self.cache)
                    self._fingerprint = current
                    self.cache.sweep()
            return self._course
