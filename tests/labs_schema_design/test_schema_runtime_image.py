"""The solution, the alternatives and the starter load (and the solution answers) on the
runtime image.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2 or psycopg 3.1 do not have yet.
"""

from __future__ import annotations

import pytest
from schema_lab import SCHEMA

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

IMPORT_EVERYTHING = import_script(
    {"starter": ["app"], "alternatives/stdlib_http": ["store", "app"],
     "alternatives/flask_on_conflict": ["migrations", "app"],
     "solution": ["db", "migrate", "paging", "shop", "app"]},
    then="""
        from datetime import datetime, timezone
        paging = sys.modules["paging"]
        at = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc)
        assert paging.decode(paging.encode(at, 42)) == (at, 42)
        web = sys.modules["app"].app.test_client()
        assert web.get("/healthz").status_code == 200
        assert web.post("/users", json=["not", "an", "object"]).status_code == 400
        assert web.get("/users/1/orders?cursor=%%%").status_code == 400
        """)


@pytest.mark.docker
def test_solution_alternatives_and_starter_load_on_the_runtime_image(docker_client,
                                                                     runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, SCHEMA, IMPORT_EVERYTHING)
