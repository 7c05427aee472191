"""A lab preview is graded one row per job: a worker killed (SIGKILL) mid-preview loses only
the row it was grading. The janitor hands the preview to another worker once its lease
expires (or the restarted embedded server resumes it), the dead attempt's sandbox is removed,
and the next claim grades that row again; the rows stored before it keep their ids and
results and are not graded again.

Real processes: `archlab worker` on real Redis and RQ, and `archlab serve` in embedded mode,
on the slow-items lab (each of its grades sleeps 2 s in its last check).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask

from labs.catalog import get_lab
from sandboxes.local_servers import free_port
from tests.grading.archlab_processes import archlab_env, kill_hard, start, stop
from tests.grading.grading_helpers import LEASE_S, add_user
from tests.support.leftovers import process_leftovers
from webapp.db import get_session
from webapp.grading import previews
from webapp.grading.settings import labs_root
from webapp.models import LabPreview, LabPreviewRow, User

SUBJECTS = ["alternatives", "solution", "alternative class_router", "alternative path_segments",
            "starter", "mutant created_answers_200", "mutant forgets_items"]


def start_preview(app: Flask) -> int:
    """Queue a preview of slow-items as an instructor does (no worker runs it yet)."""
    add_user(app, "grace@example.org", "instructor")
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email="grace@example.org").one()
        lab = get_lab("slow-items", labs_root(app))
        return previews.start(session, app, lab, user).id


Row = tuple[int, int, int, str, str, bool, float]  # id, attempt, position, subject, outcome, ok, s


def preview_state(app: Flask, preview_id: int) -> tuple[str, int, list[Row]]:
    """(status, attempt, every row stored in position order)."""
    with app.app_context():
        session = get_session()
        preview = session.get(LabPreview, preview_id)
        assert preview is not None
        rows = session.query(LabPreviewRow).filter_by(preview_id=preview_id).order_by(
            LabPreviewRow.position, LabPreviewRow.id)
        return preview.status, preview.attempt, [
            (r.id, r.attempt, r.position, r.subject, r.outcome, r.ok, r.duration_s)
            for r in rows]


def wait_until(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"expected {what} within {timeout:g} s", pytrace=False)
        time.sleep(0.05)
    return value


def kill_mid_preview(app: Flask, preview_id: int, grader):  # type: ignore[no-untyped-def]
    """Once the alternatives and the solution rows are stored and a claim grades the first
    alternative (row 2), SIGKILL the grader; (the rows stored before, the killed grade's
    sandbox session, what that sandbox left: it must outlive its grader)."""

    def grading_row_2() -> tuple[list[Row], str] | None:
        status, attempt, rows = preview_state(app, preview_id)
        if status != "running" or [row[3] for row in rows] != SUBJECTS[:2]:
            return None
        session_id = previews.sandbox_session(preview_id, attempt, 2)  # class_router
        started = any(left.startswith("pid ") for left in process_leftovers(session_id))
        return (rows, session_id) if started else None

    kept, session_id = wait_until(grading_row_2, 60,
                                  "a claim to grade the row after the solution")
    time.sleep(1)  # into the grade's checks (the last sleeps 2 s), past its sandbox's start
    kill_hard(grader)
    left = set(process_leftovers(session_id))
    assert left, "expected the killed grader to leave its sandbox running"
    status, _, rows = preview_state(app, preview_id)
    assert status == "running" and rows == kept
    return kept, session_id, left


def assert_only_the_row_in_flight_graded_again(app: Flask, preview_id: int, kept: list[Row],
                                               session_id: str, left: set[str]) -> None:
    status, _, rows = wait_until(
        lambda: (s := preview_state(app, preview_id))[0] not in ("running", "queued") and s,
        120, "the preview to finish")
    assert status == "done"
    assert [(position, subject, ok) for _, _, position, subject, _, ok, _ in rows] == [
        (position, subject, True) for position, subject in enumerate(SUBJECTS)], \
        "each planned row stored once, in order"
    assert rows[:2] == kept, "the rows stored before the kill keep their ids and results"
    killed_attempt = int(session_id.split("-a")[1].split("-")[0])
    assert rows[2][1] > killed_attempt, "the row in flight was graded again by a later claim"
    with app.app_context():
        session = get_session()
        shown = previews.state(session, previews.latest(session, "slow-items"))
        assert [row.subject for row in shown.rows] == SUBJECTS
        assert shown.finished and shown.disagreeing() == 0 and shown.waiting() == []
    still = left & set(process_leftovers(session_id))
    assert not still, f"the dead grader's sandbox outlived the preview: {sorted(still)}"
    time.sleep(2 * LEASE_S)  # no janitor may hand a finished preview out again
    assert preview_state(app, preview_id)[0] == "done"


@pytest.mark.redis
@pytest.mark.slow
def test_rq_worker_killed_mid_preview_loses_only_the_row_in_flight(make_app, redis_url: str,
                                                  tmp_path: Path) -> None:
    app = make_app(REDIS_URL=redis_url)
    preview_id = start_preview(app)
    env = archlab_env(app, REDIS_URL=redis_url)
    first = start(["worker"], env, tmp_path / "worker1.log")
    try:
        kept, session_id, left = kill_mid_preview(app, preview_id, first)
        second = start(["worker"], env, tmp_path / "worker2.log")
        try:
            assert_only_the_row_in_flight_graded_again(app, preview_id, kept, session_id, left)
        finally:
            stop(second)
    finally:
        stop(first)


@pytest.mark.slow
def test_embedded_server_restarted_mid_preview_grades_only_the_row_in_flight_again(
        make_app, tmp_path: Path) -> None:
    app = make_app()
    preview_id = start_preview(app)
    env = archlab_env(app)
    port = str(free_port())
    server = start(["serve", "--port", port], env, tmp_path / "serve1.log")
    try:
        kept, session_id, left = kill_mid_preview(app, preview_id, server)
        server = start(["serve", "--port", port], env, tmp_path / "serve2.log")
        assert_only_the_row_in_flight_graded_again(app, preview_id, kept, session_id, left)
    finally:
        stop(server)
