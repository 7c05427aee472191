"""CourseStore: the loaded course for a running site, reloaded when content files change."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from course.labbox import LabChecks
from course.loader import load_course
from course.model import Course
from course.render import RenderCache

Fingerprint = tuple[tuple[str, int, int], ...]
# The labs the chapters are checked against: a mapping, or a function that reads them again
# (so that a store watching the labs' files sees their edits).
LabsSource = Mapping[str, LabChecks] | Callable[[], Mapping[str, LabChecks] | None] | None


def fingerprint(content_dir: Path) -> Fingerprint:
    """(path, mtime, size) of every file under the content dir, images included."""
    if not content_dir.is_dir():
        return ()
    return files_fingerprint(path for path in sorted(content_dir.rglob("*")) if path.is_file())


def files_fingerprint(paths: Iterable[Path]) -> Fingerprint:
    """(path, mtime, size) of each of `paths` that exists."""
    entries = []
    for path in paths:
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


class CourseStore:
    """Holds one loaded Course; with `reload=True` each access re-scans and reloads on change
    of a content file or of a file `watch_labs` names (the labs' specs and checks, whose
    titles the chapters' lab boxes show: `labs` is then read again).

    Rendering is cached per file version, so a reload after editing one chapter re-renders
    only that chapter (and the pages whose links changed meaning when a slug changed).
    """

    def __init__(
        self,
        content_dir: Path,
        labs: LabsSource = None,
        *,
        reload: bool = False,
        watch_labs: Callable[[], Fingerprint] | None = None,
    ) -> None:
        self.content_dir = Path(content_dir)
        self.labs = labs
        self.reload = reload
        self.watch_labs = watch_labs
        self.cache = RenderCache()
        self._lock = threading.Lock()
        self._fingerprint: Fingerprint | None = None
        self._course: Course | None = None

    @property
    def course(self) -> Course:
        with self._lock:
            if self._course is None or self.reload:
                current = fingerprint(self.content_dir) + (
                    self.watch_labs() if self.watch_labs and self.reload else ())
                if self._course is None or current != self._fingerprint:
                    labs = self.labs() if callable(self.labs) else self.labs
                    self._course = load_course(self.content_dir, labs, cache=self.cache)
                    self._fingerprint = current
                    self.cache.sweep()
            return self._course
