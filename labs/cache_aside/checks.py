"""Checks of the cache-aside lab: hits and misses, TTLs, freshness, invalidation events,
stampedes, an outage of Redis, negative entries, and a skewed load against a no-cache baseline.

Every key is random (ctx.random), so no two checks or grades share data. The checks watch
the origin's own call counters and the Redis keys, never the app's word for what it did.
"""

from __future__ import annotations

import itertools
import statistics
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from labs.checks import CheckContext, Checks
from labs.evidence import json_text

checks = Checks()

CACHE_TTL_S = 60        # lab.toml: CACHE_TTL_SECONDS
NEGATIVE_TTL_S = 3      # lab.toml: NEGATIVE_TTL_SECONDS
APPEARED_S = NEGATIVE_TTL_S + 1.5  # an item that appears at the origin is served this soon
TTL_FLOOR = 0.8         # jitter may shorten an entry's TTL by up to 20%
TTL_SLACK_S = 1.0       # the app's SET happens before its answer, by up to this much
CHANNEL = "cache-invalidate"
EVICTION_DEADLINE_S = 1.0
SLOW_WRITE_MS = 600     # the update check's second write: a read runs while it is in flight
STAMPEDE_READERS = 200
STAMPEDE_MAX_ORIGIN_READS = 2
STAMPEDE_TIMEOUT_S = 20  # each of the stampede's readers waits this long for its answer
STAMPEDE_HOLD_S = 3     # the origin holds the hot key's reads until all readers have sent
STAMPEDE_SETTLE_S = 1.0  # ...and this long after (for the app to take them in), at most HOLD
ZIPF_KEYS, ZIPF_EXPONENT = 100, 1.1
ZIPF_REQUESTS, BASELINE_REQUESTS, LOAD_WORKERS = 400, 120, 8
MIN_HIT_RATIO = 0.6     # judged by the origin's own read counters: no clock in the verdict
ORIGIN_LATENCY_MS = 150  # lab.toml: the origin's ORIGIN_LATENCY_MS
PARALLEL_MISSES = 16
MAX_PARALLEL_MISS_MS = 1000  # one after another, 16 misses take at least 16 x 150 ms = 2.4 s
MIN_READS_AT_ONCE = 4   # or: the origin had this many of their reads in hand at one moment
                        # (a busy grader slows the answers, not the overlap; one lock: 1)
RECOVERY_S = 10         # Redis is back: caching must resume within this time
RESUBSCRIBE_S = 5       # Redis is back: the app must be subscribed again within this time


def entry_key(key: str) -> str:
    return f"item:{key}"


def new_key(ctx: CheckContext, topic: str) -> str:
    return f"{topic}-{ctx.random.randrange(10**9):09d}"


def new_value(ctx: CheckContext) -> dict[str, Any]:
    return {"title": f"item {ctx.random.randrange(10**6)}",
            "price_cents": ctx.random.randrange(100, 100_000)}


class OriginAdmin:
    """The origin's admin side: data behind the cache's back and the per-key read counters."""

    def __init__(self, ctx: CheckContext) -> None:
        self.client = httpx.Client(base_url=ctx.service_url("origin"), timeout=10)

    def __enter__(self) -> OriginAdmin:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.close()

    def put(self, key: str, value: Any) -> None:
        self.client.put(f"/admin/items/{key}", json={"value": value}).raise_for_status()

    def put_new_items(self, ctx: CheckContext, topic: str, count: int) -> dict[str, Any]:
        """`count` new random items at the origin: their values by key."""
        values = {new_key(ctx, topic): new_value(ctx) for _ in range(count)}
        for key, value in values.items():
            self.put(key, value)
        return values

    def value(self, key: str) -> Any:
        response = self.client.get(f"/admin/items/{key}")
        return response.json()["value"] if response.status_code == 200 else None

    def slow_next_write(self, delay_ms: int) -> None:
        """The origin's next counted write waits `delay_ms` more before it lands."""
        self.client.post("/admin/faults", json={"action": "write", "delay_next": 1,
                                                "delay_ms": delay_ms}).raise_for_status()

    def write_pending(self) -> bool:
        """Whether a counted write has arrived at the origin and not yet been answered."""
        response = self.client.get("/admin/requests")
        response.raise_for_status()
        return any(entry["action"] == "write" and entry["outcome"] == "pending"
                   for entry in response.json()["requests"])

    def most_reads_at_once(self, keys: Iterable[str]) -> int:
        """The most counted reads of `keys` the origin was serving at the same moment, from
        its request log (each read from its arrival to its answer)."""
        response = self.client.get("/admin/requests")
        response.raise_for_status()
        paths = {f"/items/{key}" for key in keys}
        edges = sorted(edge for entry in response.json()["requests"]
                       if entry["action"] == "read" and entry.get("path") in paths
                       and entry["answered_at"] is not None
                       for edge in ((entry["at"], 1), (entry["answered_at"], -1)))
        return max(itertools.accumulate(step for _, step in edges), default=0)

    def hold_reads(self, key: str, seconds: float) -> None:
        """The origin's counted reads of `key` wait until release_reads(), `seconds` at most."""
        self.client.post("/admin/hold", json={"key": key, "max_ms": round(seconds * 1000)}
                         ).raise_for_status()

    def release_reads(self) -> None:
        self.client.post("/admin/hold/release").raise_for_status()

    def reads(self) -> dict[str, int]:
        response = self.client.get("/admin/calls")
        response.raise_for_status()
        return response.json()["reads"]


def read_value(ctx: CheckContext, key: str, cache: str | None = None) -> Any:
    """GET /items/<key> through the app: expect 200 (and X-Cache), return the value."""
    response = ctx.http.get(f"/items/{key}")
    ctx.expect_status(response, 200)
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict) and body.get("key") == key and "value" in body,
               f'expected {{"key": "{key}", "value": ...}}, got {json_text(body)}',
               evidence=response)
    if cache is not None:
        got = response.headers.get("X-Cache")
        ctx.expect(got == cache, f"expected X-Cache: {cache} on this read of {key}, got "
                   f"{got or 'no X-Cache header'}", evidence=response)
    return body["value"]


def expect_value(ctx: CheckContext, got: Any, wanted: Any, why: str) -> None:
    ctx.expect(got == wanted, f"expected the value {json_text(wanted)} {why}, got "
               f"{json_text(got)}")


def keys_without_ttl(ctx: CheckContext) -> list[str]:
    redis = ctx.redis()
    return [key.decode() for key in redis.scan_iter(count=500) if redis.ttl(key) == -1]


@checks.check("A first read is a MISS that calls the origin once; the next one is a HIT",
              points=15, hint="Look up item:<key> in Redis first; on a miss read the origin, "
              "store the JSON in Redis and answer X-Cache: MISS; on a hit answer X-Cache: HIT.")
def miss_then_hit(ctx: CheckContext) -> None:
    key, value = new_key(ctx, "hit"), new_value(ctx)
    with OriginAdmin(ctx) as origin:
        origin.put(key, value)
        for cache, which in (("MISS", "first"), ("HIT", "second")):
            expect_value(ctx, read_value(ctx, key, cache=cache), value,
                         f"from the {which} read of {key}")
        reads = origin.reads().get(key, 0)
    ctx.expect(reads == 1, f"expected the origin to be read once for two reads of {key}, "
               f"got {reads} origin reads")


@checks.check("Every cached entry has a TTL of the configured CACHE_TTL_SECONDS", points=10,
              needs=("miss_then_hit",),
              hint="SET item:<key> with ex=CACHE_TTL_SECONDS (jitter may take up to 20% off); "
              "no key may live in Redis without an expiry.")
def cached_entries_have_the_configured_ttl(ctx: CheckContext) -> None:
    keys = [new_key(ctx, "ttl") for _ in range(3)]
    with OriginAdmin(ctx) as origin:
        for key in keys:
            origin.put(key, new_value(ctx))
    answered = {}
    for key in keys:
        read_value(ctx, key)
        answered[key] = time.monotonic()
    redis = ctx.redis()
    for key in keys:
        pttl = redis.pttl(entry_key(key))
        ctx.expect(pttl != -2, f"expected a Redis key {entry_key(key)} after reading {key}, "
                   "got no such key")
        ctx.expect(pttl != -1, f"expected the TTL of {entry_key(key)} between "
                   f"{TTL_FLOOR * CACHE_TTL_S:.0f} and {CACHE_TTL_S} s, got no TTL")
        # Redis counts down from the SET; add back the time since the read answered so a
        # slow grader does not turn a 48 s TTL into 47 s (TTL_SLACK_S: the SET to the answer).
        ttl_s = (pttl / 1000) + (time.monotonic() - answered[key])
        ctx.expect(ttl_s >= TTL_FLOOR * CACHE_TTL_S - TTL_SLACK_S and pttl <= CACHE_TTL_S * 1000,
                   f"expected the TTL of {entry_key(key)} between {TTL_FLOOR * CACHE_TTL_S:.0f} "
                   f"and {CACHE_TTL_S} s when it was set, got {ttl_s:.1f} s")
    forever = keys_without_ttl(ctx)
    ctx.expect(not forever, f"expected every Redis key to expire, got {len(forever)} without "
               f"a TTL, e.g. {', '.join(forever[:3])}")


@checks.check("A read right after an update through the service returns the new value",
              points=10, hint="PUT /items/<key>: write the origin first, then delete item:<key> "
              "(never the other way round), and answer the origin's item.")
def update_then_read_is_fresh(ctx: CheckContext) -> None:
    key, old, new = new_key(ctx, "update"), new_value(ctx), new_value(ctx)
    with OriginAdmin(ctx) as origin:
        origin.put(key, old)
        read_value(ctx, key)
        read_value(ctx, key)
        response = ctx.http.put(f"/items/{key}", json={"value": new})
        ctx.expect_status(response, 200)
        body = ctx.expect_json(response)
        ctx.expect(isinstance(body, dict) and body.get("value") == new,
                   f"expected the updated item with the value {json_text(new)}, got "
                   f"{json_text(body)}", evidence=response)
        expect_value(ctx, origin.value(key), new, f"at the origin after PUT /items/{key}")
    expect_value(ctx, read_value(ctx, key), new, f"from a read of {key} right after its update")
    read_during_a_slow_update(ctx, key)


def read_during_a_slow_update(ctx: CheckContext, key: str) -> None:
    """PUT a newer value while the origin's write is slowed, read the key once the origin has
    the write in hand (either value is right then), and expect the newer value after the 200:
    an app that deletes item:<key> before the origin write lets that read cache the old one."""
    newer = new_value(ctx)
    with OriginAdmin(ctx) as origin, ThreadPoolExecutor(1) as pool:
        origin.slow_next_write(SLOW_WRITE_MS)
        put = pool.submit(ctx.client().put, f"/items/{key}", json={"value": newer})
        ctx.eventually(lambda: ctx.expect(origin.write_pending(), f"expected PUT /items/{key} "
                                          "to write the origin"), timeout=5, interval=0.02)
        read_value(ctx, key)
        response = put.result()
    ctx.expect_status(response, 200)
    got = read_value(ctx, key)
    ctx.expect(got == newer, f"expected the value {json_text(newer)} from a read of {key} after "
               f"its second PUT answered 200, got {json_text(got)}: a read made while the "
               "origin was still writing cached the old value, so item:<key> was deleted "
               "before the origin write finished. Write the origin first, then delete it")


def cached_then_changed(ctx: CheckContext, topic: str) -> tuple[str, Any]:
    """A key read (so cached) through the app, then changed at the origin behind the
    cache's back: the app must still answer the old value. Returns (key, the new value)."""
    key, old, new = new_key(ctx, topic), new_value(ctx), new_value(ctx)
    with OriginAdmin(ctx) as origin:
        origin.put(key, old)
        read_value(ctx, key)
        origin.put(key, new)
    expect_value(ctx, read_value(ctx, key), old, f"from the cache after the origin changed {key} "
                 "behind its back (the cache should not notice without an event)")
    return key, new


def expect_evicted_by_the_event(ctx: CheckContext, key: str, new: Any) -> None:
    """After the event for `key` was published: its new value within the deadline."""
    published = time.monotonic()

    def fresh() -> None:
        expect_value(ctx, read_value(ctx, key), new,
                     f"within {EVICTION_DEADLINE_S:.0f} s of the invalidation event for {key}")

    ctx.eventually(fresh, timeout=EVICTION_DEADLINE_S, interval=0.05)
    ctx.metric("eviction after the event", round((time.monotonic() - published) * 1000), "ms")


@checks.check(f"An invalidation event on Redis channel {CHANNEL} evicts within 1 s",
              points=10, needs=("miss_then_hit",),
              hint=f"Subscribe to {CHANNEL} in a background thread with its own Redis "
              "connection; each message is an item key: delete item:<key>.")
def invalidation_event_evicts_within_a_second(ctx: CheckContext) -> None:
    key, new = cached_then_changed(ctx, "event")
    listeners = ctx.redis().publish(CHANNEL, key)
    ctx.expect(listeners >= 1, f"expected the app to be subscribed to {CHANNEL}, got "
               f"{listeners} subscribers")
    expect_evicted_by_the_event(ctx, key, new)


REQUEST_SENT = "http11.send_request_body.complete"  # httpcore's trace: the request is out


def read_all_at_once(url: str, key: str, readers: int, all_sent: threading.Event,
                     ) -> list[httpx.Response | Exception]:
    """`readers` GETs of one key released together by a barrier, one connection each;
    `all_sent` is set once every one has been sent whole (or ended without)."""
    barrier = threading.Barrier(readers)
    unsent, count = [readers], threading.Lock()
    limits = httpx.Limits(max_connections=readers, max_keepalive_connections=readers)
    with httpx.Client(base_url=url, timeout=STAMPEDE_TIMEOUT_S, limits=limits) as client:
        def read(_: int) -> httpx.Response | Exception:
            sent = threading.Event()

            def trace(event: str, _info: object) -> None:
                if event == REQUEST_SENT and not sent.is_set():
                    sent.set()
                    with count:
                        unsent[0] -= 1
                        if not unsent[0]:
                            all_sent.set()

            barrier.wait()
            try:
                return client.get(f"/items/{key}", extensions={"trace": trace})
            except httpx.HTTPError as error:
                return error
            finally:
                trace(REQUEST_SENT, None)  # one that failed to send must not be waited for

        with ThreadPoolExecutor(readers) as pool:
            return list(pool.map(read, range(readers)))


@checks.check(f"{STAMPEDE_READERS} concurrent reads of an expired hot key reach the origin at "
              f"most {STAMPEDE_MAX_ORIGIN_READS} times", points=15, needs=("miss_then_hit",),
              hint="Single-flight: let one request per key load from the origin while the "
              "others wait for its result (a per-key lock or a short Redis lock), and look in "
              "the cache again once you hold it.")
def hot_key_expiry_is_single_flight(ctx: CheckContext) -> None:
    key, value = new_key(ctx, "hot"), new_value(ctx)
    with OriginAdmin(ctx) as origin:
        origin.put(key, value)
        read_value(ctx, key)
        ctx.redis().delete(entry_key(key))  # the hot key's TTL runs out
        before = origin.reads().get(key, 0)
        started = time.monotonic()
        answers = stampede(ctx, origin, key)
        ctx.metric("stampede wall time", round((time.monotonic() - started) * 1000), "ms")
        calls = origin.reads().get(key, 0) - before
    ctx.metric("origin reads for the stampede", calls)
    wrong = [a for a in answers if isinstance(a, Exception) or a.status_code != 200
             or value_in(a) != value]
    ctx.expect(not wrong, f"expected {STAMPEDE_READERS} answers 200 with the item, got "
               f"{len(wrong)} others, e.g. {describe(wrong[0]) if wrong else ''}")
    ctx.expect(calls <= STAMPEDE_MAX_ORIGIN_READS,
               f"expected at most {STAMPEDE_MAX_ORIGIN_READS} origin reads for "
               f"{STAMPEDE_READERS} concurrent reads of the expired key {key}, got {calls}")


def stampede(ctx: CheckContext, origin: OriginAdmin, key: str) -> list[httpx.Response | Exception]:
    """The stampede's answers. The origin holds its reads of `key` until every reader's request
    was sent and STAMPEDE_SETTLE_S more passed (STAMPEDE_HOLD_S at most): every request the
    app takes in while its first load is in flight meets an empty cache, however slowly the
    grader sends them, so a service without single-flight reads the origin for each one."""
    all_sent = threading.Event()
    origin.hold_reads(key, STAMPEDE_HOLD_S)
    held = time.monotonic()
    try:
        with ThreadPoolExecutor(1) as pool:
            readers = pool.submit(read_all_at_once, ctx.service_url("app"), key,
                                  STAMPEDE_READERS, all_sent)
            if all_sent.wait(STAMPEDE_HOLD_S):
                ctx.metric("stampede reads all sent after",
                           round((time.monotonic() - held) * 1000), "ms")
                time.sleep(max(0.0, min(STAMPEDE_SETTLE_S,
                                        held + STAMPEDE_HOLD_S - time.monotonic())))
            origin.release_reads()
            return readers.result()
    finally:
        origin.release_reads()  # also when the readers failed: the next check reads at once


def value_in(response: httpx.Response) -> Any:
    """The "value" member of a JSON object answer; NOT_AN_ITEM for any other body."""
    try:
        body = response.json()
    except ValueError:
        return NOT_AN_ITEM
    return body.get("value", NOT_AN_ITEM) if isinstance(body, dict) else NOT_AN_ITEM


NOT_AN_ITEM = object()


def describe(answer: httpx.Response | Exception) -> str:
    if isinstance(answer, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(answer, Exception):
        return f"no HTTP answer ({answer})"
    return f"{answer.status_code} {answer.text[:120]}"


@checks.check("A missing item answers 404 and is served once it appears (no 404 cached "
              "forever)", points=10, hint="Remember a 404 only briefly: a negative entry "
              "expires within NEGATIVE_TTL_SECONDS; never store anything without a TTL.")
def missing_items_are_not_cached_forever(ctx: CheckContext) -> None:
    key, value = new_key(ctx, "missing"), new_value(ctx)
    for _ in range(2):
        response = ctx.http.get(f"/items/{key}")
        ctx.expect_status(response, 404)
    ttl = ctx.redis().ttl(entry_key(key))
    ctx.expect(ttl <= NEGATIVE_TTL_S and ttl != -1,
               f"expected a remembered 404 ({entry_key(key)}) to expire within "
               f"{NEGATIVE_TTL_S} s, got {'no TTL' if ttl == -1 else f'a TTL of {ttl} s'}")
    with OriginAdmin(ctx) as origin:
        origin.put(key, value)

    def served() -> None:
        expect_value(ctx, read_value(ctx, key), value,
                     f"within {APPEARED_S:g} s of {key} appearing at the origin")

    ctx.eventually(served, timeout=APPEARED_S, interval=0.25)


@checks.check("With Redis stopped, reads are served from the origin (no 5xx); caching "
              "resumes when Redis returns", points=15, needs=("miss_then_hit",),
              hint="Treat every Redis error as a miss (short socket timeouts, catch the "
              "errors) and let the client reconnect; never answer 5xx because the cache is down.")
def redis_outage_falls_back_to_the_origin(ctx: CheckContext) -> None:
    items = {new_key(ctx, "outage"): new_value(ctx) for _ in range(3)}
    with OriginAdmin(ctx) as origin:
        for key, value in items.items():
            origin.put(key, value)
    first = next(iter(items))
    read_value(ctx, first)
    ctx.faults.stop("redis")
    try:
        for key, value in items.items():
            for _ in range(2):
                expect_value(ctx, read_value(ctx, key), value, f"from a read of {key} while "
                             "Redis is stopped")
        response = ctx.http.get(f"/items/{new_key(ctx, 'absent')}")
        ctx.expect_status(response, 404)
    finally:
        ctx.faults.start("redis")
    expect_caching_resumes(ctx)


def expect_caching_resumes(ctx: CheckContext) -> None:
    """Redis is back (empty): within RECOVERY_S a new item's second read is a HIT."""
    again = new_key(ctx, "back")
    with OriginAdmin(ctx) as origin:
        origin.put(again, new_value(ctx))

    def cached_again() -> None:
        read_value(ctx, again)
        read_value(ctx, again, cache="HIT")

    ctx.eventually(cached_again, timeout=RECOVERY_S, interval=0.5)


@checks.check(f"After Redis restarts, invalidation events on {CHANNEL} still evict",
              points=5, needs=("invalidation_event_evicts_within_a_second",
                               "redis_outage_falls_back_to_the_origin"),
              hint="A Redis restart drops your subscription's connection: catch the error "
              "in the listener thread, reconnect (with a short pause between tries) and "
              f"subscribe to {CHANNEL} again.")
def invalidation_survives_a_redis_restart(ctx: CheckContext) -> None:
    ctx.faults.stop("redis")
    ctx.faults.start("redis")
    back_at = time.monotonic()
    expect_caching_resumes(ctx)
    key, new = cached_then_changed(ctx, "restart")
    redis = ctx.redis()

    def subscribed() -> None:
        listeners = redis.publish(CHANNEL, key)
        ctx.expect(listeners >= 1, f"expected the app to subscribe to {CHANNEL} again within "
                   f"{RESUBSCRIBE_S} s of Redis coming back, got {listeners} subscribers")

    ctx.eventually(subscribed, timeout=max(0.0, back_at + RESUBSCRIBE_S - time.monotonic()),
                   interval=0.2)
    expect_evicted_by_the_event(ctx, key, new)


NO_CACHE, CACHED = "no cache", "through the cache"


def zipf_sample(ctx: CheckContext, keys: list[str], count: int) -> list[str]:
    weights = [1 / rank ** ZIPF_EXPONENT for rank in range(1, len(keys) + 1)]
    return ctx.random.choices(keys, weights=weights, k=count)


def timed_reads(urls: dict[str, str], reads: list[tuple[str, str]], expected: dict[str, Any],
                workers: int = LOAD_WORKERS) -> tuple[dict[str, list[float]], list[str]]:
    """Send each (target, key) read to urls[target], `workers` at a time, in the given
    order: latencies in ms per target, and the answers that were not 200 with the value."""
    limits = httpx.Limits(max_connections=workers)
    clients = {target: httpx.Client(base_url=url, timeout=10, limits=limits)
               for target, url in urls.items()}

    def read(target_key: tuple[str, str]) -> tuple[str, float, str | None]:
        target, key = target_key
        started = time.perf_counter()
        response = clients[target].get(f"/items/{key}")
        took = (time.perf_counter() - started) * 1000
        right = response.status_code == 200 and value_in(response) == expected[key]
        return target, took, None if right else f"{key}: {describe(response)}"

    try:
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(read, reads))
    finally:
        for client in clients.values():
            client.close()
    latencies: dict[str, list[float]] = {target: [] for target in urls}
    for target, took, _ in results:
        latencies[target].append(took)
    return latencies, [wrong for _, _, wrong in results if wrong]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@checks.check(f"{PARALLEL_MISSES} concurrent first reads of different keys load from the "
              "origin side by side, not one after another", points=5, needs=("miss_then_hit",),
              hint="Lock per key, not per process: a miss of one key must not wait for the "
              "origin read of another.")
def misses_of_different_keys_load_in_parallel(ctx: CheckContext) -> None:
    with OriginAdmin(ctx) as origin:
        values = origin.put_new_items(ctx, "cold", PARALLEL_MISSES)
        latencies, wrong = timed_reads({CACHED: ctx.service_url("app")},
                                       [(CACHED, key) for key in values], values,
                                       workers=PARALLEL_MISSES)
        reads = origin.reads()
        at_once = origin.most_reads_at_once(values)
    slowest = max(latencies[CACHED])
    ctx.metric("slowest of the concurrent misses", round(slowest), "ms")
    ctx.metric("origin reads of the misses at once", at_once)
    ctx.expect(not wrong, f"expected {PARALLEL_MISSES} answers 200 with the item, got "
               f"{len(wrong)} others, e.g. {'; '.join(wrong[:2])}")
    unread = [key for key in values if reads.get(key, 0) != 1]
    ctx.expect(not unread, f"expected one origin read per key, got "
               f"{', '.join(f'{key}: {reads.get(key, 0)}' for key in unread[:3])}")
    ctx.expect(slowest <= MAX_PARALLEL_MISS_MS or at_once >= MIN_READS_AT_ONCE,
               f"expected all {PARALLEL_MISSES} first reads of different keys (origin latency "
               f"{ORIGIN_LATENCY_MS} ms each) answered within {MAX_PARALLEL_MISS_MS} ms, or at "
               f"least {MIN_READS_AT_ONCE} of their origin reads at the same time, the slowest "
               f"took {slowest:.0f} ms and the origin served {at_once} at a time: one after "
               f"another they would take {PARALLEL_MISSES * ORIGIN_LATENCY_MS} ms")


@checks.check(f"Under a Zipf load at least {MIN_HIT_RATIO:.0%} of the reads are hits, by the "
              "origin's own count", points=5, needs=("miss_then_hit",),
              hint="With cache-aside working, repeated reads of popular keys are hits: answered "
              "from Redis, never sent to the origin. Fill item:<key> on every miss, look it up "
              "first on every read.")
def zipf_load_beats_the_no_cache_baseline(ctx: CheckContext) -> None:
    """The verdict is counted, not timed: the origin counts the reads of each Zipf key, so the
    reads the cache let through are known exactly whatever else the grading machine runs. The
    latencies (the baseline's reads shuffled in among the cached ones, so both meet the same
    load) are shown as figures: on a busy grader the app's CPU-bound hit path slows while the
    origin's 150 ms sleep does not, so the ratio of the two p50s says more about the machine
    than about the cache (at load 19-27 the reference's p50 was 102-194 ms, the origin's ~180)."""
    with OriginAdmin(ctx) as origin:
        values = origin.put_new_items(ctx, "zipf", ZIPF_KEYS)
        load = zipf_sample(ctx, list(values), ZIPF_REQUESTS)
        reads = ([(NO_CACHE, key) for key in load[:BASELINE_REQUESTS]]
                 + [(CACHED, key) for key in load])
        ctx.random.shuffle(reads)
        latencies, wrong = timed_reads({NO_CACHE: ctx.service_url("origin"),
                                        CACHED: ctx.service_url("app")}, reads, values)
        counted = origin.reads()
    # The keys are new to this check: every counted read of one is the baseline's or the app's.
    origin_reads = sum(counted.get(key, 0) for key in values) - BASELINE_REQUESTS
    hit_ratio = 1 - origin_reads / len(load)
    figures = {target: (percentile(took, 0.5), percentile(took, 0.99))
               for target, took in latencies.items()}
    ctx.chart("Read latency under a Zipf load (ms)", "bar",
              {"labels": ["p50", "p99"],
               "series": [{"name": target, "values": [round(p, 1) for p in figures[target]]}
                          for target in (NO_CACHE, CACHED)]})
    ctx.chart("Origin reads per 100 requests", "bar",
              {"labels": [NO_CACHE, CACHED],
               "series": [{"name": "origin reads",
                           "values": [100, round(100 * (1 - hit_ratio), 1)]}]})
    ctx.metric("hit ratio", round(hit_ratio, 3))
    ctx.metric("origin reads of the Zipf load", origin_reads)
    for target in (CACHED, NO_CACHE):
        for label, value in zip(("p50", "p99"), figures[target], strict=True):
            ctx.metric(f"{label} {'without a cache' if target == NO_CACHE else target}",
                       round(value, 1), "ms")
    ctx.metric("mean latency through the cache", round(statistics.fmean(latencies[CACHED]), 1),
               "ms")
    ctx.expect(not wrong, f"expected {len(load)} answers 200 with the item, got {len(wrong)} "
               f"others, e.g. {'; '.join(wrong[:2])}")
    most = round(len(load) * (1 - MIN_HIT_RATIO))
    ctx.expect(origin_reads <= most, f"expected at most {most} origin reads for the "
               f"{len(load)} reads of {len(set(load))} distinct keys sent through your service "
               f"(a hit ratio of at least {MIN_HIT_RATIO:.0%}; a cache that fills every miss "
               f"reads each key about once), got {origin_reads} by the origin's count (a hit "
               f"ratio of {hit_ratio:.0%})")
