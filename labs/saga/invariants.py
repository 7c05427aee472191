"""What a consistent saga leaves behind, judged from the services' ledgers alone.

Pure functions over plain dicts (an order as GET /orders/{id} shows it, ledgers as the
stubs' GET /admin/ledger answers), so they are tested on hand-written ledgers.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from labs.evidence import json_text

FINAL_STATUSES = ("COMPLETED", "REJECTED", "CANCELLED")


def charges_of(payment: dict[str, Any], order_id: str) -> list[dict[str, Any]]:
    return [c for c in payment["charges"] if c["order_id"] == order_id]


def net_charged(payment: dict[str, Any], order_id: str) -> int:
    """Cents charged for the order minus cents refunded."""
    return (sum(c["amount_cents"] for c in charges_of(payment, order_id))
            - sum(r["amount_cents"] for r in payment["refunds"] if r["order_id"] == order_id))


def quantities(items: list[dict[str, Any]]) -> dict[str, int]:
    totals: Counter[str] = Counter()
    for item in items:
        totals[item["sku"]] += item["qty"]
    return dict(totals)


def order_problems(order: dict[str, Any], ledgers: dict[str, dict[str, Any]]) -> list[str]:
    """Each way the services' books disagree with the order's final status."""
    order_id, status = order["id"], order["status"]
    net = net_charged(ledgers["payment"], order_id)
    reservation = ledgers["inventory"]["reservations"].get(order_id)
    held = reservation is not None and reservation["status"] == "reserved"
    shipped = order_id in ledgers["shipping"]["shipments"]
    problems = []
    if status == "COMPLETED":
        if net != order["total_cents"]:
            problems.append(f"order {order_id} is COMPLETED: expected "
                            f"{order['total_cents']} cents charged, got {net}")
        if not held:
            problems.append(f"order {order_id} is COMPLETED: expected its stock reserved, "
                            f"got reservation {json_text(reservation)}")
        elif reservation["items"] != quantities(order["items"]):
            problems.append(f"order {order_id} is COMPLETED: expected "
                            f"{json_text(quantities(order['items']))} reserved, got "
                            f"{json_text(reservation['items'])}")
        if not shipped:
            problems.append(f"order {order_id} is COMPLETED: expected a shipment, got none")
    elif status in ("REJECTED", "CANCELLED"):
        if net != 0:
            problems.append(f"order {order_id} is {status}: expected 0 cents charged after "
                            f"refunds, got {net}")
        if held:
            problems.append(f"order {order_id} is {status}: expected its reservation released,"
                            f" got it still reserved")
        if shipped:
            problems.append(f"order {order_id} is {status}: expected no shipment, got one")
    else:
        problems.append(f"order {order_id}: expected a final status "
                        f"({', '.join(FINAL_STATUSES)}), got {json_text(status)}")
    return problems


# The saga's calls as the learner makes them: (action in the stubs' request logs, request),
# forward steps first, then the compensations.
CALLS = (("reserve", "POST /reservations"), ("charge", "POST /charges"),
         ("ship", "POST /shipments"), ("refund", "POST /refunds"),
         ("release", "POST /reservations/{id}/release"))
# Each forward step's definite no and the final status it leads to.
DEFINITE_NO = {"reserve": (409, "REJECTED"), "charge": (402, "CANCELLED"),
               "ship": (422, "CANCELLED")}
SLOW_ANSWER_S = 1.0   # an answer this late is shown with its delay (it outlasts a timeout)


def answer_text(call: dict[str, Any]) -> str:
    """One call's outcome as the learner would see it: a status code (with its delay when
    it came late), "no answer" for a dropped connection, "pending" for one still running."""
    outcome = call["outcome"]
    if outcome == "dropped":
        return "no answer (connection dropped)"
    if not isinstance(outcome, int):
        return str(outcome)
    took = (call.get("answered_at") or call["at"]) - call["at"]
    return f"{outcome} after {took:.1f} s" if took >= SLOW_ANSWER_S else str(outcome)


def calls_story(order_id: str, calls: dict[str, list[dict[str, Any]]]) -> str:
    """Every call the order's saga made, in saga order: "POST /reservations: 201;
    POST /charges: 503, 402; POST /reservations/7/release: 200"."""
    parts = []
    for action, request in CALLS:
        made = sorted(calls.get(action, []), key=lambda call: call["at"])
        if made:
            answers = ", ".join(answer_text(call) for call in made)
            parts.append(f"{request.format(id=order_id)}: {answers}")
    return "; ".join(parts) or "no call to any service"


def is_done(outcome: Any) -> bool:
    """The call did its work: a 2xx answer, or a dropped answer after the work (crash_next)."""
    return outcome == "dropped" or (isinstance(outcome, int) and 200 <= outcome < 300)


def expected_status(calls: dict[str, list[dict[str, Any]]]) -> str | None:
    """The final status the services' first definite answers call for (README, "The saga"):
    REJECTED after inventory's 409, CANCELLED after payment's 402 or shipping's 422,
    COMPLETED when every step was done; None when a step never got a definite answer (the
    saga stopped on an unknown outcome, or never made the step's call)."""
    for action, (no, status) in DEFINITE_NO.items():
        made = sorted(calls.get(action, []), key=lambda call: call["at"])
        definite = next((call["outcome"] for call in made
                         if is_done(call["outcome"]) or call["outcome"] == no), None)
        if definite is None:
            return None
        if definite == no:
            return status
    return "COMPLETED"


def outcome_problem(order: dict[str, Any], calls: dict[str, list[dict[str, Any]]]) -> str | None:
    """How the order's final status disagrees with what the services answered it, or None."""
    expected, got = expected_status(calls), order["status"]
    if expected == got:
        return None
    story = calls_story(order["id"], calls)
    if expected is None:
        return (f"order {order['id']}: expected its saga to go on until each step has a "
                f"definite answer (2xx, or 409, 402, 422) and to end as they say, got "
                f"\"status\": {json_text(got)} after only {story}")
    return (f"order {order['id']}: expected \"status\": {json_text(expected)} ({story}), "
            f"got \"status\": {json_text(got)}")


def stock_problems(initial: dict[str, int], final: dict[str, int],
                   orders: list[dict[str, Any]]) -> list[str]:
    """Stock must equal what was there minus what completed orders took, never below 0."""
    taken: Counter[str] = Counter()
    for order in orders:
        if order["status"] == "COMPLETED":
            taken.update(quantities(order["items"]))
    problems = []
    for sku, start in sorted(initial.items()):
        now, expected = final.get(sku, 0), start - taken[sku]
        if now < 0:
            problems.append(f"stock of {sku} went negative: {now}")
        elif now != expected:
            problems.append(f"stock of {sku}: expected {start} - {taken[sku]} sold = "
                            f"{expected} left, got {now}")
    return problems


def parse_time(stamp: Any) -> datetime | None:
    """An ISO-8601 timestamp with a time zone (a trailing Z is accepted), else None."""
    if not isinstance(stamp, str):
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.utcoffset() is not None else None


def step_timeline(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Chart rows (ms since the order was created) for the steps that have timestamps."""
    origin = parse_time(order.get("created_at"))
    rows = []
    for step in order.get("steps") or []:
        started, finished = parse_time(step.get("started_at")), parse_time(step.get("finished_at"))
        if origin is None or started is None:
            continue
        end = finished or started
        rows.append({"label": str(step.get("name")),
                     "start": round((started - origin).total_seconds() * 1000),
                     "end": round((end - origin).total_seconds() * 1000),
                     "status": str(step.get("status"))})
    return rows
