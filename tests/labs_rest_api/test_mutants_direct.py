"""Every mutant of the solution (a known mistake) fails the check it names, run directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_app import REST_API, rest_session

from tests.support.direct_checks import expect_caught
from tests.support.lab_processes import opened

MUTANTS = REST_API.mutants()


def test_the_lab_has_at_least_eight_mutants() -> None:
    assert len(MUTANTS) >= 8


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = REST_API.mutant_copy(mutant, tmp_path / "mutant")
    with opened(rest_session(source, postgres_url, tmp_path)) as session:
        expect_caught(REST_API, mutant, session)
