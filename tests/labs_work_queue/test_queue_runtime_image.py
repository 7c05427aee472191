"""The solution, its alternatives, the starter and the mailer load on the runtime image's
Debian library versions (redis-py 4.3, Flask 2.2); the direct tests run them on this
project's newer libraries."""

from __future__ import annotations

import pytest
from queue_lab import QUEUE

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

IMPORT_EVERYTHING = import_script({
    "solution": ["app", "worker", "emails", "mailer", "queue_config"],
    "alternatives/stdlib_http": ["app", "worker", "store"],
    "alternatives/thread_pool": ["app", "worker", "records"],
    "starter": ["app", "worker"],
    "services": ["mailer"]})


@pytest.mark.docker
def test_every_program_of_the_lab_imports_on_the_runtime_image(docker_client,
                                                              runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, QUEUE, IMPORT_EVERYTHING)
