"""The chapter's self-check quiz: parsed from a ```quiz block, validated, and scored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course.fences import Segment, single_block
from course.problems import ContentProblem, SourceError, did_you_mean
from course.yamlsrc import parse_yaml

QUIZ_LANG = "quiz"
MIN_CHOICES, MAX_CHOICES = 2, 6
KEYS = ("question", "choices", "answer", "explanation")


@dataclass(frozen=True)
class Question:
    question: str
    choices: list[str]
    answer_index: int  # 0-based; the YAML `answer` is 1-based for authors
    explanation: str


@dataclass(frozen=True)
class QuizScore:
    correct: int
    total: int
    per_question: list[bool]


@dataclass(frozen=True)
class Quiz:
    questions: list[Question]

    def score(self, answers: dict[int, int]) -> QuizScore:
        """Score 0-based question index -> 0-based choice index; unanswered counts as wrong."""
        marks = [answers.get(i) == q.answer_index for i, q in enumerate(self.questions)]
        return QuizScore(correct=sum(marks), total=len(marks), per_question=marks)


def find_quiz(segments: list[Segment], path: str) -> tuple[Quiz | None, list[ContentProblem]]:
    """Parse the chapter's quiz block; a chapter with an invalid quiz gets no quiz."""
    block, problems = single_block(segments, QUIZ_LANG, path)
    if block is None:
        return None, []
    quiz, quiz_problems = parse_quiz(block, path)
    return quiz, problems + quiz_problems


def parse_quiz(block: Segment, path: str) -> tuple[Quiz | None, list[ContentProblem]]:
    """Every problem is reported on the line of the question it concerns."""
    try:
        source = parse_yaml(block.inner, first_line=block.first_line + 1)
    except SourceError as exc:
        return None, [ContentProblem(path, exc.line, f"quiz: {exc.message}")]
    items = source.item_nodes()
    if not isinstance(source.data, list) or not source.data:
        return None, [ContentProblem(path, block.first_line, "quiz: expected a list of questions")]
    questions: list[Question] = []
    problems: list[ContentProblem] = []
    for number, (item, node) in enumerate(zip(source.data, items, strict=True), start=1):
        question, errors = _question(item)
        line = source.line_of(node)
        problems += [ContentProblem(path, line, f"quiz question {number}: {e}") for e in errors]
        if question is not None:
            questions.append(question)
    return (None if problems else Quiz(questions)), problems


def _question(item: Any) -> tuple[Question | None, list[str]]:
    if not isinstance(item, dict):
        return None, ["expected a mapping with question, choices, answer and explanation"]
    errors = [f"unknown key {k!r}{did_you_mean(str(k), KEYS)}" for k in item if k not in KEYS]
    errors += [f"missing {key!r}" for key in KEYS if key not in item]
    text, choices, answer, explanation = (item.get(key) for key in KEYS)
    if "question" in item and not _text(text):
        errors.append("question must be a non-empty string")
    if "explanation" in item and not _text(explanation):
        errors.append("explanation must be a non-empty string")
    if "choices" in item and not (
        isinstance(choices, list)
        and MIN_CHOICES <= len(choices) <= MAX_CHOICES
        and all(_choice(c) for c in choices)
    ):
        errors.append(f"choices must be a list of {MIN_CHOICES} to {MAX_CHOICES} non-empty strings")
    elif "answer" in item and isinstance(choices, list) and not _answer_in_range(answer, choices):
        errors.append(f"answer must be a choice number from 1 to {len(choices)}, got {answer!r}")
    if errors:
        return None, errors
    labels = [str(c).strip() for c in choices]
    return Question(text.strip(), labels, answer - 1, explanation.strip()), []


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _choice(value: Any) -> bool:
    """Choices are text, but a bare number (`- 42`) is a fine answer to arithmetic."""
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return is_number or _text(value)


def _answer_in_range(answer: Any, choices: list[Any]) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool) and 1 <= answer <= len(choices)
