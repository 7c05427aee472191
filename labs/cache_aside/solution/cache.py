"""The Redis half of cache-aside: entries under `item:<key>`, each with a TTL.

Redis is an optimisation, never a dependency: every Redis error reads as a miss and every
failed write is dropped, so an outage makes reads slower but never makes them fail. After an
error the cache rests for a second instead of making every request wait for a dead Redis.
"""

import json
import logging
import random
import time

import redis

log = logging.getLogger("cache")

MISSING = "__missing__"  # what a negative entry holds: the origin said 404
JITTER = 0.1             # entries filled together must not all expire together
REST_S = 1.0             # after a Redis error, leave Redis alone this long (a breaker)
TIMEOUT_S = 0.5          # a slow cache is worse than none: give up and go to the origin


class Cached:
    """A cache hit: the item, or None when the entry remembers a 404."""

    def __init__(self, item):
        self.item = item


def entry_key(key):
    return f"item:{key}"


class ItemCache:
    def __init__(self, client, ttl_seconds, negative_ttl_seconds):
        self.client = client
        self.ttl = ttl_seconds
        self.negative_ttl = negative_ttl_seconds
        self.resting_until = 0.0

    def get(self, key):
        """A Cached on a hit, None on a miss (or when Redis cannot answer)."""
        raw = self._call("read", key, self.client.get, entry_key(key))
        if raw is None:
            return None
        return Cached(None if raw == MISSING.encode() else json.loads(raw))

    def put(self, key, item):
        ttl = self.ttl - int(random.random() * JITTER * self.ttl)
        self._set(key, json.dumps(item), ttl)

    def put_missing(self, key):
        self._set(key, MISSING, self.negative_ttl)

    def evict(self, key):
        self._call("eviction", key, self.client.delete, entry_key(key))

    def _set(self, key, value, ttl):
        self._call("write", key, self.client.set, entry_key(key), value, ex=ttl)

    def _call(self, what, key, operation, *args, **options):
        """The operation's result, or None when Redis failed or the cache is resting."""
        if time.monotonic() < self.resting_until:
            return None
        try:
            return operation(*args, **options)
        except redis.RedisError as error:
            self.resting_until = time.monotonic() + REST_S
            log.warning("cache %s of %s failed, Redis skipped for %s s: %s", what, key,
                        REST_S, error)
            return None
