"""The shard router: which shard holds a key, while the shards stay put and while they move.

During a rebalance the router knows two rings: `current` (where keys were) and `target`
(where they go). A key whose owner changes lives on its old shard until the mover copies
it, then on its new one; reads and writes of that key take the key's lock, the same lock
the mover holds while it copies, so neither can see the key half moved.
"""

import threading
import zlib
from concurrent.futures import ThreadPoolExecutor

from ring import HashRing
from shard import Shard

LOCK_STRIPES = 64


class Router:
    def __init__(self, shards: dict[str, Shard], spares: dict[str, str]) -> None:
        self.shards = dict(shards)           # every shard that may hold records
        self.spares = dict(spares)           # name -> URL of shards not in use yet
        self.rings = (HashRing(self.shards), None)   # (current, target during a rebalance)
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        self._scatter = ThreadPoolExecutor(max_workers=8, thread_name_prefix="scatter")

    def lock_for(self, key: str) -> threading.Lock:
        return self._stripes[zlib.crc32(key.encode()) % LOCK_STRIPES]

    def settle(self) -> None:
        """Wait out every read and write that began before `rings` last changed: each holds
        its key's lock from reading `rings` to its last shard call, so once every lock was
        free once, none of them still writes where the old rings said."""
        for stripe in self._stripes:
            with stripe:
                pass

    def homes(self, key: str) -> tuple[Shard, Shard | None]:
        """The shard a key belongs on now, and the one it may still sit on mid-rebalance."""
        current, target = self.rings
        if target is None:
            return self.shards[current.owner(key)], None
        new, old = target.owner(key), current.owner(key)
        return self.shards[new], (self.shards[old] if old != new else None)

    def get(self, key: str) -> dict | None:
        with self.lock_for(key):
            home, previous = self.homes(key)
            record = home.get(key)
            if record is None and previous is not None:
                record = previous.get(key)
            return record

    def put(self, record: dict) -> None:
        with self.lock_for(record["key"]):
            home, previous = self.homes(record["key"])
            home.put(record)
            if previous is not None:
                previous.delete(record["key"])

    def list_by_owner(self, owner: str, limit: int, offset: int) -> tuple[list[dict], int]:
        """Scatter the query to every shard in parallel and merge their sorted prefixes."""
        answers = list(self._scatter.map(lambda shard: shard.top_by_owner(owner, limit, offset),
                                         self.shards.values()))
        merged = {}
        for rows, _ in answers:
            for row in rows:
                merged[row["key"]] = row     # mid-move a key can show up on two shards
        ordered = sorted(merged.values(), key=lambda row: (-row["score"], row["key"]))
        total = sum(count for _, count in answers)
        return ordered[offset:offset + limit], total
