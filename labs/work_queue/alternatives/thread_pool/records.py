"""Where this version keeps things in Redis: statuses in one hash (`email-status`), errors
in another (`email-error`), tries per stream entry in a third (`entry-tries`, counted by the
worker itself as it takes each delivery)."""

import os

import redis

STREAM = "emails"
GROUP = "mailers"
DEAD_LETTERS = "emails:dead"
STATUS = "email-status"
ERRORS = "email-error"
TRIES = "entry-tries"


def settings():
    return {"redis": os.environ["REDIS_URL"], "mailer": os.environ["MAILER_URL"].rstrip("/"),
            "idle_ms": int(os.environ["CLAIM_IDLE_MS"]),
            "max_tries": int(os.environ["MAX_TRIES"]),
            "limit": int(os.environ["BACKLOG_LIMIT"])}


def open_redis(url, timeout):
    return redis.Redis.from_url(url, decode_responses=True, socket_timeout=timeout,
                                socket_connect_timeout=timeout, health_check_interval=10)


def group_exists_or_create(r):
    try:
        r.xgroup_create(STREAM, GROUP, "0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
