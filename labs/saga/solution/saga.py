"""The orchestrator: reserve -> charge -> ship, compensated in reverse when a step says no.

The saga log in PostgreSQL is the only state: `run(order_id)` reads where the order stands
and continues from there, so it serves new orders and orders a crash interrupted alike.
Sagas run on a small fixed pool of threads (a bulkhead: a flood of orders queues up rather
than exhausting the process).
"""

import logging
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor

import orders
from retry import Transient, until_definite

log = logging.getLogger("saga")

Step = namedtuple("Step", "name status_after compensation")
FORWARD = (Step("reserve", "RESERVED", "release"),
           Step("charge", "PAID", "refund"),
           Step("ship", "COMPLETED", None))
COMPENSATION_OF = {step.name: step.compensation for step in FORWARD if step.compensation}


class Orchestrator:
    def __init__(self, participants, workers: int = 8) -> None:
        self.participants = participants
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="saga")

    def submit(self, order_id: str) -> None:
        self.pool.submit(self.run_logged, order_id)

    def resume_unfinished(self) -> None:
        """Pick up every order a previous process left in flight."""
        for order_id in orders.unfinished_order_ids():
            self.submit(order_id)

    def run_logged(self, order_id: str) -> None:
        try:
            self.run(order_id)
        except Exception:
            log.exception("saga of order %s stopped; it resumes at the next start", order_id)

    def run(self, order_id: str) -> None:
        order = orders.load_order(order_id)
        if order is None or order["status"] in orders.FINAL_STATUSES:
            return
        if order["status"] != "CANCELLING":
            refused = self.forward(order)
            if refused is None:
                return
            if refused == FORWARD[0].name:
                orders.set_status(order_id, "REJECTED")
                return
            orders.set_status(order_id, "CANCELLING")
        self.compensate(orders.load_order(order_id))
        orders.set_status(order_id, "CANCELLED")

    def forward(self, order: dict) -> str | None:
        """Run the steps not yet done; the name of the step that said no, or None."""
        done = {s["name"] for s in order["steps"] if s["status"] == "succeeded"}
        for step in FORWARD:
            if step.name in done:
                continue
            if not self.perform(order, step.name, step.status_after):
                return step.name
        return None

    def compensate(self, order: dict) -> None:
        """Undo the succeeded forward steps, last first; each undo is retried until done."""
        status = {s["name"]: s["status"] for s in order["steps"]}
        for step in reversed(FORWARD):
            undo = COMPENSATION_OF.get(step.name)
            if undo and status.get(step.name) == "succeeded" and status.get(undo) != "succeeded":
                self.perform(order, undo, None, insist=True)

    def perform(self, order: dict, name: str, status_after: str | None,
                insist: bool = False) -> bool:
        """One step: log it, call it until its outcome is known, log the outcome.

        With `insist` (compensations) a refusal counts as unknown too: an undo must happen.
        """
        order_id, call = order["id"], getattr(self.participants, name)
        if insist:
            call = refusal_is_transient(call)
        orders.begin_step(order_id, name)
        succeeded = until_definite(lambda: call(order),
                                   on_retry=lambda: orders.count_attempt(order_id, name))
        orders.finish_step(order_id, name, succeeded, status_after if succeeded else None)
        return succeeded


def refusal_is_transient(call):
    def insisting(order: dict) -> bool:
        if not call(order):
            raise Transient("the service refused; trying again")
        return True
    return insisting
