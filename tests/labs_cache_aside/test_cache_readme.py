"""The README is the learner's contract: its grading table and variables match the lab."""

from __future__ import annotations

import re

from cache_lab import CACHE

from tests.support import lab_contract

TTLS = ("CACHE_TTL_SECONDS", "NEGATIVE_TTL_SECONDS")


def test_readme_grading_table_lists_every_check_with_its_points_in_order() -> None:
    lab_contract.expect_readme_grades_the_check_ids(CACHE)


def test_readme_documents_every_variable_and_the_ttls_values() -> None:
    lab_contract.expect_readme_documents_the_app_env(CACHE)
    documented = dict(re.findall(r"^  \| `([A-Z_]+)` \| `([^`]*)` \|", CACHE.readme,
                                 flags=re.MULTILINE))
    assert {name: documented.get(name) for name in TTLS} == {
        name: CACHE.spec.app.env[name] for name in TTLS}


def test_checks_grade_against_the_ttls_lab_toml_gives_the_app() -> None:
    from labs.cache_aside import checks

    assert str(checks.CACHE_TTL_S) == CACHE.spec.app.env["CACHE_TTL_SECONDS"]
    assert str(checks.NEGATIVE_TTL_S) == CACHE.spec.app.env["NEGATIVE_TTL_SECONDS"]


def test_parallel_miss_check_knows_the_origin_latency_lab_toml_sets() -> None:
    from labs.cache_aside import checks

    origin = next(service for service in CACHE.spec.services if service.name == "origin")
    assert str(checks.ORIGIN_LATENCY_MS) == origin.env["ORIGIN_LATENCY_MS"]
    # The bound must sit well clear of the serial time the check tells apart.
    assert checks.MAX_PARALLEL_MISS_MS * 2 <= checks.PARALLEL_MISSES * checks.ORIGIN_LATENCY_MS
