"""The quiz as the web sees it: answers read from the submitted form, scored on the server.

Form fields are named q<question index>, values are choice indexes (both 0-based), so the
page carries no hint of which choice is right.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from course import Question, Quiz, QuizScore
from webapp.models import ChapterProgress


def read_answers(form: MultiDict[str, str], quiz: Quiz) -> dict[int, int]:
    """Valid answers only: unknown fields and out-of-range choices are ignored (= wrong)."""
    answers: dict[int, int] = {}
    for index, question in enumerate(quiz.questions):
        value = form.get(f"q{index}", "")
        if value.isdigit() and int(value) < len(question.choices):
            answers[index] = int(value)
    return answers


@dataclass(frozen=True)
class MarkedQuestion:
    number: int
    question: Question
    chosen: int | None
    correct: bool

    @property
    def verdict(self) -> str:
        if self.chosen is None:
            return "Not answered"
        return "Correct" if self.correct else "Incorrect"


@dataclass(frozen=True)
class QuizResult:
    score: QuizScore
    marked: list[MarkedQuestion]
    record: ChapterProgress | None = None  # the learner's progress after this attempt

    @property
    def blank(self) -> bool:
        """Nothing was chosen: no score, no attempt, and no explanation (they give answers away)."""
        return all(item.chosen is None for item in self.marked)

    @property
    def percent(self) -> int:
        return round(100 * self.score.correct / self.score.total) if self.score.total else 0


def mark(quiz: Quiz, answers: dict[int, int]) -> QuizResult:
    score = quiz.score(answers)
    marked = [
        MarkedQuestion(i + 1, q, answers.get(i), ok)
        for i, (q, ok) in enumerate(zip(quiz.questions, score.per_question, strict=True))
    ]
    return QuizResult(score, marked)
