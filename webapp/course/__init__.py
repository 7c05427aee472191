"""The course pages: home, chapters with their quiz, content images, highlight stylesheet."""

from webapp.course.views import bp

__all__ = ["bp"]
