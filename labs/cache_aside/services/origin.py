"""The slow origin behind the learner's cache: `python3 services/origin.py`.

Every business read and write waits ORIGIN_LATENCY_MS (default 150, the stub's latency
knob) so a cache hit is easy to tell from a trip to the origin, and every business call is
counted per key so the grader can see how often the cache let a request through. The
/admin/ endpoints change data behind the cache's back and read or reset the counters; they
are instant and uncounted. POST /admin/hold holds the counted reads of one key until
POST /admin/hold/release (or its max_ms): the stampede check keeps the hot key's first load in
flight until it has sent every request. Written with labs/stubkit.py, which the sandbox puts
beside it.
"""

import os
import threading
import time
from collections import Counter

from stubkit import BadRequest, Stub

stub = Stub("origin", quiet=True,  # the grader sends thousands of requests
            latency_ms=int(os.environ.get("ORIGIN_LATENCY_MS", "150")))


class Store:
    """Items by key, each with a version bumped on every write, and the call counters."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = {}
        self.reads = Counter()
        self.writes = Counter()

    def get(self, key, counted):
        with self.lock:
            if counted:
                self.reads[key] += 1
            return dict(self.items[key]) if key in self.items else None

    def put(self, key, value, counted):
        with self.lock:
            if counted:
                self.writes[key] += 1
            version = self.items[key]["version"] + 1 if key in self.items else 1
            self.items[key] = {"key": key, "value": value, "version": version}
            return dict(self.items[key])

    def delete(self, key):
        with self.lock:
            return self.items.pop(key, None) is not None

    def calls(self):
        with self.lock:
            return {"reads": dict(self.reads), "writes": dict(self.writes),
                    "total_reads": sum(self.reads.values()),
                    "total_writes": sum(self.writes.values())}

    def reset_calls(self):
        with self.lock:
            self.reads.clear()
            self.writes.clear()


class Hold:
    """The stampede check's hold on one key: its counted reads wait (after the latency) until
    the grader releases them, or at most `max_ms` after the hold began, so that every request
    the grader sent finds the cache still empty while the first read is in flight."""

    def __init__(self):
        self.lock = threading.Lock()
        self.key = None
        self.until = 0.0
        self.released = threading.Event()

    def start(self, key, max_ms):
        with self.lock:
            self.released.set()  # a hold left over from before ends now
            self.key, self.until = key, time.monotonic() + max_ms / 1000
            self.released = threading.Event()

    def wait(self, key):
        with self.lock:
            if key != self.key:
                return
            released, until = self.released, self.until
        released.wait(max(0.0, until - time.monotonic()))

    def release(self):
        with self.lock:
            self.key = None
            self.released.set()


store = Store()
hold = Hold()
MAX_HOLD_MS = 10_000


def item_answer(item):
    return (404, {"error": "not_found"}) if item is None else (200, item)


def value_of(call):
    if "value" not in call.body:
        raise BadRequest('send {"value": ...}')
    return call.body["value"]


@stub.route("GET", "/items/{key}", action="read")
def read(call):
    hold.wait(call.params["key"])
    return item_answer(store.get(call.params["key"], counted=True))


@stub.route("PUT", "/items/{key}", action="write", own_delay=True)
def write(call):
    value = value_of(call)
    time.sleep(call.delay)  # a malformed write is refused at once, as before the latency
    return 200, store.put(call.params["key"], value, counted=True)


@stub.route("GET", "/admin/items/{key}")
def admin_read(call):
    return item_answer(store.get(call.params["key"], counted=False))


@stub.route("PUT", "/admin/items/{key}")
def admin_write(call):
    return 200, store.put(call.params["key"], value_of(call), counted=False)


@stub.route("DELETE", "/admin/items/{key}")
def admin_delete(call):
    if store.delete(call.params["key"]):
        return 200, {"deleted": call.params["key"]}
    return 404, {"error": "not_found"}


@stub.route("POST", "/admin/hold")
def hold_reads(call):
    key, max_ms = call.body.get("key"), call.body.get("max_ms")
    if not isinstance(key, str) or not key:
        raise BadRequest('send {"key": "<key>", "max_ms": <n>}')
    if isinstance(max_ms, bool) or not isinstance(max_ms, int) or not 0 <= max_ms <= MAX_HOLD_MS:
        raise BadRequest(f"max_ms must be a whole number of milliseconds, 0-{MAX_HOLD_MS}")
    hold.start(key, max_ms)
    return 200, {"held": key, "max_ms": max_ms}


@stub.route("POST", "/admin/hold/release")
def release_reads(call):
    hold.release()
    return 200, {"held": None}


@stub.route("GET", "/admin/calls")
def calls(call):
    return 200, store.calls()


@stub.route("POST", "/admin/calls/reset")
def reset_calls(call):
    store.reset_calls()
    return 200, store.calls()


if __name__ == "__main__":
    stub.serve()
