"""Checks of the saga lab, from a single happy order to 50 concurrent orders under faults.

Every check makes its own products (random SKUs from `ctx.random`) and orders, sets the
stubs' fault knobs for exactly the fault it studies, and judges by the order's final status
and the services' ledgers (labs/saga/invariants.py), never by the app's own word alone.
"""

from __future__ import annotations

import json
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from labs.checks import CheckContext, CheckFailed, Checks
from labs.evidence import json_text
from labs.restarted import wait_healthy
from labs.saga.invariants import (
    FINAL_STATUSES,
    calls_story,
    charges_of,
    net_charged,
    order_problems,
    outcome_problem,
    parse_time,
    step_timeline,
    stock_problems,
)

checks = Checks()

ROLES = ("inventory", "payment", "shipping")
PRODUCTS = ("mug", "teapot", "lamp", "kettle", "notebook", "scarf", "candle", "poster")
START_TIMEOUT_S = 3.0      # a saga must make its first call this soon after POST /orders
SAGA_TIMEOUT_S = 10.0       # a saga without injected delays must end well within this
CALL_TIMEOUT_S = 1.0        # the README's upper bound on the app's calls to a service
# The slow charge: half a second over CALL_TIMEOUT_S, so a call that gives up after 1 s
# (plus a loaded machine's lag) always retries, and half a second under 2 s, so a service
# that waits 2 s for an answer hears this one and never calls again: rule 2 as written.
SLOW_CALL_MS = 1500
KILLED_CALL_MS = 3000       # the charge in flight while the grader kills the app
SETTLE_S = 0.3              # after a slow call's delay, until its effect is in the books
CONCURRENT_ORDERS = 50
CONCURRENT_CLIENTS = 10     # the concurrent orders are placed this many at a time
CONCURRENT_START_S = 10.0   # the first concurrent order's saga calls inventory this soon
CONCURRENT_FINAL_S = 30.0   # every concurrent order is final this soon
CHARGE_REACHED_S = 5.0      # the killed saga reaches its (slow) charge this soon
RESTART_READY_S = 20.0      # the restarted app answers GET /healthz this soon (lab.toml)
RECOVERED_S = 15.0          # the killed saga's order is final this soon after that
MAX_FAILS_IN_A_ROW = 6      # the README: no call fails more often than this in a row
COMPENSATION_FAILURES = (2, 4)  # a failing compensation answers 503 this many times
# The concurrent check's faults, per (service, action): a knob's count is drawn from its
# (low, high) range; the 50 orders meet them in order of arrival.
RANDOM_FAULTS: dict[tuple[str, str], dict[str, int | tuple[int, int]]] = {
    ("inventory", "reserve"): {"fail_next": (2, 5)},
    ("inventory", "release"): {"fail_next": (1, 3)},
    ("payment", "charge"): {"fail_next": (3, 6), "fail_status": 402, "crash_next": (2, 4),
                            "delay_next": (2, 4), "delay_ms": 1500},
    ("payment", "refund"): {"fail_next": (1, 3)},
    ("shipping", "ship"): {"fail_next": (2, 5), "fail_status": 422, "delay_next": (3, 8),
                           "delay_ms": 300},
}


# --- the lab's services, as the grader sees them -------------------------------------------

class Stubs:
    """Admin access to the inventory, payment and shipping stubs."""

    def __init__(self, ctx: CheckContext) -> None:
        self.urls = {role: ctx.service_url(role) for role in ROLES}

    def admin(self, role: str, path: str, body: dict[str, Any]) -> Any:
        response = httpx.post(self.urls[role] + path, json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def read(self, role: str, path: str) -> Any:
        response = httpx.get(self.urls[role] + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def reset_faults(self) -> None:
        for role in ROLES:
            self.admin(role, "/admin/reset", {})

    def fault(self, role: str, action: str, **knobs: int) -> None:
        self.admin(role, "/admin/faults", {"action": action, **knobs})

    def set_stock(self, levels: dict[str, int]) -> None:
        self.admin("inventory", "/admin/stock", levels)

    def ledgers(self) -> dict[str, dict[str, Any]]:
        return {role: self.read(role, "/admin/ledger") for role in ROLES}

    def calls(self, role: str, action: str, order_id: str) -> list[dict[str, Any]]:
        requests = self.read(role, "/admin/requests")["requests"]
        return [r for r in requests if r["action"] == action and r["order_id"] == order_id]

    def calls_by_order(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Every business call the three services logged: order id -> action -> calls."""
        by_order: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for role in ROLES:
            for call in self.read(role, "/admin/requests")["requests"]:
                by_order.setdefault(str(call["order_id"]), {}).setdefault(
                    call["action"], []).append(call)
        return by_order


def stubs_for(ctx: CheckContext) -> Stubs:
    """Stub clients for this check, with every fault knob back to zero."""
    stubs = Stubs(ctx)
    stubs.reset_faults()
    return stubs


# --- orders --------------------------------------------------------------------------------

def new_items(ctx: CheckContext, count: int = 2) -> list[dict[str, Any]]:
    """Order lines for products no other check uses (a random tag in each SKU)."""
    names = ctx.random.sample(PRODUCTS, count)
    return [{"sku": f"{name}-{ctx.random.randrange(10**6):06d}", "qty": ctx.random.randint(1, 3),
             "unit_price_cents": ctx.random.randint(199, 9999)} for name in names]


def order_body(ctx: CheckContext, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"customer_id": f"cust-{ctx.random.randrange(10**6)}", "items": items}


def total_of(items: list[dict[str, Any]]) -> int:
    return sum(item["qty"] * item["unit_price_cents"] for item in items)


def stock_for(items: list[dict[str, Any]], spare: int = 5) -> dict[str, int]:
    return {item["sku"]: item["qty"] + spare for item in items}


def place(ctx: CheckContext, body: dict[str, Any]) -> str:
    """POST /orders; the new order's id. Only the first check insists on 202, so one
    wrong status code costs one check."""
    response = ctx.http.post("/orders", json=body)
    ctx.expect_status(response, (200, 201, 202))
    order = ctx.expect_json(response)
    ctx.expect(isinstance(order, dict) and isinstance(order.get("id"), str) and order["id"],
               f"expected a JSON object with a string id, got {json_text(order)}",
               evidence=response)
    return order["id"]


def fetch(ctx: CheckContext, order_id: str) -> dict[str, Any]:
    response = ctx.http.get(f"/orders/{order_id}")
    ctx.expect_status(response, 200)
    order = ctx.expect_json(response)
    ctx.expect(isinstance(order, dict) and isinstance(order.get("status"), str),
               f"expected an order object with a string status, got {json_text(order)}",
               evidence=response)
    items = order.get("items")
    ctx.expect(isinstance(order.get("total_cents"), int) and isinstance(items, list) and all(
        isinstance(i, dict) and isinstance(i.get("sku"), str) and isinstance(i.get("qty"), int)
        for i in items), f"expected total_cents and the items as posted in the order, got "
        f"total_cents {json_text(order.get('total_cents'))} and items {json_text(items)}",
        evidence=response)
    return order


def wait_final(ctx: CheckContext, order_id: str, timeout: float = SAGA_TIMEOUT_S,
               ) -> dict[str, Any]:
    """The order once its status is final; fails naming the status it got stuck in."""
    def final() -> dict[str, Any]:
        order = fetch(ctx, order_id)
        ctx.expect(order["status"] in FINAL_STATUSES,
                   f"expected order {order_id} to reach a final status "
                   f"({', '.join(FINAL_STATUSES)}) within {timeout:.0f}s, got "
                   f"{json_text(order['status'])}", evidence=ctx.last_exchange())
        return order

    return ctx.eventually(final, timeout=timeout, interval=0.1)


def expect_status(ctx: CheckContext, order: dict[str, Any], wanted: str, why: str) -> None:
    ctx.expect(order["status"] == wanted,
               f"expected order {order['id']} to end {wanted} ({why}), got {order['status']}",
               evidence=json.dumps(order, indent=1))


def expect_consistent(ctx: CheckContext, order: dict[str, Any],
                      ledgers: dict[str, dict[str, Any]]) -> None:
    problems = order_problems(order, ledgers)
    ctx.expect(not problems, "; ".join(problems), evidence=ledger_evidence(order["id"], ledgers))


def ledger_evidence(order_id: str, ledgers: dict[str, dict[str, Any]]) -> str:
    """The ledger entries of one order, as evidence for a failure."""
    payment = ledgers["payment"]
    return json.dumps({
        "reservation": ledgers["inventory"]["reservations"].get(order_id),
        "charges": charges_of(payment, order_id),
        "refunds": [r for r in payment["refunds"] if r["order_id"] == order_id],
        "shipment": ledgers["shipping"]["shipments"].get(order_id),
    }, indent=1)


def chart_steps(ctx: CheckContext, title: str, order: dict[str, Any]) -> None:
    rows = step_timeline(order)
    if rows:
        ctx.chart(f"Saga steps: {title}", "timeline", {"rows": rows})


def expect_saga_started(ctx: CheckContext, stubs: Stubs, order_id: str,
                        timeout: float = START_TIMEOUT_S) -> None:
    """Fail fast when no saga runs at all, instead of waiting for a final state in vain."""
    def reserve_called() -> None:
        ctx.expect(stubs.calls("inventory", "reserve", order_id),
                   f"expected the saga of order {order_id} to call inventory (POST "
                   f"/reservations) within {timeout:.0f}s, got no call")

    ctx.eventually(reserve_called, timeout=timeout)


def run_saga(ctx: CheckContext, stubs: Stubs, items: list[dict[str, Any]],
             stock: dict[str, int] | None = None) -> dict[str, Any]:
    """Stock the items, place an order for them and wait for its final state."""
    stubs.set_stock(stock or stock_for(items))
    order_id = place(ctx, order_body(ctx, items))
    expect_saga_started(ctx, stubs, order_id)
    return wait_final(ctx, order_id)


# --- the checks ----------------------------------------------------------------------------

@checks.check("Placing an order answers 202 with a Location to read it back", points=8,
              hint="POST /orders stores the order, starts its saga in the background and "
                   "answers 202 Accepted at once, with the order as JSON and a Location "
                   "header /orders/{id}.")
def order_is_accepted_with_202_and_location(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    items = new_items(ctx)
    stubs.set_stock(stock_for(items))
    body = order_body(ctx, items)
    response = ctx.http.post("/orders", json=body)
    ctx.expect_status(response, 202)
    created = ctx.expect_json(response)
    ctx.expect(isinstance(created, dict) and isinstance(created.get("id"), str)
               and created["id"], f"expected the order with a string id, got "
               f"{json_text(created)}",
               evidence=response)
    location = response.headers.get("Location", "")
    ctx.expect(location.endswith(f"/orders/{created['id']}"),
               f"expected a Location header ending in /orders/{created['id']}, got "
               f"{json_text(location) if location else 'none'}", evidence=response)
    order = fetch(ctx, created["id"])
    for field, wanted in (("id", created["id"]), ("customer_id", body["customer_id"]),
                          ("total_cents", total_of(items)), ("items", items)):
        ctx.expect(order.get(field) == wanted, f"expected {field} {json_text(wanted)} in GET "
                   f"/orders/{created['id']}, got {json_text(order.get(field))}",
                   evidence=response)


@checks.check("A malformed order is refused with 400, an unknown order is 404", points=5,
              hint="Validate customer_id (non-empty string) and items (non-empty list of "
                   "{sku, qty >= 1, unit_price_cents >= 0}) before storing anything.")
def bad_requests_are_refused(ctx: CheckContext) -> None:
    good = new_items(ctx, 1)[0]
    bodies = [
        {"items": [good]},
        {"customer_id": "c-1", "items": []},
        {"customer_id": "c-1", "items": [{**good, "qty": 0}]},
        {"customer_id": "c-1", "items": [{**good, "qty": "2"}]},
        {"customer_id": "c-1", "items": [{**good, "unit_price_cents": -5}]},
        {"customer_id": "c-1", "items": [{"qty": 1, "unit_price_cents": 100}]},
    ]
    for body in bodies:
        ctx.expect_status(ctx.http.post("/orders", json=body), 400)
    ctx.expect_status(ctx.http.post("/orders", content=b"{not json",
                                    headers={"Content-Type": "application/json"}), 400)
    ctx.expect_status(ctx.http.get(f"/orders/no-such-order-{ctx.random.randrange(10**9)}"), 404)


@checks.check("The happy path reserves, charges once and ships", points=10,
              hint="Run reserve -> charge -> ship in that order, each with the order's id; "
                   "the order ends COMPLETED with exactly its total charged.")
def happy_path_completes(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    order = run_saga(ctx, stubs, new_items(ctx, ctx.random.randint(1, 3)))
    chart_steps(ctx, "happy path", order)
    expect_status(ctx, order, "COMPLETED", "no step failed")
    ledgers = stubs.ledgers()
    expect_consistent(ctx, order, ledgers)
    charges = charges_of(ledgers["payment"], order["id"])
    ctx.expect(len(charges) == 1, f"expected exactly 1 charge for order {order['id']}, got "
               f"{len(charges)}", evidence=ledger_evidence(order["id"], ledgers))
    ctx.state["happy_order"] = order


@checks.check("GET /orders/{id} lists the saga's steps with their timestamps", points=8,
              needs=("happy_path_completes",),
              hint="Keep one row per step in your saga log (name, status, started_at, "
                   "finished_at) and show them in the order they ran.")
def order_shows_its_steps_with_timestamps(ctx: CheckContext) -> None:
    order = ctx.state["happy_order"]
    evidence = json.dumps(order, indent=1)
    steps = order.get("steps")
    ctx.expect(isinstance(steps, list), f"expected a list in steps, got {json_text(steps)}",
               evidence=evidence)
    names = [step.get("name") for step in steps if isinstance(step, dict)]
    ctx.expect(names == ["reserve", "charge", "ship"], f"expected the steps reserve, charge, "
               f"ship in that order, got {json_text(names)}", evidence=evidence)
    ctx.expect(parse_time(order.get("created_at")) is not None, f"expected created_at as an "
               f"ISO-8601 time with a zone, got {json_text(order.get('created_at'))}",
               evidence=evidence)
    previous_end = None
    for step in steps:
        ctx.expect(step.get("status") == "succeeded", f"expected step {step['name']} "
                   f"\"succeeded\", got {json_text(step.get('status'))}", evidence=evidence)
        start, end = parse_time(step.get("started_at")), parse_time(step.get("finished_at"))
        ctx.expect(start is not None and end is not None and start <= end,
                   f"expected step {step['name']} to have ISO-8601 started_at <= finished_at, "
                   f"got {json_text(step.get('started_at'))} and "
                   f"{json_text(step.get('finished_at'))}",
                   evidence=evidence)
        ctx.expect(previous_end is None or previous_end <= start,
                   f"expected step {step['name']} to start after the previous step finished",
                   evidence=evidence)
        previous_end = end


@checks.check("Out of stock: the order is REJECTED and nothing is charged", points=8,
              needs=("happy_path_completes",),
              hint="A 409 from inventory is a definite no: nothing was done, so there is "
                   "nothing to compensate. Do not call payment or shipping.")
def out_of_stock_rejects_without_charging(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    items = new_items(ctx)
    short = ctx.random.choice(items)
    stock = {**stock_for(items), short["sku"]: short["qty"] - 1}
    stubs.set_stock(stock)
    order_id = place(ctx, order_body(ctx, items))
    expect_saga_started(ctx, stubs, order_id)
    try:
        order = wait_final(ctx, order_id)
    except CheckFailed:
        expect_no_taken_as_final(ctx, stubs, order_id, ("inventory", "reserve", 409),
                                 "POST /reservations", "REJECTED")
        raise
    chart_steps(ctx, "out of stock", order)
    expect_status(ctx, order, "REJECTED", f"only {short['qty'] - 1} of {short['sku']} in stock")
    ledgers = stubs.ledgers()
    expect_consistent(ctx, order, ledgers)
    calls = stubs.calls("payment", "charge", order["id"])
    ctx.expect(not calls, f"expected no charge attempt for a rejected order, got {len(calls)}",
               evidence=json.dumps(calls, indent=1))
    expect_stock(ctx, ledgers, stock, "untouched by a rejected order")


def expect_no_taken_as_final(ctx: CheckContext, stubs: Stubs, order_id: str,
                             said_no: tuple[str, str, int], call: str, final: str) -> None:
    """The order is not final in time: when the call that got a definite no (`said_no`:
    role, action, 4xx status) was made again, that is the cause (a 4xx retried as if its
    outcome were unknown), said in its terms."""
    role, action, status = said_no
    calls = stubs.calls(role, action, order_id)
    answers = [str(c["outcome"]) for c in calls]
    if str(status) not in answers[:-1]:
        return
    again = len(answers) - 1 - answers.index(str(status))
    shown = ", ".join(answers[:8]) + (", ..." if len(answers) > 8 else "")
    raise CheckFailed(
        f"expected the saga of order {order_id} to take {role}'s {status} as a definite no "
        f"(README rule 3: a 4xx answer is not retried) and end {final}, got {call} called "
        f"{again} more time(s) after the {status} (answers: {shown})",
        json.dumps({f"{call} calls": calls}, indent=1))


@checks.check("A declined payment releases the reserved stock", points=10,
              # a 402 is a definite no like the 409 out of stock: no retry
              needs=("out_of_stock_rejects_without_charging",),
              hint="A 402 from payment is a definite no: compensate the steps that "
                   "succeeded, in reverse (release the reservation), then end CANCELLED.")
def declined_payment_releases_inventory(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    stubs.fault("payment", "charge", fail_next=1, fail_status=402)
    expect_cancelled_and_undone(ctx, stubs, "payment declined", "payment answered 402 declined")


@checks.check("A shipping failure refunds the payment and releases the stock", points=8,
              # its release is the declined payment's compensation
              needs=("declined_payment_releases_inventory",),
              hint="A 422 from shipping (no courier) means: refund, then release, then "
                   "CANCELLED. Compensations run in reverse order of the steps.")
def shipping_failure_refunds_and_releases(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    stubs.fault("shipping", "ship", fail_next=1, fail_status=422)
    order = expect_cancelled_and_undone(ctx, stubs, "shipping failed",
                                        "shipping answered 422 no courier")
    expect_refund_before_release(ctx, stubs, order["id"])


def expect_refund_before_release(ctx: CheckContext, stubs: Stubs, order_id: str) -> None:
    """Compensations run last step first: no release call may reach inventory before
    payment answered a refund with 200 (judged from the stubs' own request logs)."""
    refunds = stubs.calls("payment", "refund", order_id)
    releases = stubs.calls("inventory", "release", order_id)
    evidence = json.dumps({"refund calls": refunds, "release calls": releases}, indent=1)
    refunded = [call["answered_at"] for call in refunds if call["outcome"] == 200]
    ctx.expect(refunded, f"expected payment to answer 200 to a POST /refunds for order "
               f"{order_id}, got no such answer", evidence=evidence)
    early = [call["at"] for call in releases if call["at"] < min(refunded)]
    if early:
        raise CheckFailed(f"expected POST /reservations/{order_id}/release only after payment "
                          "answered the refund with 200 (compensate in reverse: refund, then "
                          f"release), got {len(early)} release call(s) before that answer, "
                          f"the first {min(refunded) - min(early):.2f} s before", evidence=evidence)


def expect_cancelled_and_undone(ctx: CheckContext, stubs: Stubs, scenario: str, why: str,
                                failing: tuple[str, str, int] | None = None) -> dict[str, Any]:
    """Run a saga the stubs will make fail: it must end CANCELLED with every step undone.
    `failing`: (role, action, n) of a compensation the stubs fail n times with 503, whose
    retries are judged before the books they leave."""
    items = new_items(ctx)
    order = run_saga(ctx, stubs, items)
    chart_steps(ctx, scenario, order)
    expect_status(ctx, order, "CANCELLED", why)
    if failing is not None:
        expect_retried_until_done(ctx, stubs, order["id"], *failing)
    ledgers = stubs.ledgers()
    expect_consistent(ctx, order, ledgers)
    expect_stock(ctx, ledgers, stock_for(items), "back after the compensation")
    return order


def expect_stock(ctx: CheckContext, ledgers: dict[str, dict[str, Any]],
                 wanted: dict[str, int], why: str) -> None:
    stock = ledgers["inventory"]["stock"]
    got = {sku: stock.get(sku) for sku in wanted}
    ctx.expect(got == wanted, f"expected the stock {why}: {json_text(wanted)}, got "
               f"{json_text(got)}",
               evidence=json.dumps(stock))


def expect_one_charge_key(ctx: CheckContext, order_id: str, calls: list[dict[str, Any]],
                          charges: list[Any], evidence: str, when: str = "") -> None:
    """Every charge call of the order sent one and the same Idempotency-Key."""
    keys = {call["idempotency_key"] for call in calls}
    ctx.expect(len(keys) <= 1 and None not in keys, f"expected every attempt of the charge of "
               f"order {order_id}{when} to send the same Idempotency-Key, got {len(keys)} keys "
               f"{sorted(map(str, keys))}: payment takes a new key for a new charge, and "
               f"charged {len(charges)} times", evidence=evidence)


def expect_single_retried_charge(ctx: CheckContext, stubs: Stubs, order: dict[str, Any],
                                 ledgers: dict[str, dict[str, Any]], unanswered: str) -> None:
    """Exactly one charge, after at least two attempts that all sent one key. `unanswered`:
    why the first attempt got no answer the app may wait for, and what it must do then."""
    calls = stubs.calls("payment", "charge", order["id"])
    ctx.metric("charge attempts", len(calls))
    charges = charges_of(ledgers["payment"], order["id"])
    evidence = json.dumps({"charge calls": calls, "charges": charges}, indent=1)
    ctx.expect(len(calls) >= 2, f"expected POST /charges of order {order['id']} called again "
               f"with the same Idempotency-Key: {unanswered}; got {len(calls)} charge call",
               evidence=evidence)
    expect_one_charge_key(ctx, order["id"], calls, charges, evidence)
    ctx.expect(len(charges) == 1, f"expected exactly 1 charge for order {order['id']}, got "
               f"{len(charges)}", evidence=evidence)


@checks.check("A charge whose answer is lost is retried, not charged twice", points=5,
              needs=("happy_path_completes",),
              hint="When the connection drops before the answer, the charge may have "
                   "happened: retry with the same Idempotency-Key and payment replays it.")
def lost_payment_answer_is_not_charged_twice(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    stubs.fault("payment", "charge", crash_next=1)
    expect_charged_once_after_retry(
        ctx, stubs, "charge answer lost", "the charge went through; only its answer was lost",
        0.0, "payment dropped the connection of the first call without an answer, an "
        "unknown outcome to retry (README rule 3)")


@checks.check("A slow payment is retried with the same key and charged once", points=10,
              # a call that timed out is an answer lost, and is retried the same way
              needs=("lost_payment_answer_is_not_charged_twice",),
              hint="Give every call a timeout (at most 1 s). A timeout is an unknown "
                   "outcome, not a failure: retry the charge with the same Idempotency-Key "
                   "until you get an answer.")
def slow_payment_is_retried_with_the_same_key(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    stubs.fault("payment", "charge", delay_next=1, delay_ms=SLOW_CALL_MS)
    expect_charged_once_after_retry(
        ctx, stubs, "slow payment", "the payment was slow, not declined", SLOW_CALL_MS / 1000,
        f"the first call took {SLOW_CALL_MS / 1000:g} s, and every call must time out within "
        f"{CALL_TIMEOUT_S:g} s (README rule 2), then be retried; a service that waited "
        f"{SLOW_CALL_MS / 1000:g} s for payment's 201 has a longer timeout, or none")


def expect_charged_once_after_retry(ctx: CheckContext, stubs: Stubs, scenario: str, why: str,
                                    settle_s: float, unanswered: str) -> None:
    """Run a saga whose first charge answer never arrives in time: it must end COMPLETED,
    charged once, after retries with one key. `settle_s`: how long the stub may still be
    working on the first attempt (judging earlier would miss a late double charge)."""
    started = time.monotonic()
    order = run_saga(ctx, stubs, new_items(ctx))
    ctx.metric(f"saga duration, {scenario}", round(time.monotonic() - started, 2), "s")
    chart_steps(ctx, scenario, order)
    time.sleep(max(0.0, started + settle_s + SETTLE_S - time.monotonic()))
    ledgers = stubs.ledgers()
    expect_status(ctx, order, "COMPLETED", why)
    # the keys first: a charge per new key is the cause, the wrong net charge its symptom
    expect_single_retried_charge(ctx, stubs, order, ledgers, unanswered)
    expect_consistent(ctx, order, ledgers)


@checks.check("A failing compensation is retried until it succeeds", points=8,
              needs=("declined_payment_releases_inventory",
                     "shipping_failure_refunds_and_releases"),
              hint="Compensations must not give up: retry them (with backoff) until the "
                   "service says yes. They are idempotent, so repeating is safe.")
def failing_compensation_is_retried_until_done(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    failures = ctx.random.randint(*COMPENSATION_FAILURES)
    if ctx.random.random() < 0.5:
        scenario, role, action = "release fails", "inventory", "release"
        stubs.fault("payment", "charge", fail_next=1, fail_status=402)
    else:
        scenario, role, action = "refund fails", "payment", "refund"
        stubs.fault("shipping", "ship", fail_next=1, fail_status=422)
    stubs.fault(role, action, fail_next=failures, fail_status=503)
    order = expect_cancelled_and_undone(ctx, stubs, scenario,
                                        f"{scenario} {failures} times, then succeeds",
                                        failing=(role, action, failures))
    calls = stubs.calls(role, action, order["id"])
    ctx.metric(f"{action} attempts", len(calls))


def expect_retried_until_done(ctx: CheckContext, stubs: Stubs, order_id: str, role: str,
                              action: str, failures: int) -> None:
    """The compensation answered 503 `failures` times: it must have been called again until
    it answered 2xx (the cause; the books left undone are its symptom)."""
    calls = stubs.calls(role, action, order_id)
    done = [call for call in calls if isinstance(call["outcome"], int)
            and 200 <= call["outcome"] < 300]
    ctx.expect(done, f"expected the {action} of order {order_id} retried until {role} "
               f"answered 2xx: it answered 503 to the first {failures} calls, got "
               f"{len(calls)} call(s) ({', '.join(str(c['outcome']) for c in calls) or 'none'}) "
               "and the order CANCELLED anyway: a compensation must not give up",
               evidence=json.dumps({f"{action} calls": calls}, indent=1))


@checks.check("The orchestrator killed mid-saga finishes the order after a restart",
              # the kill cuts the charge off (its answer is lost), and the resumed charge
              # waits on the 3 s one still running at payment (a slow call)
              points=10, needs=("slow_payment_is_retried_with_the_same_key",),
              hint="Persist the saga's state in PostgreSQL before and after every step; at "
                   "start-up, resume every order that is not final (same keys, so repeats "
                   "are harmless).")
def orchestrator_killed_mid_saga_recovers(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    stubs.fault("payment", "charge", delay_next=1, delay_ms=KILLED_CALL_MS)
    items = new_items(ctx)
    stubs.set_stock(stock_for(items))
    started = time.monotonic()
    order_id = place(ctx, order_body(ctx, items))

    def charge_in_flight() -> None:
        ctx.expect(stubs.calls("payment", "charge", order_id),
                   f"expected the saga to reach the charge step within {CHARGE_REACHED_S:g}s, "
                   "got no charge call")

    ctx.eventually(charge_in_flight, timeout=CHARGE_REACHED_S)
    ctx.faults.kill("app")
    ctx.faults.start("app")
    wait_healthy(ctx, timeout=RESTART_READY_S)
    order = wait_final(ctx, order_id, timeout=RECOVERED_S)
    time.sleep(max(0.0, started + KILLED_CALL_MS / 1000 + SETTLE_S - time.monotonic()))
    ctx.metric("order final after the kill", round(time.monotonic() - started, 2), "s")
    chart_steps(ctx, "orchestrator killed during the charge", order)
    ledgers = stubs.ledgers()
    calls = stubs.calls("payment", "charge", order_id)
    charges = charges_of(ledgers["payment"], order_id)
    # the keys first: a charge resumed under a new key is the cause of a double charge
    expect_one_charge_key(ctx, order_id, calls, charges,
                          json.dumps({"charge calls": calls, "charges": charges}, indent=1),
                          when=" before and after the restart")
    expect_consistent(ctx, fetch(ctx, order_id), ledgers)


@checks.check(f"{CONCURRENT_ORDERS} concurrent orders under random faults keep the books "
              "straight", points=10,
              # the orders meet every fault the checks above study one at a time
              needs=("out_of_stock_rejects_without_charging",
                     "declined_payment_releases_inventory",
                     "shipping_failure_refunds_and_releases",
                     "lost_payment_answer_is_not_charged_twice",
                     "slow_payment_is_retried_with_the_same_key",
                     "failing_compensation_is_retried_until_done"),
              hint="Every order must end final; money charged must equal the totals of "
                   "COMPLETED orders and stock must equal what they took. Look for steps "
                   "that give up, compensations that skip a step, or shared in-memory state.")
def concurrent_orders_keep_the_invariants(ctx: CheckContext) -> None:
    stubs = stubs_for(ctx)
    catalogue = new_items(ctx, 4)
    stock = {item["sku"]: ctx.random.randint(30, 60) for item in catalogue}
    stock[catalogue[0]["sku"]] = ctx.random.randint(2, 5)   # scarce: some orders are rejected
    stubs.set_stock(stock)
    inject_random_faults(ctx, stubs)
    bodies = []
    for _ in range(CONCURRENT_ORDERS):
        lines = ctx.random.sample(catalogue, ctx.random.randint(1, 2))
        bodies.append(order_body(ctx, [{**line, "qty": ctx.random.randint(1, 3)}
                                       for line in lines]))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENT_CLIENTS) as pool:
        order_ids = list(pool.map(lambda body: place(ctx, body), bodies))
    expect_saga_started(ctx, stubs, order_ids[0], timeout=CONCURRENT_START_S)
    finished_at = watch_until_final(ctx, order_ids, started, timeout=CONCURRENT_FINAL_S)
    orders = [fetch(ctx, order_id) for order_id in order_ids]
    report_outcomes(ctx, orders, finished_at)
    ledgers, calls = stubs.ledgers(), stubs.calls_by_order()
    wrong = {order["id"]: problem for order in orders
             if (problem := order_outcome_problem(order, ledgers, calls.get(order["id"], {})))}
    ctx.expect(not wrong, f"{len(wrong)} of {len(orders)} orders ended wrong: "
               + "; ".join(list(wrong.values())[:3])
               + (f"; and {len(wrong) - 3} more (see the evidence)" if len(wrong) > 3 else ""),
               evidence=wrong_orders_evidence(wrong, ledgers))
    # every order's books match its status, so these hold unless the books are wrong overall
    problems = stock_problems(stock, ledgers["inventory"]["stock"], orders)
    charged = sum(net_charged(ledgers["payment"], o["id"]) for o in orders)
    owed = sum(o["total_cents"] for o in orders if o["status"] == "COMPLETED")
    if charged != owed:
        problems.append(f"expected money charged ({charged} cents) to equal the totals of "
                        f"COMPLETED orders ({owed} cents)")
    ctx.expect(not problems, f"{len(problems)} inconsistencies: " + "; ".join(problems[:5]),
               evidence="\n".join(problems))


def order_outcome_problem(order: dict[str, Any], ledgers: dict[str, dict[str, Any]],
                          calls: dict[str, list[dict[str, Any]]]) -> str | None:
    """What is wrong with one concurrent order, said once: a status the services' answers do
    not call for (with those answers), else books that disagree with its status (with the
    calls that left them so), else None."""
    problem = outcome_problem(order, calls)
    if problem is not None:
        return problem
    books = order_problems(order, ledgers)
    if not books:
        return None
    return f"{', '.join(books)} (calls: {calls_story(order['id'], calls)})"


def wrong_orders_evidence(wrong: dict[str, str], ledgers: dict[str, dict[str, Any]]) -> str:
    """Each wrong order's problem, then the ledger entries of the first few."""
    shown = list(wrong)[:3]
    return "\n".join([*wrong.values(), "", *(f"order {order_id}:\n"
                                            f"{ledger_evidence(order_id, ledgers)}"
                                            for order_id in shown)])


def inject_random_faults(ctx: CheckContext, stubs: Stubs) -> None:
    """A few of each kind of fault (RANDOM_FAULTS), spread over the concurrent orders by
    arrival."""
    for (role, action), knobs in RANDOM_FAULTS.items():
        stubs.fault(role, action, **{name: value if isinstance(value, int)
                                     else ctx.random.randint(*value)
                                     for name, value in knobs.items()})


def unknown_outcomes_in_a_row(knobs: dict[str, int | tuple[int, int]]) -> int:
    """The most calls of one action in a row these knobs can leave without a definite
    answer: the 5xx failures (taken first), then the calls that crash or outlast a call's
    timeout (a call may do both)."""
    def most(name: str) -> int:
        value = knobs.get(name, 0)
        return value if isinstance(value, int) else value[1]

    failed = most("fail_next") if knobs.get("fail_status", 503) in range(500, 600) else 0
    slow = most("delay_next") if most("delay_ms") > CALL_TIMEOUT_S * 1000 else 0
    return failed + max(most("crash_next"), slow)


def watch_until_final(ctx: CheckContext, order_ids: list[str], started: float,
                      timeout: float) -> dict[str, float]:
    """Poll every order until all are final; seconds from the first POST to each final."""
    finished: dict[str, float] = {}
    statuses: dict[str, str] = {}

    def all_final() -> None:
        for order_id in order_ids:
            if order_id not in finished:
                statuses[order_id] = fetch(ctx, order_id)["status"]
                if statuses[order_id] in FINAL_STATUSES:
                    finished[order_id] = time.monotonic() - started
        stuck = [f"{i} {json_text(statuses[i])}" for i in order_ids if i not in finished]
        ctx.expect(not stuck, f"expected all {len(order_ids)} orders final within "
                   f"{timeout:.0f}s, got {len(stuck)} still in progress: "
                   f"{', '.join(stuck[:5])}")

    ctx.eventually(all_final, timeout=timeout, interval=0.5)
    return finished


def report_outcomes(ctx: CheckContext, orders: list[dict[str, Any]],
                    finished_at: dict[str, float]) -> None:
    counts = {status: sum(o["status"] == status for o in orders) for status in FINAL_STATUSES}
    for status, count in counts.items():
        ctx.metric(f"orders {status.lower()}", count)
    durations = sorted(finished_at.values())
    ctx.metric("saga p50", round(statistics.median(durations), 2), "s")
    ctx.metric("saga max", round(durations[-1], 2), "s")
    ctx.chart("Outcomes of the concurrent orders", "bar",
              {"labels": list(counts), "series": [{"name": "orders",
                                                    "values": list(counts.values())}]})
    ctx.chart("Concurrent sagas: placed to final", "timeline", {"rows": [
        {"label": order["id"][:8], "start": 0, "end": round(finished_at[order["id"]] * 1000),
         "status": order["status"]} for order in orders]})
