"""The saga as an append-only event log: (order, step, started|succeeded|failed, time).

Nothing is updated in place. An order's status and steps are folded from its events, and so
is the next thing its saga must do; a step that started but has no outcome was in flight
when the process died, and is simply done again (with the same keys).
"""

FORWARD = ("reserve", "charge", "ship")
OUTCOMES = ("succeeded", "failed")
FINAL = ("COMPLETED", "REJECTED", "CANCELLED")

SCHEMA = """
CREATE TABLE IF NOT EXISTS placed_orders (
    id text PRIMARY KEY,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS saga_events (
    seq bigserial PRIMARY KEY,
    order_id text NOT NULL REFERENCES placed_orders (id),
    step text NOT NULL,
    event text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS saga_events_by_order ON saga_events (order_id, seq);
"""


def outcomes(events):
    """step -> its latest outcome."""
    return {e["step"]: e["event"] for e in events if e["event"] in OUTCOMES}


def next_step(events):
    """The step the saga must run next, or None when it is over."""
    done = outcomes(events)
    for step in FORWARD:
        if step not in done:
            return step
        if done[step] == "failed":
            break
    else:
        return None                     # shipped
    if done["reserve"] == "failed":
        return None                     # rejected: nothing to undo
    if done["charge"] == "succeeded" and done.get("refund") != "succeeded":
        return "refund"
    if done.get("release") != "succeeded":
        return "release"
    return None


def status(events):
    done = outcomes(events)
    if done.get("ship") == "succeeded":
        return "COMPLETED"
    if done.get("reserve") == "failed":
        return "REJECTED"
    if "failed" in (done.get("charge"), done.get("ship")):
        return "CANCELLED" if next_step(events) is None else "COMPENSATING"
    return "IN_PROGRESS" if events else "PLACED"


def steps(events):
    """One entry per step, in the order the steps first started."""
    listed = {}
    for event in events:
        step = listed.setdefault(event["step"], {"name": event["step"], "status": "running",
                                                 "started_at": event["at"].isoformat(),
                                                 "finished_at": None, "attempts": 0})
        if event["event"] == "started":
            step["attempts"] += 1
            step["status"], step["finished_at"] = "running", None
        else:
            step["status"], step["finished_at"] = event["event"], event["at"].isoformat()
    return list(listed.values())
