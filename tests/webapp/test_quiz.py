"""Quiz scoring on the server: the htmx partial (score, and feedback swapped in under each
question), a plain form post, the recorded best, and a blank answer that reveals nothing."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests.webapp.conftest import csrf_token
from webapp.db import get_session
from webapp.models import ChapterProgress

QUIZ = "/chapters/caching-basics/quiz"
RIGHT = {"q0": "1", "q1": "0"}
HALF = {"q0": "1", "q1": "2"}


def answer(client, answers: dict[str, str], htmx: bool = True):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/chapters/caching-basics")
    headers = {"HX-Request": "true", "X-CSRFToken": token} if htmx else {}
    data = answers if htmx else {**answers, "csrf_token": token}
    return client.post(QUIZ, data=data, headers=headers)


def progress(app: Flask) -> ChapterProgress | None:
    with app.app_context():
        return get_session().scalar(select(ChapterProgress))


def test_htmx_post_returns_only_the_scored_partial(client):
    response = answer(client, HALF)
    assert response.status_code == 200
    partial = response.get_data(as_text=True)
    assert "<html" not in partial
    assert "1 / 2" in partial and "(50%)" in partial
    assert partial.count('class="feedback correct" hx-swap-oob="true"') == 1
    assert partial.count('class="feedback incorrect" hx-swap-oob="true"') == 1
    assert 'id="quiz-feedback-0"' in partial and 'id="quiz-feedback-1"' in partial
    assert "the TTL bounds staleness" in partial  # explanations arrive only after answering


def test_all_right_passes(client):
    partial = answer(client, RIGHT).get_data(as_text=True)
    assert "2 / 2" in partial and "passed" in partial


def test_an_unanswered_question_counts_as_wrong_and_explains_nothing(client):
    partial = answer(client, {"q0": "1", "q1": "7"}).get_data(as_text=True)
    assert "1 / 2" in partial
    assert "<strong>Not answered</strong></p>" in partial
    assert "falls back to the database on a miss" in partial
    assert "the TTL bounds staleness" not in partial, "an unanswered question gives nothing away"


def test_a_blank_answer_reveals_nothing_and_is_no_attempt(app, auth, client):
    auth.register()
    for blank in ({}, {"q0": "7", "q1": "x"}):
        partial = answer(client, blank).get_data(as_text=True)
        assert "You have not chosen any answer yet" in partial
        assert "Score" not in partial and "the TTL bounds staleness" not in partial
        assert "Correct" not in partial and "Incorrect" not in partial
    assert progress(app).quiz_attempts == 0


def test_plain_form_post_renders_the_whole_chapter_with_the_result(client):
    page = answer(client, RIGHT, htmx=False).get_data(as_text=True)
    assert "<html" in page and "2 / 2" in page
    assert 'name="q0" value="1"\n                   checked' in page


def test_anonymous_scores_are_not_recorded(app, client):
    answer(client, RIGHT)
    assert progress(app) is None


def test_best_score_attempts_and_completion_are_recorded(app, auth, client):
    auth.register()
    answer(client, HALF)
    row = progress(app)
    assert (row.quiz_best_correct, row.quiz_total, row.quiz_attempts) == (1, 2, 1)
    assert row.completed_at is None, "50% must not complete the chapter"

    partial = answer(client, RIGHT).get_data(as_text=True)
    assert "Your best: 2 / 2 after 2 attempts" in partial
    row = progress(app)
    assert row.completed_at is not None, "100% must complete the chapter"

    answer(client, {"q0": "0", "q1": "2"})
    row = progress(app)
    assert (row.quiz_best_correct, row.quiz_attempts) == (2, 3), "a worse try keeps the best"
    assert row.completed_at is not None


def test_quiz_on_a_chapter_without_one_is_404(client):
    token = csrf_token(client)
    response = client.post("/chapters/scaling/quiz", data={"csrf_token": token})
    assert response.status_code == 404
