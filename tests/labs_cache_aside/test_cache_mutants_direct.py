"""Every mutant of the cache-aside solution (a known mistake) fails the check it names.

Only the named check runs against each mutant, which keeps this fast; the full grade of
each mutant is `archlab labs verify cache-aside`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import LAB, SPEC, failures, grade_folder

from labs.catalog import load_checks
from labs.verify import apply_mutant, load_mutants

MUTANTS = load_mutants(SPEC, load_checks(SPEC))


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, tmp_path: Path) -> None:
    source = tmp_path / "mutant"
    apply_mutant(mutant, LAB / "solution", source)
    result = grade_folder(source, seed=11, only={mutant.caught_by})
    assert mutant.caught_by in failures(result), f"{mutant.name} passed {mutant.caught_by}"
