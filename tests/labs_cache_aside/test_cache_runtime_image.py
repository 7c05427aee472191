"""The solution, starter and origin stub load on the runtime image's Debian libraries.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2, redis-py 4.3 or requests 2.28 do not have yet.
"""

from __future__ import annotations

import pytest
from cache_lab import LAB

IMPORT_EVERYTHING = """
import importlib, sys
# the stub is also called origin: the solution's own modules load last, its origin first
for folder, modules in (("services", ["origin"]), ("starter", ["app"]),
                        ("solution", ["origin", "cache", "items", "invalidation",
                                      "singleflight", "redis_client", "app"])):
    sys.path.insert(0, "/lab/" + folder)
    for name in modules:
        sys.modules.pop(name, None)
        importlib.import_module(name)
    sys.path.pop(0)
import flask, redis
app, cache = sys.modules["app"], sys.modules["cache"]
client = redis.Redis.from_url("redis://nowhere:6379/0", socket_timeout=0.2,
                              socket_connect_timeout=0.2)
items = sys.modules["items"].Items(cache.ItemCache(client, 60, 3),
                                   sys.modules["origin"].Origin("http://nowhere:8000"),
                                   sys.modules["singleflight"].SingleFlight())
web = app.create_app(items).test_client()
assert web.get("/healthz").status_code == 200
assert web.put("/items/k", json={"other": 1}).status_code == 400
assert web.get("/items/k").status_code == 502   # no Redis, no origin: 502, not a crash
print("loaded on flask", flask.__version__, "redis", redis.__version__)
"""


@pytest.fixture(scope="module")
def runtime_image(docker_client) -> str:
    """The lab runtime image (Debian bookworm's Python libraries), built offline if missing."""
    from sandboxes.images.builder import build_runtime_image

    return build_runtime_image(docker_client, say=lambda _message: None)


@pytest.mark.docker
def test_solution_starter_and_origin_load_on_the_runtime_image(docker_client,
                                                               runtime_image: str) -> None:
    output = docker_client.containers.run(
        runtime_image, ["python3", "-c", IMPORT_EVERYTHING], remove=True, network_mode="none",
        environment={"ORIGIN_URL": "http://origin:8000", "REDIS_URL": "redis://redis:6379/0",
                     "PYTHONDONTWRITEBYTECODE": "1"},
        volumes={str(LAB): {"bind": "/lab", "mode": "ro"}})
    assert b"loaded on flask 2.2" in output
