"""Checks of the rate-limiter lab, in README order: the burst, the 429 and its Retry-After,
refill, the limit across both instances and under simultaneous requests, Redis down.

Every check uses new random API keys, so no check spends another's tokens. Requests that
take long let tokens come back meanwhile (0.5 a second): counts of what passed allow for
that (`allowance`), so a slow sandbox cannot fail a correct limiter.
"""

import itertools
import json
import math
import time

from labs.checks import CheckContext, Checks
from labs.simultaneous import send_together

checks = Checks()

CAPACITY = 5     # lab.toml: RATE_CAPACITY
RATE = 0.5       # lab.toml: RATE_REFILL_PER_SECOND
ECHO = "/api/echo"
LONGEST_RETRY = math.ceil(1 / RATE)
OVER = CAPACITY + 3
SIMULTANEOUS = 2 * CAPACITY
SIMULTANEOUS_ROUNDS = 3  # one round may happen to serialize a racy limiter on a loaded machine
REDIS_DOWN_ANSWER_S = 1.5  # README: within a second; the rest is the grader's own margin
REDIS_BACK_S = 8           # Redis started again: limiting must resume this soon


def new_key(ctx: CheckContext, what: str) -> str:
    return f"{what}-{ctx.random.randrange(16**8):08x}"


def echo(client, key: str | None, document=None):
    """POST /api/echo with `key` (None: no X-Api-Key) and a small JSON body."""
    headers = {} if key is None else {"X-Api-Key": key}
    return client.post(ECHO, json=document if document is not None else {"n": 1},
                       headers=headers)


def allowance(elapsed_s: float) -> int:
    """The most requests a full bucket may let through in `elapsed_s` seconds."""
    return CAPACITY + math.floor(elapsed_s * RATE)


def header_number(ctx: CheckContext, response, name: str) -> int:
    value = response.headers.get(name)
    ctx.expect(value is not None, f"expected the header {name} on the {response.status_code} "
               f"from POST {ECHO}, got none", evidence=response)
    ctx.expect(value.strip().isdigit(), f"expected {name} to be a whole number, got "
               f"{json.dumps(value)}", evidence=response)
    return int(value)


def spend(ctx: CheckContext, client, key: str, count: int):
    """`count` requests of `key` as fast as one client sends them: (responses, seconds)."""
    started = time.monotonic()
    responses = [echo(client, key) for _ in range(count)]
    return responses, time.monotonic() - started


def passed(responses) -> int:
    return sum(response.status_code == 200 for response in responses)


@checks.check("The service answers its health check", points=5,
              hint="Answer GET /healthz with 200, without a key and without a limit.")
def health_answers(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("A request without an API key is refused with 401", points=5,
              hint='Answer POST /api/echo without X-Api-Key with 401 and '
                   '{"error": "missing_api_key"}.')
def missing_api_key_is_401(ctx: CheckContext) -> None:
    response = echo(ctx.http, None)
    ctx.expect_status(response, 401)
    ctx.expect_member(ctx.expect_json(response), "error", "missing_api_key", evidence=response)


@checks.check("A full bucket lets a burst of 5 through", points=10,
              hint="A new key's bucket is full: 5 requests pass with 200, each with "
                   "X-RateLimit-Limit: 5 and X-RateLimit-Remaining counting down from 4.")
def full_bucket_lets_a_burst_through(ctx: CheckContext) -> None:
    key = new_key(ctx, "burst")
    document = {"note": new_key(ctx, "echo"), "n": ctx.random.randrange(1000)}
    left = []
    for number in range(1, CAPACITY + 1):
        response = echo(ctx.http, key, document)
        ctx.expect(response.status_code == 200, f"expected 200 for request {number} of a new "
                   f"key's {CAPACITY}, got {response.status_code} from POST {ECHO}",
                   evidence=response)
        ctx.expect_member(ctx.expect_json(response), "echo", document, evidence=response)
        ctx.expect_equal(header_number(ctx, response, "X-RateLimit-Limit"), CAPACITY,
                         "X-RateLimit-Limit", evidence=response)
        left.append(header_number(ctx, response, "X-RateLimit-Remaining"))
    ctx.expect(left[0] == CAPACITY - 1, f"expected X-RateLimit-Remaining {CAPACITY - 1} after "
               f"the first request of a new key, got {left[0]}")
    ctx.expect(all(a >= b for a, b in itertools.pairwise(left)),
               f"expected X-RateLimit-Remaining to count down, got {', '.join(map(str, left))}")


@checks.check("Each key has its own bucket", points=10,
              hint="Keep a bucket per X-Api-Key (e.g. a Redis key per API key).",
              needs=("full_bucket_lets_a_burst_through",))
def keys_are_limited_separately(ctx: CheckContext) -> None:
    spent, fresh = new_key(ctx, "spent"), new_key(ctx, "fresh")
    spend(ctx, ctx.http, spent, CAPACITY + 1)
    response = echo(ctx.http, fresh)
    ctx.expect(response.status_code == 200, f"expected 200 for a new key after another key "
               f"spent its burst, got {response.status_code} from POST {ECHO}",
               evidence=response)
    ctx.expect_equal(header_number(ctx, response, "X-RateLimit-Remaining"), CAPACITY - 1,
                     "X-RateLimit-Remaining of a new key", evidence=response)


@checks.check("Over the limit: 429 with Retry-After", points=15,
              hint="With less than one token answer 429 {\"error\": \"rate_limited\"}, "
                   "Retry-After in whole seconds rounded up, and X-RateLimit-Remaining: 0.",
              needs=("keys_are_limited_separately",))
def over_the_limit_answers_429(ctx: CheckContext) -> None:
    responses, elapsed = spend(ctx, ctx.http, new_key(ctx, "over"), OVER)
    most = allowance(elapsed)
    ctx.expect(passed(responses) <= most, f"expected at most {most} of {OVER} quick requests "
               f"of a new key to pass, got {passed(responses)} answers 200", evidence=responses[-1])
    limited = [r for r in responses if r.status_code != 200]
    if not limited:
        return  # so slow that every request had its token: nothing more to judge
    response = limited[0]
    ctx.expect_status(response, 429)
    ctx.expect_member(ctx.expect_json(response), "error", "rate_limited", evidence=response)
    retry = header_number(ctx, response, "Retry-After")
    ctx.expect(1 <= retry <= LONGEST_RETRY, f"expected Retry-After between 1 and "
               f"{LONGEST_RETRY} seconds with {RATE:g} tokens a second, got {retry}",
               evidence=response)
    ctx.expect_equal(header_number(ctx, response, "X-RateLimit-Remaining"), 0,
                     "X-RateLimit-Remaining on a 429", evidence=response)


@checks.check("Tokens come back over time", points=15,
              hint="Add RATE_REFILL_PER_SECOND tokens per second since the bucket's last "
                   "update, up to RATE_CAPACITY, and round Retry-After up.",
              needs=("over_the_limit_answers_429",))
def tokens_come_back_over_time(ctx: CheckContext) -> None:
    key = new_key(ctx, "refill")
    responses, _ = spend(ctx, ctx.http, key, CAPACITY + 1)
    ctx.expect_status(responses[-1], 429)
    retry = header_number(ctx, responses[-1], "Retry-After")
    time.sleep(retry + 0.2)
    again = echo(ctx.http, key)
    if again.status_code == 429:
        # which one: a Retry-After too short, or a bucket that never refills? One token more
        time.sleep(1 / RATE + 0.2)
        later = echo(ctx.http, key)
        ctx.expect(later.status_code != 200, f"expected 200 after waiting the Retry-After of "
                   f"{retry} s, got 429 from POST {ECHO}, and 200 only {1 / RATE:g} s later: "
                   f"the Retry-After was too short; it is the wait for the next whole token, "
                   f"(1 - tokens) / {RATE:g} per second, rounded up", evidence=again)
        ctx.expect(False, f"expected 200 after waiting the Retry-After of {retry} s, got 429 "
                   f"from POST {ECHO}, and {later.status_code} {1 / RATE:g} s later: no token "
                   f"came back; a bucket gains {RATE:g} tokens per second since its last update",
                   evidence=later)
    ctx.expect(again.status_code == 200, f"expected 200 after waiting the Retry-After of "
               f"{retry} s, got {again.status_code} from POST {ECHO}", evidence=again)
    started = time.monotonic()
    next_one = echo(ctx.http, key)
    if time.monotonic() - started < 1 / RATE - 0.5:
        ctx.expect(next_one.status_code == 429, "expected 429 for a second request right after "
                   f"the one token that came back, got {next_one.status_code} from POST "
                   f"{ECHO}", evidence=next_one)


@checks.check("The limit holds across both instances", points=15,
              hint="Keep the buckets in Redis, where both instances read and write them, "
                   "not in your process, and give every key you write an expiry.",
              needs=("over_the_limit_answers_429",))
def limit_holds_across_instances(ctx: CheckContext) -> None:
    key = new_key(ctx, "shared")
    replica = ctx.client("replica")
    started = time.monotonic()
    responses = [echo(replica if n % 2 else ctx.http, key) for n in range(OVER)]
    most = allowance(time.monotonic() - started)
    ctx.expect(passed(responses) <= most, f"expected at most {most} of {OVER} requests of one "
               f"key, sent in turn to app and replica, to pass, got {passed(responses)} answers "
               "200: each instance kept its own bucket", evidence=responses[-1])
    forever = keys_without_expiry(ctx)
    ctx.expect(not forever, f"expected every key in Redis to expire (a bucket untouched for "
               f"{CAPACITY / RATE:g} s is full again, so it may go), got {len(forever)} "
               f"without a TTL, e.g. {', '.join(forever[:3])}")


def keys_without_expiry(ctx: CheckContext) -> list[str]:
    """The keys in Redis that would live forever (TTL -1), read from the grader's side."""
    redis = ctx.redis()
    return [name.decode(errors="replace") for name in redis.scan_iter(count=500)
            if redis.ttl(name) == -1]


@checks.check("Simultaneous requests cannot overdraw a bucket", points=15,
              hint="Read, decide and write the bucket in one atomic step: a Lua script, or "
                   "WATCH/MULTI/EXEC retried when the bucket changed.",
              needs=("over_the_limit_answers_429",))
def simultaneous_requests_cannot_overdraw(ctx: CheckContext) -> None:
    for round_number in range(1, SIMULTANEOUS_ROUNDS + 1):
        key = new_key(ctx, "together")
        started = time.monotonic()
        responses = send_together(ctx.http, SIMULTANEOUS, "POST", ECHO, b'{"n": 1}',
                                  {"X-Api-Key": key, "Content-Type": "application/json"})
        most = allowance(time.monotonic() - started)
        statuses = sorted(response.status_code for response in responses)
        ctx.expect(set(statuses) <= {200, 429}, f"expected only 200 and 429, got "
                   f"{', '.join(map(str, statuses))}")
        ctx.expect(CAPACITY <= passed(responses) <= most, f"expected {CAPACITY} of "
                   f"{SIMULTANEOUS} simultaneous requests of a new key to pass, got "
                   f"{passed(responses)} answers 200 (round {round_number} of "
                   f"{SIMULTANEOUS_ROUNDS})")


@checks.check("Redis down: requests still pass", points=10,
              hint="Catch redis.RedisError and let the request through (fail open: 200 with "
                   "the echo, no X-RateLimit-Remaining), with short socket timeouts; limit "
                   "again once Redis is back.",
              needs=("full_bucket_lets_a_burst_through",))
def redis_down_fails_open(ctx: CheckContext) -> None:
    key = new_key(ctx, "outage")
    ctx.faults.stop("redis")
    try:
        started = time.monotonic()
        response = echo(ctx.http, key)
        took = time.monotonic() - started
        ctx.expect(response.status_code == 200, f"expected 200 while Redis is down (fail "
                   f"open), got {response.status_code} from POST {ECHO}", evidence=response)
        ctx.expect(took <= REDIS_DOWN_ANSWER_S, f"expected an answer within a second while "
                   f"Redis is down, got one after {took:.1f} s", evidence=response)
        ctx.expect_member(ctx.expect_json(response), "echo", {"n": 1}, evidence=response)
        left = response.headers.get("X-RateLimit-Remaining")
        ctx.expect(left is None, f"expected no X-RateLimit-Remaining header while Redis is "
                   f"down (the limit is off: there is no count to give), got "
                   f"X-RateLimit-Remaining: {left}", evidence=response)
    finally:
        ctx.faults.start("redis")

    def limited_again() -> None:
        again = echo(ctx.http, new_key(ctx, "back"))
        ctx.expect(again.status_code == 200 and "X-RateLimit-Remaining" in again.headers,
                   "expected 200 with X-RateLimit-Remaining once Redis is back, got "
                   f"{again.status_code} without it", evidence=again)

    ctx.eventually(limited_again, timeout=REDIS_BACK_S)
