"""The reference's rebalance keeps a write that raced the start of the move (in memory, no
databases): a sharding verify saw it lose one (no_acknowledged_write_lost, 1 run of 5: a
fresh key written during the rebalance answered 404 afterwards).

The write read the rings before POST /admin/shards changed them and was still on its way to
the key's old shard when the mover listed that shard's keys; the key stayed behind, and once
the router switched to the new ring nobody looked for it there. The mover now waits out every
request that began before the rings changed (Router.settle) before it lists anything.
"""

from __future__ import annotations

import importlib
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

SOLUTION = Path(__file__).resolve().parents[2] / "labs" / "sharding" / "solution"
OLD = ("shard0", "shard1", "shard2")


class MemoryShard:
    """The Shard calls the router and the mover make, on a dict; a put of `held` waits for
    `release` after saying it `entered`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rows: dict[str, dict] = {}
        self.held: str | None = None
        self.entered, self.release = threading.Event(), threading.Event()

    def create_schema(self) -> None:
        pass

    def get(self, key: str) -> dict | None:
        return self.rows.get(key)

    def put(self, record: dict) -> None:
        if record["key"] == self.held:
            self.entered.set()
            assert self.release.wait(10)
        self.rows[record["key"]] = dict(record)

    def delete(self, key: str) -> None:
        self.rows.pop(key, None)

    def stored_keys(self) -> list[str]:
        return list(self.rows)


@pytest.fixture
def solution_modules() -> Iterator[dict[str, ModuleType]]:
    """The reference's ring, router and rebalance modules, imported as the app imports them."""
    names = ("ring", "shard", "router", "rebalance")
    sys.path.insert(0, str(SOLUTION))
    try:
        yield {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(SOLUTION))
        for name in names:
            sys.modules.pop(name, None)


def test_a_write_that_raced_the_start_of_the_move_is_not_left_behind(
        solution_modules: dict[str, ModuleType], monkeypatch) -> None:
    ring, router_module, rebalance = (solution_modules[name]
                                      for name in ("ring", "router", "rebalance"))
    shards = {name: MemoryShard(name) for name in OLD}
    new_shard = MemoryShard("shard3")
    monkeypatch.setattr(rebalance, "Shard", lambda name, url: new_shard)
    router = router_module.Router(shards, {"shard3": "postgresql://unused"})
    before, after = ring.HashRing(OLD), ring.HashRing((*OLD, "shard3"))
    key = next(f"k{n}" for n in range(10_000) if after.owner(f"k{n}") == "shard3")
    old_home = shards[before.owner(key)]
    old_home.held = key
    record = {"key": key, "owner": "ada", "score": 7, "value": "raced"}

    writer = threading.Thread(target=router.put, args=(record,))
    writer.start()
    assert old_home.entered.wait(5), "the write reached the key's old shard"
    mover = rebalance.Rebalancer(router)
    mover.add_shard("shard3")
    deadline = time.monotonic() + 1.0   # room for a mover that does not wait to finish
    while mover.status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    old_home.release.set()
    writer.join(5)
    deadline = time.monotonic() + 5.0
    while mover.status["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.01)

    assert mover.status["state"] == "done"
    assert router.get(key) == record, "the acknowledged write is where reads look"
    assert key in new_shard.rows and key not in old_home.rows
