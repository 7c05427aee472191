"""The suite disposes the SQLAlchemy engine of every site app a test makes (tests/conftest.py,
site_engines_disposed). Left undisposed on PostgreSQL, a pooled connection stayed open until
the garbage collector deleted it, with psycopg's "was deleted while still open"
ResourceWarning on whichever test ran then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from webapp.db import engine_of, get_session


@pytest.fixture(scope="module")
def pools_after_their_tests() -> Iterator[list[Any]]:
    """The pools the tests below hand in, judged once their tests' fixtures are all gone."""
    pools: list[Any] = []
    yield pools
    pooled = [pool.checkedin() for pool in pools]
    assert pooled == [0] * len(pools), (
        f"expected no connection left in the pools once their tests ended, got {pooled}")


@pytest.mark.postgres
def test_a_site_app_on_postgresql_leaves_no_pooled_connection_behind(
        make_app: Callable[..., Flask], postgres_url: str,
        pools_after_their_tests: list[Any]) -> None:
    app = make_app(DATABASE_URL=postgres_url)
    with app.app_context():
        assert get_session().execute(text("SELECT 1")).scalar() == 1
    pool = engine_of(app).pool
    assert pool.checkedin() == 1  # the request's session closed: its connection waits there
    pools_after_their_tests.append(pool)
