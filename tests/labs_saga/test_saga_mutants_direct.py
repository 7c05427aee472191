"""Every mutant of the saga solution (a known mistake) fails the check it names, run directly.

Only the named check runs against each mutant (plus the happy path, whose order the steps
check reads), which keeps this fast; the full grade of each mutant is `archlab labs verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import SAGA, saga_session

from tests.support.direct_checks import expect_caught
from tests.support.lab_processes import opened

MUTANTS = SAGA.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = SAGA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(saga_session(source, postgres_url, tmp_path)) as session:
        expect_caught(SAGA, mutant, session, only={mutant.caught_by, "happy_path_completes"})
