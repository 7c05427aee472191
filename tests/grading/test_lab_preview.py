"""/instructor/labs/<lab>/preview: an instructor runs the lab's verify on the site's sandbox
(the real process backend here) as a job of the grading workers (the embedded pool, or
`archlab worker` processes on Redis) and reads the table and what to change; learners
cannot."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from labs.catalog import get_lab
from tests.grading.grading_helpers import add_user
from tests.support.weak_check import UNCAUGHT, weaken
from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.grading import previews
from webapp.grading.settings import labs_root
from webapp.models import INSTRUCTOR, LabPreview, User

PAGE = "/instructor/labs/toy-items/preview"
pytestmark = pytest.mark.usefixtures("pool")  # the graders that run previews


def start(client: FlaskClient, path: str = PAGE):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, path)})


def finished_table(client: FlaskClient, path: str = PAGE, timeout: float = 120) -> str:
    """The table once the preview no longer polls (it ended)."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        table = client.get(f"{path}/table").get_data(as_text=True)
        if "hx-trigger" not in table:
            return table
        time.sleep(0.3)
    raise AssertionError(f"the preview did not end within {timeout} s")


def rows(table: str) -> list[tuple[str, str]]:
    """(subject, class) of each row: agrees, disagrees or waiting."""
    return [(subject, kind) for kind, subject in
            re.findall(r'<tr class="(\w+)" data-subject="([^"]+)"', table)]


def test_a_preview_grades_every_subject_and_says_the_lab_verified(
        instructor: FlaskClient) -> None:
    page = instructor.get(PAGE).get_data(as_text=True)
    assert "Run the preview" in page and "preview-status" not in page
    response = start(instructor)
    assert response.status_code == 303 and response.location.endswith(PAGE)
    table = finished_table(instructor)
    assert rows(table) == [(s, "agrees") for s in (
        "alternatives", "solution", "alternative class_router", "alternative path_segments",
        "starter", "mutant created_answers_200", "mutant forgets_items")]
    assert re.search(r"Verified: every row as expected \(\d+\.\d s\)", table)
    caught = table[table.index('data-subject="mutant created_answers_200"'):]
    assert "<code>create_item_returns_201</code>" in caught.split("</tr>")[0]
    assert re.search(r"<td>\d+\.\d s</td>", caught), "each grade's time is shown"
    assert "What to change" not in table


def test_a_weak_check_shows_as_a_mutant_let_through(instructor: FlaskClient,
                                                    labs_root: Path) -> None:
    weaken(labs_root / "toy_items")
    start(instructor)
    table = finished_table(instructor)
    assert ("mutant renames_on_read", "disagrees") in rows(table)
    assert "1 row disagrees" in table
    assert UNCAUGHT in table


def test_one_preview_per_lab_at_a_time(instructor: FlaskClient) -> None:
    assert start(instructor).status_code == 303
    again = start(instructor)
    assert again.status_code == 409
    assert "A preview of toy-items is running already." in again.get_data(as_text=True)
    give_up = time.monotonic() + 30
    running = '<td colspan="4">running</td>'
    while running not in (table := instructor.get(f"{PAGE}/table").get_data(as_text=True)):
        # queued for its first row, or between two rows (its next one waits its turn)
        assert ("Queued: waiting for a grading worker" in table
                or "the next waits its turn for a grading worker" in table), table
        assert time.monotonic() < give_up, "no worker took the preview"
        time.sleep(0.1)
    assert re.search(r"Running: \d of 7 rows done\.", table)
    assert start(instructor).status_code == 409, "one preview at a time, also while it runs"
    finished_table(instructor)


def test_two_starts_racing_past_the_check_store_one_preview(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    add_user(app, "alan@example.org", INSTRUCTOR)
    with app.app_context():
        session = get_session()
        user = session.query(User).filter_by(email="alan@example.org").one()
        lab = get_lab("toy-items", labs_root(app))
        previews.start(session, app, lab, user)
        # the other request looked before the first preview was stored
        monkeypatch.setattr(previews, "latest", lambda *args, **kwargs: None)
        with pytest.raises(previews.PreviewRunning, match="running already"):
            previews.start(session, app, lab, user)
        assert session.query(LabPreview).count() == 1


def test_learners_cannot_preview_and_unknown_labs_are_404(learner: FlaskClient,
                                                         instructor: FlaskClient) -> None:
    assert learner.get(PAGE).status_code == 403
    assert learner.post(PAGE).status_code in (400, 403)
    assert instructor.get("/instructor/labs/no-such-lab/preview").status_code == 404
    dashboard = instructor.get("/instructor/").get_data(as_text=True)
    assert f'<a href="{PAGE}">Preview</a>' in dashboard
