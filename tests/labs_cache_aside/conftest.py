"""Fixtures: one engine grade of the solution and one of the starter, shared per module."""

from __future__ import annotations

import pytest
from cache_lab import LAB, grade_folder

from labs.results import GradeResult


@pytest.fixture(scope="module")
def solution_grade() -> GradeResult:
    """Every check against the solution, once, for all the module's assertions."""
    return grade_folder(LAB / "solution", seed=2024)


@pytest.fixture(scope="module")
def starter_grade() -> GradeResult:
    return grade_folder(LAB / "starter", seed=7)
