"""The solution, starter and stubs load on the runtime image's Debian library versions.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2, psycopg 3.1 or httpx 0.23 do not have yet.
"""

from __future__ import annotations

import pytest
from saga_lab import SAGA

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

IMPORT_EVERYTHING = import_script({
    "solution": ["app", "saga", "orders", "participants", "db", "retry"],
    "starter": ["app"],
    "services": ["participant", "books"]},
    then="""
        for role in ("inventory", "payment", "shipping"):
            sys.modules["participant"].participant(role).server("127.0.0.1", 0).server_close()
        """)


@pytest.mark.docker
def test_solution_starter_and_stubs_import_on_the_runtime_image(docker_client,
                                                                runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, SAGA, IMPORT_EVERYTHING)
