"""Every mutant of the url-shortener solution (a known mistake) fails the check it names and
no other, run directly against the app on a fresh database: one mistake, one failure (the
checks that need the failed one are blocked, not failed)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shortener_lab import SHORTENER, shortener_session

from tests.support.direct_checks import expect_caught_alone, run_checks
from tests.support.lab_processes import opened

MUTANTS = SHORTENER.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check_alone(mutant, postgres_url: str,
                                             tmp_path: Path) -> None:
    source = SHORTENER.mutant_copy(mutant, tmp_path / "mutant")
    with opened(shortener_session(source, postgres_url, tmp_path)) as session:
        expect_caught_alone(SHORTENER, mutant, session)


def test_a_201_without_location_says_the_header_is_missing(postgres_url: str,
                                                           tmp_path: Path) -> None:
    """A missing header is named as missing, in HTTP terms, not as the JSON value null."""
    mutant = next(m for m in MUTANTS if m.name == "no_location_header")
    source = SHORTENER.mutant_copy(mutant, tmp_path / "mutant")
    with opened(shortener_session(source, postgres_url, tmp_path)) as session:
        failures, _ = run_checks(SHORTENER, session, seed=11, only={mutant.caught_by})
    assert re.fullmatch(r"expected the header Location: /[A-Za-z0-9]+ with the 201 from "
                        r"POST /links, got no Location header", failures[mutant.caught_by]), \
        failures[mutant.caught_by]
