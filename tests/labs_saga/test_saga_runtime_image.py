"""The solution, starter and stubs load on the runtime image's Debian library versions.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2, psycopg 3.1 or httpx 0.23 do not have yet.
"""

from __future__ import annotations

import pytest
from saga_lab import LAB

IMPORT_EVERYTHING = """
import importlib, os, sys
for folder, modules in (("solution", ["app", "saga", "orders", "participants", "db", "retry"]),
                        ("starter", ["app"]), ("services", ["participant", "books", "knobs"])):
    sys.path.insert(0, "/lab/" + folder)
    for name in modules:
        sys.modules.pop(name, None)
        importlib.import_module(name)
    sys.path.pop(0)
import flask, psycopg
print("loaded on flask", flask.__version__, "psycopg", psycopg.__version__)
"""


@pytest.mark.docker
def test_solution_starter_and_stubs_import_on_the_runtime_image(docker_client,
                                                                runtime_image: str) -> None:
    output = docker_client.containers.run(
        runtime_image, ["python3", "-c", IMPORT_EVERYTHING], remove=True, network_mode="none",
        environment={"DATABASE_URL": "postgresql://lab:lab@db/lab", "PYTHONDONTWRITEBYTECODE": "1",
                     **{f"{role}_URL": "http://stub:8000"
                        for role in ("INVENTORY", "PAYMENT", "SHIPPING")}},
        volumes={str(LAB): {"bind": "/lab", "mode": "ro"}})
    assert b"loaded on flask 2.2" in output
