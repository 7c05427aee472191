"""Every mutant of the cache-aside solution (a known mistake) fails the check it names.

Only the named check runs against each mutant, which keeps this fast; the full grade of
each mutant is `archlab labs verify cache-aside`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from tests.support.direct_checks import expect_caught
from tests.support.lab_processes import opened

MUTANTS = CACHE.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, tmp_path: Path) -> None:
    source = CACHE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(CacheSession(source, tmp_path)) as session:
        expect_caught(CACHE, mutant, session, only={mutant.caught_by})
