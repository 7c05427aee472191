"""The route table is complete and honest: every rule of the app is classified, and no entry
names a route the app no longer has."""

from __future__ import annotations

from tests.security.route_table import ROUTES, endpoints


def test_every_route_of_the_app_is_classified(world) -> None:
    missing = [f"{method} {rule.rule} ({rule.endpoint})" for rule, method in endpoints(world.app)
               if (rule.endpoint, method) not in ROUTES]
    assert missing == [], (
        "expected every route in tests/security/route_table.py ROUTES (decide who may call "
        f"it), these are missing: {missing}")


def test_the_table_names_only_routes_the_app_has(world) -> None:
    present = {(rule.endpoint, method) for rule, method in endpoints(world.app)}
    stale = sorted(set(ROUTES) - present)
    assert stale == [], f"expected only existing routes in ROUTES, these are gone: {stale}"
