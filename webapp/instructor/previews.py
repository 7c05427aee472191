"""Lab previews: an instructor runs `labs verify` on a lab from the browser and watches its
table fill in, so a weak grader shows up before learners meet it.

A preview grades the reference, each alternative, the starter and each mutant on the grading
sandbox backend (`webapp.grading.settings.sandbox_backend`, as submissions are), on a thread
of the web process that started it, as Run sessions do; at most one runs per lab, and its
rows stay in memory until the next preview of that lab replaces them.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from labs.catalog import alternative_dirs, load_checks
from labs.spec import Lab, LabSpecError
from labs.verify import MIN_ALTERNATIVES, MutantError, VerifyReport, VerifyRow, load_mutants, verify
from labs.verify_findings import findings
from webapp.grading.settings import sandbox_backend

log = logging.getLogger(__name__)
EXTENSION = "archlab.previews"
_CREATION_LOCK = threading.Lock()


class PreviewRunning(Exception):
    """A preview of this lab is under way already."""


@dataclass(frozen=True)
class Planned:
    """A row the preview will fill: who is graded, and what it must get."""

    subject: str
    expected: str


@dataclass
class Preview:
    """One preview of one lab: the rows planned, the rows done, and how it ended."""

    lab_id: str
    planned: list[Planned]
    started: float = field(default_factory=time.monotonic)
    rows: list[VerifyRow] = field(default_factory=list)
    report: VerifyReport | None = None
    error: str = ""  # why the preview could not run (a lab or mutant that does not load...)
    elapsed_s: float = 0.0

    @property
    def finished(self) -> bool:
        return self.report is not None or bool(self.error)

    def waiting(self) -> list[Planned]:
        """The planned rows not graded yet, in the order they will be."""
        done = {row.subject for row in self.rows}
        return [row for row in self.planned if row.subject not in done]

    def findings(self) -> list[str]:
        return findings(self.report) if self.report is not None else []


def plan(lab: Lab) -> list[Planned]:
    """The rows of a preview in verify's order (mutants load here, so a broken one is said
    before anything runs)."""
    mutants = load_mutants(lab, load_checks(lab))
    return [Planned("alternatives", f"at least {MIN_ALTERNATIVES}"),
            Planned("solution", "full marks"),
            *(Planned(f"alternative {path.name}", "full marks") for path in alternative_dirs(lab)),
            Planned("starter", "less than full marks"),
            *(Planned(f"mutant {m.name}", f"{m.caught_by} fails") for m in mutants)]


class PreviewRegistry:
    """The previews of this web process, by lab id."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend  # called for each preview: settings may change in tests
        self._lock = threading.Lock()
        self._previews: dict[str, Preview] = {}

    def get(self, lab_id: str) -> Preview | None:
        with self._lock:
            return self._previews.get(lab_id)

    def start(self, lab: Lab) -> Preview:
        """Start previewing `lab` on a thread; PreviewRunning when one is under way, and
        LabSpecError or MutantError when the lab does not load."""
        preview = Preview(lab.id, plan(lab))
        with self._lock:
            current = self._previews.get(lab.id)
            if current is not None and not current.finished:
                raise PreviewRunning(f"A preview of {lab.id} is running already.")
            self._previews[lab.id] = preview
        threading.Thread(target=self._run, args=(preview, lab), daemon=True,
                         name=f"preview-{lab.id}").start()
        return preview

    def _run(self, preview: Preview, lab: Lab) -> None:
        try:
            preview.report = verify(lab, self._backend(), on_row=preview.rows.append)
        except (LabSpecError, MutantError) as exc:
            preview.error = str(exc)
        except Exception as exc:  # the page must say it stopped, whatever stopped it
            log.exception("preview of %s failed", lab.id)
            preview.error = f"the preview stopped: {type(exc).__name__}: {exc}"
        preview.elapsed_s = round(time.monotonic() - preview.started, 1)


def registry(app: Flask) -> PreviewRegistry:
    """The app's registry of previews, created on first use."""
    with _CREATION_LOCK:
        existing = app.extensions.get(EXTENSION)
        if existing is None:
            existing = PreviewRegistry(lambda: sandbox_backend(app))
            app.extensions[EXTENSION] = existing
    return existing
