"""Quiz blocks: parsed into questions, validated with file:line, and scored."""

from __future__ import annotations

from course import Question, Quiz, QuizScore, load_course

FENCE = "```"
GOOD_QUESTION = """- question: What does a cache trade?
  choices:
    - Memory for latency
    - Latency for memory
  answer: 1
  explanation: It spends memory to save time.
"""


def quiz_body(yaml_text: str) -> str:
    """A body whose quiz YAML starts on line 12 of a write_chapter file."""
    return f"## Quiz\n\n{FENCE}quiz\n{yaml_text}{FENCE}\n"


def test_quiz_is_parsed_with_zero_based_answer(content_dir, write_chapter):
    write_chapter("01-intro.md", quiz_body(GOOD_QUESTION))
    course = load_course(content_dir)
    assert course.problems == []
    assert course.chapters[0].quiz == Quiz(
        [
            Question(
                question="What does a cache trade?",
                choices=["Memory for latency", "Latency for memory"],
                answer_index=0,
                explanation="It spends memory to save time.",
            )
        ]
    )


def test_answer_out_of_range_names_the_question_line(content_dir, write_chapter):
    bad = "- question: Second?\n  choices: [a, b, c]\n  answer: 4\n  explanation: e\n"
    write_chapter("01-intro.md", quiz_body(GOOD_QUESTION + bad))
    course = load_course(content_dir)
    # front matter ends on line 8; the quiz YAML starts on line 12; question 2 six lines later
    assert [str(p) for p in course.problems] == [
        "content/01-intro.md:18: quiz question 2: answer must be a choice number from 1 to 3, got 4"
    ]
    assert course.chapters[0].quiz is None


def test_missing_choices_is_reported(content_dir, write_chapter):
    write_chapter("01-intro.md", quiz_body("- question: Q?\n  answer: 1\n  explanation: e\n"))
    assert [str(p) for p in load_course(content_dir).problems] == [
        "content/01-intro.md:12: quiz question 1: missing 'choices'"
    ]


def test_too_few_choices_and_unknown_key(content_dir, write_chapter):
    question = "- question: Q?\n  choices: [only]\n  answer: 1\n  explanaton: e\n"
    write_chapter("01-intro.md", quiz_body(question))
    messages = [p.message for p in load_course(content_dir).problems]
    assert messages == [
        "quiz question 1: unknown key 'explanaton' (did you mean 'explanation'?)",
        "quiz question 1: missing 'explanation'",
        "quiz question 1: choices must be a list of 2 to 6 non-empty strings",
    ]


def test_malformed_quiz_yaml_points_into_the_block(content_dir, write_chapter):
    write_chapter("01-intro.md", quiz_body("- question: [oops\n  answer: 1\n"))
    (problem,) = load_course(content_dir).problems
    assert problem.line == 13
    assert problem.message.startswith("quiz: malformed YAML")


def test_second_quiz_block_is_rejected(content_dir, write_chapter):
    write_chapter("01-intro.md", quiz_body(GOOD_QUESTION) + "\n" + quiz_body(GOOD_QUESTION))
    (problem,) = load_course(content_dir).problems
    assert problem.message == "a chapter has at most one quiz block"


def test_score_counts_correct_answers_per_question():
    quiz = Quiz(
        [
            Question("q1", ["a", "b"], 1, "e"),
            Question("q2", ["a", "b", "c"], 2, "e"),
            Question("q3", ["a", "b"], 0, "e"),
        ]
    )
    expected = QuizScore(correct=1, total=3, per_question=[True, False, False])
    assert quiz.score({0: 1, 1: 0}) == expected
    assert quiz.score({0: 1, 1: 2, 2: 0}).correct == 3
