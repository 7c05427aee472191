"""Every mutant of the saga solution (a known mistake) fails the check it names, run directly.

Only the named check runs against each mutant (plus the happy path, whose order the steps
check reads), which keeps this fast; the full grade of each mutant is `archlab labs verify`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from saga_lab import LAB, SagaSession, run_checks

from labs.catalog import load_checks
from labs.spec import load_lab
from labs.verify import apply_mutant, load_mutants

SAGA = load_lab(LAB)
MUTANTS = load_mutants(SAGA, load_checks(SAGA))


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = tmp_path / "mutant"
    apply_mutant(mutant, LAB / "solution", source)
    session = SagaSession(source, postgres_url, tmp_path).open()
    try:
        failures, _ = run_checks(session, seed=11,
                                 only={mutant.caught_by, "happy_path_completes"})
    finally:
        session.close()
    assert mutant.caught_by in failures, f"{mutant.name} passed {mutant.caught_by}"
