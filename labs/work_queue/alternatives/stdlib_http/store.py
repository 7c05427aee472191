"""Redis layout of this version: each email is one JSON document under `mail:<id>`; the work
item is its entry on the stream `emails`. Shared by the API and the worker."""

import json
import os
import time

import redis

STREAM, GROUP, DEAD = "emails", "mailers", "emails:dead"


def client(timeout):
    return redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True,
                                socket_timeout=timeout, socket_connect_timeout=timeout)


def make_group(r):
    try:
        r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def save(r, email_id, document):
    r.set(f"mail:{email_id}", json.dumps(document))


def load(r, email_id):
    raw = r.get(f"mail:{email_id}")
    return None if raw is None else json.loads(raw)


def set_status(r, email_id, status, error=None):
    document = load(r, email_id) or {"id": email_id}
    document.update(status=status, updated=time.time())
    if error:
        document["error"] = error
    save(r, email_id, document)


def waiting(r):
    """Entries the group has not finished: pending ones plus those after last-delivered-id."""
    for group in r.xinfo_groups(STREAM):
        if group["name"] == GROUP:
            after = r.xrange(STREAM, "(" + group["last-delivered-id"], "+")
            return group["pending"] + len(after)
    return r.xlen(STREAM)
