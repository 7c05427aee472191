"""The course: chapters loaded from content/, validated, and rendered to HTML. Knows no Flask."""

from course.loader import load_course
from course.model import Chapter, Course
from course.problems import ContentProblem
from course.quiz import Question, Quiz, QuizScore
from course.render import QUIZ_MARKER, TocEntry, pygments_css
from course.store import CourseStore

__all__ = [
    "QUIZ_MARKER",
    "Chapter",
    "ContentProblem",
    "Course",
    "CourseStore",
    "Question",
    "Quiz",
    "QuizScore",
    "TocEntry",
    "load_course",
    "pygments_css",
]
