"""The Redis half of cache-aside: entries under `item:<key>`, each with a TTL.

Redis is an optimisation, never a dependency: every Redis error reads as a miss and every
failed write is dropped, so an outage makes reads slower but never makes them fail.
"""

import json
import logging
import random

import redis

log = logging.getLogger("cache")

MISSING = "__missing__"  # what a negative entry holds: the origin said 404
JITTER = 0.1             # entries filled together must not all expire together


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

    def get(self, key):
        """A Cached on a hit, None on a miss (or when Redis cannot answer)."""
        try:
            raw = self.client.get(entry_key(key))
        except redis.RedisError as error:
            log.warning("cache read of %s failed, going to the origin: %s", key, error)
            return None
        if raw is None:
            return None
        return Cached(None if raw == MISSING.encode() else json.loads(raw))

    def put(self, key, item):
        ttl = self.ttl - int(random.random() * JITTER * self.ttl)
        self._set(key, json.dumps(item), ttl)

    def put_missing(self, key):
        self._set(key, MISSING, self.negative_ttl)

    def evict(self, key):
        try:
            self.client.delete(entry_key(key))
        except redis.RedisError as error:
            log.warning("cache eviction of %s failed: %s", key, error)

    def _set(self, key, value, ttl):
        try:
            self.client.set(entry_key(key), value, ex=ttl)
        except redis.RedisError as error:
            log.warning("cache write of %s failed: %s", key, error)
