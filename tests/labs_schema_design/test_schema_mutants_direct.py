"""Every mutant of the schema-design solution (a known mistake) fails the check it names,
run alone with the checks it needs, directly against the app and a fresh PostgreSQL.

The full grade of each mutant on a sandbox is `archlab labs verify schema-design`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lab import SCHEMA, schema_session

from tests.support.direct_checks import expect_caught, with_needs
from tests.support.lab_processes import opened

MUTANTS = SCHEMA.mutants()


def test_the_lab_has_at_least_six_mutants_on_distinct_checks() -> None:
    assert len(MUTANTS) >= 6
    assert len({mutant.caught_by for mutant in MUTANTS}) >= 6


@pytest.mark.slow
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = SCHEMA.mutant_copy(mutant, tmp_path / "mutant")
    with opened(schema_session(source, postgres_url, tmp_path)) as session:
        expect_caught(SCHEMA, mutant, session, only=with_needs(SCHEMA, mutant.caught_by))
