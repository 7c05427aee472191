"""A worker that sends up to four emails at once: `python3 worker.py`.

The reading thread takes as many messages as there are free senders (new ones, and ones
idle for CLAIM_IDLE_MS under any consumer); each sender counts the try, calls the mailer
with httpx, then finishes or leaves the message pending. A fresh consumer name per process
start means a restarted worker gets its old messages back through XAUTOCLAIM.
"""

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import records
import redis

SENDERS = 4
CFG = records.settings()
R = records.open_redis(CFG["redis"], timeout=4)
CONSUMER = f"pool-{uuid.uuid4().hex[:8]}"
free = threading.Semaphore(SENDERS)
mailer = httpx.Client(base_url=CFG["mailer"], timeout=6)


def deliver(entry_id, fields):
    try:
        tries = R.hincrby(records.TRIES, entry_id, 1)
        try:
            answer = mailer.post("/send", json={"to": fields["to"],
                                                "subject": fields["subject"],
                                                "body": fields["body"]},
                                 headers={"Idempotency-Key": f"{fields['id']}/send"})
            problem = None if answer.is_success else f"HTTP {answer.status_code}"
        except httpx.HTTPError as error:
            problem = repr(error)
        if problem is None:
            R.hset(records.STATUS, fields["id"], "done")
        elif tries >= CFG["max_tries"]:
            R.xadd(records.DEAD_LETTERS, {**fields, "tries": str(tries), "error": problem})
            R.hset(records.ERRORS, fields["id"], problem)
            R.hset(records.STATUS, fields["id"], "failed")
        else:
            return
        R.xack(records.STREAM, records.GROUP, entry_id)
        R.hdel(records.TRIES, entry_id)
    except redis.RedisError as error:
        print("sender: redis", error, flush=True)
    finally:
        free.release()


def take(pool, messages):
    for entry_id, fields in messages:
        if not fields:
            free.release()
            continue
        pool.submit(deliver, entry_id, fields)


def reserve(most):
    """Take up to `most` free senders (at least one, waiting for it)."""
    free.acquire()
    taken = 1
    while taken < most and free.acquire(blocking=False):
        taken += 1
    return taken


def main():
    with ThreadPoolExecutor(SENDERS) as pool:
        while True:
            slots = reserve(SENDERS)
            try:
                records.group_exists_or_create(R)
                _, stale, *_ = R.xautoclaim(records.STREAM, records.GROUP, CONSUMER,
                                            CFG["idle_ms"], "0-0", count=slots)
                fresh = []
                if len(stale) < slots:
                    reply = R.xreadgroup(records.GROUP, CONSUMER, {records.STREAM: ">"},
                                         count=slots - len(stale), block=700)
                    fresh = reply[0][1] if reply else []
            except redis.RedisError as error:
                print("reader: redis", error, flush=True)
                stale, fresh = [], []
                time.sleep(0.5)
            for _ in range(slots - len(stale) - len(fresh)):
                free.release()
            take(pool, stale + fresh)


if __name__ == "__main__":
    print("worker", CONSUMER, "with", SENDERS, "senders", flush=True)
    main()
