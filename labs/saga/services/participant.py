"""A saga participant stub: `python3 services/participant.py inventory|payment|shipping`.

Listens on $PORT (on $HOST, by default every interface as in a container) and uses the
standard library only (with labs/stubkit.py, which the sandbox puts beside it), so it runs
on any Python 3.11. Besides its business endpoints (README.md, "The services") it has admin
endpoints the grader and the learner use: stubkit's fault knobs (POST /admin/faults,
/admin/reset) and request log (GET /admin/requests), the stock levels and the ledger.
"""

import sys

from books import ROLES
from stubkit import Stub

ROUTES = (("/reservations", "reserve"), ("/reservations/{order_id}/release", "release"),
          ("/charges", "charge"), ("/refunds", "refund"), ("/shipments", "ship"))


class Call:
    """What an operation needs from the request: body, key, path id, and its delay."""

    def __init__(self, body, key, path_order_id, delay):
        self.body, self.key, self.path_order_id, self.delay = body, key, path_order_id, delay


def logged(call):
    """The fields of the request log: the order (from the path or the body) and the key."""
    return {"order_id": call.params.get("order_id") or call.body.get("order_id"),
            "idempotency_key": call.headers.get("Idempotency-Key")}


def participant(role):
    """The stub of one role: its books' actions as routes, waiting their delay themselves
    (payment waits only on the first call of a key, so a repeat can wait for its outcome)."""
    books = ROLES[role]()
    stub = Stub(role, health={"role": role})

    def operation(action):
        def run(call):
            return getattr(books, action)(Call(call.body, call.headers.get("Idempotency-Key"),
                                               call.params.get("order_id"), call.delay))
        return run

    for path, action in ROUTES:
        if action in books.actions:
            stub.route("POST", path, action=action, record=logged, own_delay=True)(
                operation(action))
    stub.route("GET", "/admin/ledger")(lambda call: (200, books.ledger()))
    if role == "inventory":
        @stub.route("POST", "/admin/stock")
        def set_stock(call):
            books.set_stock(call.body)
            return 200, books.ledger()["stock"]
    return stub


def main():
    role = sys.argv[1] if len(sys.argv) > 1 else ""
    if role not in ROLES:
        sys.exit(f"usage: participant.py {'|'.join(ROLES)}")
    participant(role).serve()


if __name__ == "__main__":
    main()
