"""A lab preview is a grading job like a submission: a worker killed (SIGKILL) mid-preview
loses nothing. The janitor hands the preview to another worker once its lease expires (or the
restarted embedded server resumes it), the dead attempt's sandbox is removed, and the next
attempt verifies the lab from its first row; the page shows only that attempt's rows.

Real processes: `archlab worker` on real Redis and RQ, and `archlab serve` in embedded mode,
on the slow-items lab (each of its grades sleeps 2 s in its last check).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import Flask

from labs.catalog import get_lab
from tests.grading.archlab_processes import archlab_env, free_port, kill_hard, start, stop
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


def preview_state(app: Flask, preview_id: int) -> tuple[str, int, list[tuple[int, str, bool]]]:
    """(status, attempt, [(attempt, subject, ok) of every row stored])."""
    with app.app_context():
        session = get_session()
        preview = session.get(LabPreview, preview_id)
        assert preview is not None
        rows = session.query(LabPreviewRow).filter_by(preview_id=preview_id).order_by(
            LabPreviewRow.attempt, LabPreviewRow.position)
        return preview.status, preview.attempt, [(r.attempt, r.subject, r.ok) for r in rows]


def wait_until(condition, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"expected {what} within {timeout:g} s", pytrace=False)
        time.sleep(0.05)
    return value


def kill_mid_preview(app: Flask, preview_id: int, grader) -> set[str]:  # type: ignore[no-untyped-def]
    """Once attempt 1 graded the solution and is grading the first alternative, SIGKILL the
    grader; what that grade's sandbox left (it must outlive its grader)."""
    session_id = f"{previews.session_prefix(preview_id, 1)}-1-1"  # subject 1: class_router
    wait_until(lambda: preview_state(app, preview_id)[2][:2] == [
        (1, "alternatives", True), (1, "solution", True)]
        and any(left.startswith("pid ") for left in process_leftovers(session_id)),
               60, "attempt 1 to grade the solution and start the next grade's app")
    time.sleep(1)  # into the grade's checks (the last sleeps 2 s), past its sandbox's start
    kill_hard(grader)
    left = set(process_leftovers(session_id))
    assert left, "expected the killed grader to leave its sandbox running"
    assert preview_state(app, preview_id)[0] == "running"
    return left


def assert_verified_by_attempt_2(app: Flask, preview_id: int, left: set[str]) -> None:
    status, attempt, rows = wait_until(
        lambda: (s := preview_state(app, preview_id))[0] != "running" and s[0] != "queued" and s,
        120, "the preview to finish")
    assert (status, attempt) == ("done", 2)
    assert [(a, subject, ok) for a, subject, ok in rows if a == 2] == [
        (2, subject, True) for subject in SUBJECTS]
    assert [subject for a, subject, _ in rows if a == 1][:2] == ["alternatives", "solution"]
    with app.app_context():
        session = get_session()
        shown = previews.state(session, previews.latest(session, "slow-items"))
        assert [row.subject for row in shown.rows] == SUBJECTS, "the dead attempt's rows stay out"
        assert shown.finished and shown.disagreeing() == 0 and shown.waiting() == []
    still = left & set(process_leftovers(f"{previews.session_prefix(preview_id, 1)}-1-1"))
    assert not still, f"the dead grader's sandbox outlived the preview: {sorted(still)}"
    time.sleep(2 * LEASE_S)  # no janitor may hand a finished preview out again
    assert preview_state(app, preview_id)[:2] == ("done", 2)


@pytest.mark.redis
@pytest.mark.slow
def test_rq_worker_killed_mid_preview_hands_it_on(make_app, redis_url: str,
                                                  tmp_path: Path) -> None:
    app = make_app(REDIS_URL=redis_url)
    preview_id = start_preview(app)
    env = archlab_env(app, REDIS_URL=redis_url)
    first = start(["worker"], env, tmp_path / "worker1.log")
    try:
        left = kill_mid_preview(app, preview_id, first)
        second = start(["worker"], env, tmp_path / "worker2.log")
        try:
            assert_verified_by_attempt_2(app, preview_id, left)
        finally:
            stop(second)
    finally:
        stop(first)


@pytest.mark.slow
def test_embedded_server_restarted_mid_preview_resumes_it(make_app, tmp_path: Path) -> None:
    app = make_app()
    preview_id = start_preview(app)
    env = archlab_env(app)
    port = str(free_port())
    server = start(["serve", "--port", port], env, tmp_path / "serve1.log")
    try:
        left = kill_mid_preview(app, preview_id, server)
        server = start(["serve", "--port", port], env, tmp_path / "serve2.log")
        assert_verified_by_attempt_2(app, preview_id, left)
    finally:
        stop(server)
