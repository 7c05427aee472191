"""The loaded course: chapters in order, plus every problem found while loading them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from course.problems import ContentProblem
from course.quiz import Quiz
from course.render import TocEntry
from course.shown import ShownBlock
from course.snippets import Snippet


@dataclass(frozen=True)
class Chapter:
    slug: str
    title: str
    order: int
    lab: str | None
    minutes: int
    summary: str
    objectives: list[str]
    path: Path
    html: str
    toc: list[TocEntry]
    quiz: Quiz | None
    word_count: int
    snippets: list[Snippet]  # code blocks marked to run, in chapter order
    extra_labs: tuple[str, ...] = ()  # labs after `lab`, from front matter `extra_labs`
    shown: tuple[ShownBlock, ...] = ()  # code blocks shown but not run, with the reason


@dataclass(frozen=True)
class Course:
    chapters: list[Chapter]
    problems: list[ContentProblem] = field(default_factory=list)

    def chapter(self, slug: str) -> Chapter | None:
        return next((c for c in self.chapters if c.slug == slug), None)

    def neighbours(self, slug: str) -> tuple[Chapter | None, Chapter | None]:
        """The chapters before and after `slug` in course order (None at either end)."""
        slugs = [c.slug for c in self.chapters]
        if slug not in slugs:
            return None, None
        i = slugs.index(slug)
        previous = self.chapters[i - 1] if i > 0 else None
        following = self.chapters[i + 1] if i + 1 < len(self.chapters) else None
        return previous, following
