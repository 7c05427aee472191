"""A throwaway site with its real grading queue, for the benchmarks that submit work.

The site is what `archlab serve` runs without REDIS_URL: the embedded worker pool claiming
queued rows of a temporary SQLite database, grading on the chosen sandbox backend.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session

from labs.catalog import get_lab, solution_dir
from sandboxes.process.backend import OPT_IN
from webapp import create_app
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.grading.service import current_checks, submit
from webapp.migrate import upgrade
from webapp.models import Submission, User

# Polling shares the GIL with the embedded graders: poll gently, and time grades by the
# rows' own timestamps (stored when they happen), not by when the poll noticed.
POLL_S = 0.2


@dataclass(frozen=True)
class Graded:
    """One finished submission as the benchmarks read it (seconds)."""

    id: int
    status: str
    verdict: str | None
    full_marks: bool
    queue_wait_s: float
    submit_to_score_s: float
    timings: dict[str, float]
    check_s: dict[str, float]  # each check's own duration, by check id


@contextlib.contextmanager
def queue_site(backend: str, workers: int) -> Iterator[Flask]:
    """A migrated site on a temporary SQLite database with `workers` embedded graders.
    The process backend is allowed for it (the benchmark's own reference solutions)."""
    if backend == "process":
        os.environ[OPT_IN] = "1"
    with tempfile.TemporaryDirectory(prefix="archlab-bench-") as folder:
        app = create_app({"SECRET_KEY": "bench", "ARCHLAB_SANDBOX": backend,
                          "GRADING_IN_FLIGHT_LIMIT": 1000,
                          "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}"})
        upgrade(app.config["DATABASE_URL"])
        pool = EmbeddedPool(app, workers=workers).start()
        try:
            yield app
        finally:
            pool.stop(timeout=300)


def reference_files(lab_id: str) -> dict[str, bytes]:
    """The files of `lab_id`'s reference solution, as an upload carries them."""
    root = solution_dir(get_lab(lab_id))
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def learner(app: Flask, n: int) -> User:
    with app.app_context():
        return create_user(get_session(), f"bench{n}@example.org", f"bench {n}", "bench-pw-123")


def submit_as(app: Flask, user: User, lab_id: str, files: dict[str, bytes]) -> int:
    with app.app_context():
        return submit(get_session(), user, lab_id, files).id


def wait_graded(app: Flask, ids: list[int], timeout: float = 1800) -> list[Graded]:
    """Poll until none of `ids` is queued or running; what each ended as."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            rows = [get_session().get(Submission, i) for i in ids]
            if all(row is not None and not row.in_flight for row in rows):
                return [_graded(get_session(), row) for row in rows if row is not None]
        time.sleep(POLL_S)
    raise TimeoutError(f"submissions {ids} not graded within {timeout:g}s")


def _graded(session: Session, row: Submission) -> Graded:
    details = json.loads(row.details or "{}")
    started = row.started_at or row.created_at
    finished = row.finished_at or started
    return Graded(id=row.id, status=row.status, verdict=row.verdict,
                  full_marks=row.status == "graded" and row.score == row.max_score,
                  queue_wait_s=(started - row.created_at).total_seconds(),
                  submit_to_score_s=(finished - row.created_at).total_seconds(),
                  timings=details.get("timings", {}),
                  check_s={check.check_id: check.duration_s
                           for check in current_checks(session, row)})
