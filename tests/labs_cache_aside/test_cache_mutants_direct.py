"""Every mutant of the cache-aside solution (a known mistake) fails the check it names.

Only the named check runs against each mutant, which keeps this fast; the full grade of
each mutant is `archlab labs verify cache-aside`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cache_lab import CACHE, CacheSession

from tests.support.direct_checks import expect_caught, run_checks, with_needs
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


@pytest.mark.slow
@pytest.mark.parametrize("name", ["entries_without_ttl", "hit_path_reads_the_origin"])
def test_a_mistake_with_item_entries_leaves_the_negative_entries_check_passing(
        name: str, tmp_path: Path) -> None:
    """These mutants get item entries wrong and nothing else: a remembered 404 still expires
    within NEGATIVE_TTL_SECONDS, so the negative-entry check passes and the mistake is named
    once (both used to store the 404 for the item TTL or for ever as well)."""
    mutant = next(m for m in MUTANTS if m.name == name)
    source = CACHE.mutant_copy(mutant, tmp_path / "mutant")
    negative = "missing_items_are_not_cached_forever"
    with opened(CacheSession(source, tmp_path)) as session:
        failures, _ = run_checks(CACHE, session, seed=11,
                                 only=with_needs(CACHE, mutant.caught_by) | {negative})
    assert set(failures) == {mutant.caught_by}, failures
