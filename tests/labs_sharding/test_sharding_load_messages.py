"""A read or write that fails under the rebalance load is reported with the start of its
body (which shard, which error), not its status alone: a process verify saw 8 reads answer
500 during a rebalance and nothing said why."""

from __future__ import annotations

import json
import random
import threading
from types import SimpleNamespace

import httpx

from labs.sharding.checks import Load


def test_a_failed_read_names_what_the_app_answered() -> None:
    stop = threading.Event()
    body = {"error": "shard_unavailable", "shard": "shard2"}

    def handler(request: httpx.Request) -> httpx.Response:
        stop.set()  # one read is enough
        return httpx.Response(503, content=json.dumps(body).encode())

    load = Load(SimpleNamespace(random=random.Random(1)), ["item-1"])
    load.stop = stop
    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://app") as client:
        load.read(client, 0)
    assert load.failed_reads == [f"GET /records/item-1: 503 {json.dumps(body)}"]
