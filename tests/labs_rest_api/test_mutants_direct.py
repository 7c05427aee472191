"""Every mutant of the solution (a known mistake) fails the check it names, run directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_app import LAB, run_app
from test_checks_direct import run_checks

from labs.catalog import load_checks
from labs.spec import load_lab

# labs.verify needs the sandboxes interface, which lands separately.
verify = pytest.importorskip("labs.verify", reason="labs.verify cannot import yet",
                             exc_type=ImportError)

REST_API = load_lab(LAB)
MUTANTS = verify.load_mutants(REST_API, load_checks(REST_API))


def test_the_lab_has_at_least_eight_mutants() -> None:
    assert len(MUTANTS) >= 8


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_mutant_is_caught_by_its_check(mutant, postgres_url: str, tmp_path: Path) -> None:
    source = tmp_path / "mutant"
    verify.apply_mutant(mutant, LAB / "solution", source)
    for app in run_app(source, postgres_url, tmp_path):
        failures = run_checks(app, postgres_url, seed=11)
    assert mutant.caught_by in failures, f"{mutant.name} passed {mutant.caught_by}"
