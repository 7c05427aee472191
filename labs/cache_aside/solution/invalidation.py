"""Evict entries named on the `cache-invalidate` Redis channel, from a background thread.

Each message is one item key. The subscription survives Redis restarts: on any Redis error
the listener waits a moment and subscribes again.
"""

import logging
import threading
import time

import redis
from cache import TIMEOUT_S

CHANNEL = "cache-invalidate"
RETRY_DELAY_S = 0.5

log = logging.getLogger("invalidation")


def listen(redis_url, cache):
    def run():
        while True:
            try:
                client = redis.Redis.from_url(redis_url, socket_connect_timeout=TIMEOUT_S)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(CHANNEL)
                log.info("subscribed to %s", CHANNEL)
                for message in pubsub.listen():
                    cache.evict(message["data"].decode())
            except redis.RedisError as error:
                log.warning("invalidation listener lost Redis, retrying: %s", error)
                time.sleep(RETRY_DELAY_S)

    thread = threading.Thread(target=run, name="invalidation", daemon=True)
    thread.start()
    return thread
