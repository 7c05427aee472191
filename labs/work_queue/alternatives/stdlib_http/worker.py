"""The worker, standard library plus redis-py: `python3 worker.py`.

It keeps one consumer name per host, so after a restart it first re-reads its own pending
entries (XREADGROUP from 0); entries other consumers left idle for CLAIM_IDLE_MS are taken
over with XPENDING + XCLAIM. The mailer's Idempotency-Key (`mail-<id>`) makes every repeat
harmless, so the worker sends whatever it is delivered and lets the mailer deduplicate.
"""

import json
import os
import socket
import time
import urllib.error
import urllib.request

import redis
import store

MAILER = os.environ["MAILER_URL"].rstrip("/") + "/send"
IDLE_MS = int(os.environ["CLAIM_IDLE_MS"])
MAX_TRIES = int(os.environ["MAX_TRIES"])
ME = "w-" + socket.gethostname()


def send(fields):
    """None when the mailer took the email, else why not."""
    payload = json.dumps({k: fields.get(k) for k in ("to", "subject", "body")}).encode()
    request = urllib.request.Request(MAILER, data=payload, method="POST", headers={  # noqa: S310 - MAILER_URL is http
        "Content-Type": "application/json", "Idempotency-Key": "mail-" + fields["id"]})
    try:
        with urllib.request.urlopen(request, timeout=8) as answer:  # noqa: S310
            answer.read()
        return None
    except urllib.error.HTTPError as error:
        return f"mailer said {error.code}"
    except OSError as error:
        return f"mailer unreachable: {error}"


def deliveries(r, entry_id):
    info = r.xpending_range(store.STREAM, store.GROUP, entry_id, entry_id, 1)
    return info[0]["times_delivered"] if info else 1


def process(r, entry_id, fields):
    if "id" not in fields:
        r.xadd(store.DEAD, {**fields, "tries": 1, "error": "no id field"})
        r.xack(store.STREAM, store.GROUP, entry_id)
        return
    tries = deliveries(r, entry_id)
    error = send(fields)
    if error is None:
        store.set_status(r, fields["id"], "done")
        r.xack(store.STREAM, store.GROUP, entry_id)
    elif tries >= MAX_TRIES:
        r.xadd(store.DEAD, {**fields, "tries": tries, "error": error})
        store.set_status(r, fields["id"], "failed", error)
        r.xack(store.STREAM, store.GROUP, entry_id)
    else:
        print(f"{fields['id']}: try {tries} failed ({error}); it comes back later", flush=True)


def take_over(r):
    """Entries idle long enough with any consumer, claimed for me."""
    stale = [p["message_id"] for p in r.xpending_range(store.STREAM, store.GROUP, "-", "+", 20,
                                                       idle=IDLE_MS)]
    return r.xclaim(store.STREAM, store.GROUP, ME, IDLE_MS, stale) if stale else []


def loop(r):
    store.make_group(r)
    backlog = r.xreadgroup(store.GROUP, ME, {store.STREAM: "0"}, count=100)  # mine, unacked
    for _, entries in backlog:
        for entry_id, fields in entries:
            process(r, entry_id, fields)
    while True:
        for entry_id, fields in take_over(r):
            if fields:
                process(r, entry_id, fields)
        for _, entries in r.xreadgroup(store.GROUP, ME, {store.STREAM: ">"}, count=5,
                                       block=500) or []:
            for entry_id, fields in entries:
                process(r, entry_id, fields)


if __name__ == "__main__":
    r = store.client(timeout=3)
    print(f"worker {ME} started", flush=True)
    while True:
        try:
            loop(r)
        except redis.RedisError as error:
            print(f"redis trouble: {error}; again in a second", flush=True)
            time.sleep(1)
