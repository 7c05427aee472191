"""The suite's backing mode is what it says: SQLite and the embedded pool by default, a real
PostgreSQL database and `archlab worker` processes on Redis with
ARCHLAB_TEST_BACKING=postgres-redis (scripts/test's second pass), so that pass can never
quietly run on SQLite."""

from __future__ import annotations

from flask import Flask

from tests.grading.archlab_processes import WorkerProcesses
from tests.grading.grading_helpers import add_user, finished, solution_files, submit_as, wait_for
from tests.support import backing
from webapp.grading.pool import EmbeddedPool
from webapp.grading.queues import RQQueue, get_queue


def test_the_site_runs_on_the_backing_the_mode_names(app: Flask, pool) -> None:  # type: ignore[no-untyped-def]
    on_postgres = backing.on_postgres_and_redis()
    assert app.config["DATABASE_URL"].startswith("postgresql" if on_postgres else "sqlite")
    assert isinstance(get_queue(app), RQQueue) is on_postgres
    assert isinstance(pool, WorkerProcesses if on_postgres else EmbeddedPool)
    add_user(app, "ada@example.org")
    submission = wait_for(app, submit_as(app, "ada@example.org", "toy-items", solution_files()),
                          finished, what="the grade to finish")
    assert (submission.status, submission.score) == ("graded", 6)
