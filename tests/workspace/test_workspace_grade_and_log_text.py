"""Grade hands the saved draft to the grading service; the log shown is plain text."""

from __future__ import annotations

from flask import Flask

from tests.workspace.workspace_helpers import Workspace
from webapp.db import get_session
from webapp.grading.archive import unpack
from webapp.models import Submission
from webapp.workspace.logtext import plain


def test_grade_submits_the_draft_and_stays_in_the_workspace(app: Flask, toy: Workspace) -> None:
    toy.save("app.py", "print('graded')\n")
    response = toy.client.post("/labs/toy-items/grade", data={"csrf_token": toy.token})
    assert response.status_code == 303
    with app.app_context():
        submission = get_session().query(Submission).one()
        assert (submission.lab_id, submission.status) == ("toy-items", "queued")
        assert unpack(submission.files) == {"app.py": b"print('graded')\n"}
    assert response.headers["Location"] == f"/labs/toy-items?graded={submission.id}#last-grade"


def test_grade_without_the_csrf_token_submits_nothing(app: Flask, toy: Workspace) -> None:
    assert toy.client.post("/labs/toy-items/grade").status_code == 400
    with app.app_context():
        assert get_session().query(Submission).count() == 0


def test_log_loses_colours_and_control_characters_but_keeps_lines() -> None:
    raw = "\x1b[32mINFO\x1b[0m started\r\n\x1b]0;title\x07\tready\x00\x08\n\x1b[2K\x1b[1Gdone"
    assert plain(raw) == "INFO started\n\tready\ndone"
