"""The solution, starter and origin stub load (and the solution answers) on the runtime image.

The direct tests run them on this project's newer libraries; this catches a name that
Flask 2.2, redis-py 4.3 or requests 2.28 do not have yet.
"""

from __future__ import annotations

import pytest
from cache_lab import CACHE

from tests.support.runtime_image import expect_loads_on_runtime_image, import_script

# the stub is also called origin: the solution's own modules load last, its origin first
IMPORT_EVERYTHING = import_script(
    {"services": ["origin"], "starter": ["app"],
     "solution": ["origin", "cache", "items", "invalidation", "singleflight", "app"]},
    then="""
        import redis
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
        print("redis", redis.__version__)
        """)


@pytest.mark.docker
def test_solution_starter_and_origin_load_on_the_runtime_image(docker_client,
                                                               runtime_image: str) -> None:
    expect_loads_on_runtime_image(docker_client, runtime_image, CACHE, IMPORT_EVERYTHING)
