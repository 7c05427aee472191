"""The solution and starter load (and the solution answers) on the runtime image's libraries.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2 or psycopg 3.1 do not have yet.
"""

from __future__ import annotations

import pytest
from sharding_lab import LAB

IMPORT_EVERYTHING = """
import importlib, sys
for folder, modules in (("solution", ["app", "router", "rebalance", "ring", "shard", "records"]),
                        ("starter", ["app"])):
    sys.path.insert(0, "/lab/" + folder)
    for name in modules:
        sys.modules.pop(name, None)
        importlib.import_module(name)
    if folder == "solution":   # build the app too: Flask 2.2 must know every route helper
        router = sys.modules["router"].Router({}, {})
        client = sys.modules["app"].create_app(
            router, sys.modules["rebalance"].Rebalancer(router)).test_client()
        assert client.get("/healthz").status_code == 200
        assert client.put("/records/k", json={"owner": "a"}).status_code == 400
        assert client.get("/admin/rebalance").get_json() == {"state": "idle", "moved": 0}
    sys.path.pop(0)
import flask, psycopg
print("loaded on flask", flask.__version__, "psycopg", psycopg.__version__)
"""


@pytest.mark.docker
def test_solution_and_starter_import_on_the_runtime_image(docker_client,
                                                          runtime_image: str) -> None:
    output = docker_client.containers.run(
        runtime_image, ["python3", "-c", IMPORT_EVERYTHING], remove=True, network_mode="none",
        environment={"SHARD_URLS": "shard0=postgresql://lab:lab@shard0/lab",
                     "SPARE_SHARD_URLS": "shard3=postgresql://lab:lab@shard3/lab",
                     "PYTHONDONTWRITEBYTECODE": "1"},
        volumes={str(LAB): {"bind": "/lab", "mode": "ro"}})
    assert b"loaded on flask 2.2" in output
