"""The quiz in Chromium: a blank check reveals no answer, and after answering each question shows
its own verdict and explanation right under it, without a reload."""

from __future__ import annotations

import pytest

from course import load_course
from webapp.config import REPO_ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_feedback_stands_under_each_question_and_a_blank_check_reveals_nothing(live_server: str,
                                                                               page) -> None:
    chapter = next(c for c in load_course(REPO_ROOT / "content").chapters
                   if c.quiz and len(c.quiz.questions) >= 2)
    questions = chapter.quiz.questions
    page.goto(f"{live_server}/chapters/{chapter.slug}")
    check = page.get_by_role("button", name="Check my answers")

    check.click()
    page.locator("#quiz-result", has_text="You have not chosen any answer yet").wait_for()
    body = page.locator("main").inner_text()
    assert not any(q.explanation in body for q in questions), "a blank check showed an answer"
    assert page.locator(".question .feedback p").count() == 0

    page.evaluate("window.__notReloaded = true")
    page.locator('input[name="q0"]').nth(questions[0].answer_index).check()
    wrong = (questions[1].answer_index + 1) % len(questions[1].choices)
    page.locator('input[name="q1"]').nth(wrong).check()
    check.click()
    page.locator("#quiz-result .score", has_text="Score:").wait_for()
    assert page.evaluate("window.__notReloaded") is True, "the quiz reloaded the page"

    fieldsets = page.locator("fieldset.question")
    first, second = fieldsets.nth(0).locator(".feedback"), fieldsets.nth(1).locator(".feedback")
    assert first.inner_text() == f"Correct: {questions[0].explanation}"
    assert second.inner_text() == f"Incorrect: {questions[1].explanation}"
    for index in range(2, len(questions)):
        feedback = fieldsets.nth(index).locator(".feedback").inner_text()
        assert feedback == "Not answered", feedback
    assert page.problems == [], "\n".join(page.problems)
