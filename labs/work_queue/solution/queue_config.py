"""What the API and the worker agree on: the stream's names, the numbers from the
environment, and Redis clients that give up instead of hanging.

A Redis that does not answer must cost a request a fraction of a second, never a hang, so
every client has a socket timeout; the worker's blocking read waits on the server side for
less than its socket timeout, or every quiet second would look like an outage.
"""

import os
from dataclasses import dataclass

import redis

STREAM = "emails"
GROUP = "mailers"
DEAD_LETTERS = "emails:dead"
API_TIMEOUT_S = 0.5      # the API answers 503 well within the README's 2 s
BLOCK_MS = 1000          # the worker's XREADGROUP waits this long for new messages
WORKER_TIMEOUT_S = 5.0   # > BLOCK_MS, < a stuck worker's patience


@dataclass(frozen=True)
class Config:
    redis_url: str
    mailer_url: str
    claim_idle_ms: int
    max_tries: int
    backlog_limit: int

    @classmethod
    def from_env(cls):
        return cls(redis_url=os.environ["REDIS_URL"],
                   mailer_url=os.environ["MAILER_URL"].rstrip("/"),
                   claim_idle_ms=int(os.environ.get("CLAIM_IDLE_MS", "2000")),
                   max_tries=int(os.environ.get("MAX_TRIES", "3")),
                   backlog_limit=int(os.environ.get("BACKLOG_LIMIT", "10")))


def connect(url, timeout_s):
    return redis.Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s,
                                decode_responses=True)


def ensure_group(client):
    """Create the consumer group (and the stream) unless it exists; from id 0, so messages
    queued before the group existed are delivered too."""
    try:
        client.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
