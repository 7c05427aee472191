"""Every mutant of the work-queue solution (a known mistake) fails the check it names, run
directly against local processes.

Only the named check and the checks it needs run against each mutant, which keeps this
fast; the full grade of each mutant on a sandbox is `archlab labs verify work-queue`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from queue_lab import QUEUE, QueueSession

from tests.support.direct_checks import expect_caught, with_needs
from tests.support.lab_processes import opened

MUTANTS = QUEUE.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, tmp_path: Path) -> None:
    source = QUEUE.mutant_copy(mutant, tmp_path / "mutant")
    with opened(QueueSession(source, tmp_path)) as session:
        expect_caught(QUEUE, mutant, session, only=with_needs(QUEUE, mutant.caught_by))
