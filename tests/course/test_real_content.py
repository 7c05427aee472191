"""The course's own content/ loads with no problems against the real labs: every `lab:`
names a lab, and every lab box names exactly the checks its lab grades."""

from __future__ import annotations

from pathlib import Path

import pytest

from course import load_course
from course.loader import chapter_files
from labs.catalog import check_titles

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.skipif(not chapter_files(CONTENT), reason="content/ has no chapters yet")
def test_real_content_has_no_problems():
    course = load_course(CONTENT, check_titles())
    assert [str(p) for p in course.problems] == []
    assert len(course.chapters) == len(chapter_files(CONTENT))
