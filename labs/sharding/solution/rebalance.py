"""Adding a shard online: plan the keys that change owner, copy them in throttled batches.

Only keys whose owner on the new ring is the new shard move; they are copied, then deleted
from the old shard, one key at a time under the router's lock for that key. Requests keep
flowing between batches, and the router switches to the new ring once every key is over.
"""

import logging
import threading
import time

from ring import HashRing
from router import Router
from shard import Shard

BATCH = 25           # keys moved between pauses
PAUSE_S = 0.05       # the pause that leaves room for production traffic
log = logging.getLogger("rebalance")


class Rebalancer:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.status = {"state": "idle", "moved": 0}
        self._guard = threading.Lock()

    def add_shard(self, name: str) -> dict:
        """Start moving keys to shard `name` in the background; its status so far."""
        with self._guard:
            if self.status["state"] == "running":
                raise RuntimeError("a rebalance is already running")
            shard = Shard(name, self.router.spares[name])
            shard.create_schema()
            del self.router.spares[name]
            self.router.shards[name] = shard
            current, _ = self.router.rings
            self.router.rings = (current, current.with_shard(name))
            self.status = {"state": "running", "moved": 0, "adding": name}
        threading.Thread(target=self._move_all, name=f"rebalance-{name}", daemon=True).start()
        return dict(self.status)

    def _move_all(self) -> None:
        current, target = self.router.rings
        # a write that read the rings before they changed may still be on its way to the
        # key's old shard: listing that shard's keys before it lands would leave it behind
        self.router.settle()
        try:
            for name in current.shard_names:
                self._move_from(self.router.shards[name], target)
        except Exception:
            log.exception("rebalance failed; reads still look on both rings")
            self.status["state"] = "failed"
            return
        self.router.rings = (target, None)
        self.status["state"] = "done"
        log.info("rebalance done: %d keys moved", self.status["moved"])

    def _move_from(self, source: Shard, target: HashRing) -> None:
        moving = [key for key in source.stored_keys() if target.owner(key) != source.name]
        for start in range(0, len(moving), BATCH):
            for key in moving[start:start + BATCH]:
                self._move_key(key, source, self.router.shards[target.owner(key)])
            time.sleep(PAUSE_S)

    def _move_key(self, key: str, source: Shard, destination: Shard) -> None:
        with self.router.lock_for(key):
            record = source.get(key)
            if record is None:       # a write during the rebalance already moved it
                return
            destination.put(record)
            source.delete(key)
        self.status["moved"] += 1
