"""The solution, its alternatives and the starter load on the runtime image's Debian library
versions (Flask 2.2, psycopg 3.1); the direct tests run them on this project's newer ones."""

from __future__ import annotations

import pytest
from shortener_lab import SHORTENER

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

IMPORT_EVERYTHING = import_script({
    "solution": ["urls", "links"],
    "alternatives/stdlib_http": ["app"],
    "alternatives/asyncio_server": ["app"],
    "starter": ["app"]})


@pytest.mark.docker
def test_every_program_of_the_lab_imports_on_the_runtime_image(docker_client,
                                                              runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, SHORTENER, IMPORT_EVERYTHING)
