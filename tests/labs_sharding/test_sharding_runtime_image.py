"""The solution and starter load (and the solution answers) on the runtime image's libraries.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2 or psycopg 3.1 do not have yet.
"""

from __future__ import annotations

import pytest
from sharding_lab import SHARDING

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

# the solution's modules load last, so the app is built from them: Flask 2.2 must know
# every route helper it uses
IMPORT_EVERYTHING = import_script(
    {"starter": ["app"], "solution": ["app", "router", "rebalance", "ring", "shard", "records"]},
    then="""
        router = sys.modules["router"].Router({}, {})
        client = sys.modules["app"].create_app(
            router, sys.modules["rebalance"].Rebalancer(router)).test_client()
        assert client.get("/healthz").status_code == 200
        assert client.put("/records/k", json={"owner": "a"}).status_code == 400
        assert client.get("/admin/rebalance").get_json() == {"state": "idle", "moved": 0}
        """)


@pytest.mark.docker
def test_solution_and_starter_import_on_the_runtime_image(docker_client,
                                                          runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, SHARDING, IMPORT_EVERYTHING)
