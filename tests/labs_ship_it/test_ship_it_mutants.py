"""Every mutant of the ship-it solution (a known mistake) fails the check it names and no other
on its own, run directly against its image in a Docker session: one mistake, one failure
(checks that need the failed one are blocked by it). The full grade of each mutant on both
backends is `archlab labs verify`."""

from __future__ import annotations

from pathlib import Path

import pytest
from ship_it_lab import SHIP_IT, running

from tests.support.direct_checks import expect_caught_alone

MUTANTS = SHIP_IT.mutants()


def test_the_lab_has_a_mutant_for_every_check() -> None:
    assert {mutant.caught_by for mutant in MUTANTS} == set(SHIP_IT.checks.ids())


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check_alone(mutant, runtime_image: str,
                                             tmp_path: Path) -> None:
    source = SHIP_IT.mutant_copy(mutant, tmp_path / "mutant")
    with running(runtime_image, source, f"ship-it-mutant-{mutant.name}") as session:
        expect_caught_alone(SHIP_IT, mutant, session)
