"""The business state of each stub (stock, charges, shipments) and the operations on it.

Each operation takes the parsed request and answers (status, body). Operations are
idempotent the way the README promises: inventory and shipping by order id, payment by
Idempotency-Key, so a retried call never reserves, charges or ships twice.
"""

import threading
import time
import uuid

from stubkit import BadRequest  # the request breaks the contract: stubkit answers 400


def order_id_of(body):
    order_id = body.get("order_id")
    if not isinstance(order_id, str) or not order_id:
        raise BadRequest("order_id must be a non-empty string")
    return order_id


def item_quantities(body):
    """{sku: qty} from the body's items; several lines of one sku add up."""
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise BadRequest("items must be a non-empty list of {sku, qty}")
    wanted = {}
    for item in items:
        sku, qty = (item.get("sku"), item.get("qty")) if isinstance(item, dict) else (None, None)
        if not isinstance(sku, str) or isinstance(qty, bool) or not isinstance(qty, int) \
                or qty < 1:
            raise BadRequest("each item needs a string sku and an integer qty >= 1")
        wanted[sku] = wanted.get(sku, 0) + qty
    return wanted


class Inventory:
    """Stock per sku and one reservation per order (all its items, or none)."""

    actions = ("reserve", "release")

    def __init__(self):
        self.lock = threading.Lock()
        self.stock = {}
        self.reservations = {}

    def set_stock(self, levels):
        if not isinstance(levels, dict) or not all(
                isinstance(q, int) and not isinstance(q, bool) and q >= 0
                for q in levels.values()):
            raise BadRequest("stock must be an object {sku: non-negative integer}")
        with self.lock:
            self.stock.update(levels)

    def reserve(self, request):
        order_id, wanted = order_id_of(request.body), item_quantities(request.body)
        time.sleep(request.delay)
        with self.lock:
            known = self.reservations.get(order_id)
            if known is not None:
                return 200, {"order_id": order_id, "status": known["status"]}
            for sku, qty in wanted.items():
                if self.stock.get(sku, 0) < qty:
                    return 409, {"error": "out_of_stock", "sku": sku,
                                 "available": self.stock.get(sku, 0), "requested": qty}
            for sku, qty in wanted.items():
                self.stock[sku] -= qty
            self.reservations[order_id] = {"items": wanted, "status": "reserved"}
        return 201, {"order_id": order_id, "status": "reserved"}

    def release(self, request):
        order_id = request.path_order_id
        time.sleep(request.delay)
        with self.lock:
            known = self.reservations.get(order_id)
            if known is None:
                return 200, {"order_id": order_id, "status": "none"}
            if known["status"] == "reserved":
                for sku, qty in known["items"].items():
                    self.stock[sku] += qty
                known["status"] = "released"
        return 200, {"order_id": order_id, "status": "released"}

    def ledger(self):
        with self.lock:
            return {"stock": dict(self.stock),
                    "reservations": {k: {"items": dict(v["items"]), "status": v["status"]}
                                     for k, v in self.reservations.items()}}


class Payment:
    """Charges and refunds, deduplicated by Idempotency-Key.

    A key seen before answers its first outcome again; a key whose first call is still in
    progress makes the repeat wait for that outcome instead of charging a second time.
    """

    actions = ("charge", "refund")

    def __init__(self):
        self.lock = threading.Lock()
        self.charges = []
        self.refunds = []
        self.outcomes = {}   # idempotency key -> [threading.Event, (status, body) or None]

    def charge(self, request):
        order_id, amount = order_id_of(request.body), request.body.get("amount_cents")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise BadRequest("amount_cents must be a positive integer")

        def make_charge():
            charge = {"id": "ch_" + uuid.uuid4().hex[:12], "order_id": order_id,
                      "amount_cents": amount, "idempotency_key": request.key}
            self.charges.append(charge)
            return 201, {"charge_id": charge["id"], "order_id": order_id,
                         "amount_cents": amount, "status": "charged"}

        return self.once(request, make_charge)

    def refund(self, request):
        order_id = order_id_of(request.body)

        def make_refund():
            net = (sum(c["amount_cents"] for c in self.charges if c["order_id"] == order_id)
                   - sum(r["amount_cents"] for r in self.refunds if r["order_id"] == order_id))
            if net > 0:
                self.refunds.append({"id": "re_" + uuid.uuid4().hex[:12], "order_id": order_id,
                                     "amount_cents": net, "idempotency_key": request.key})
            return 200, {"order_id": order_id, "refunded_cents": net}

        return self.once(request, make_refund)

    def once(self, request, operation):
        """Run `operation` for a new key (after the request's delay); replay a known key."""
        if not request.key:
            raise BadRequest("the Idempotency-Key header is required")
        with self.lock:
            entry = self.outcomes.get(request.key)
            first = entry is None
            if first:
                entry = self.outcomes[request.key] = [threading.Event(), None]
        if not first:
            entry[0].wait()
            return entry[1]
        time.sleep(request.delay)
        with self.lock:
            entry[1] = operation()
        entry[0].set()
        return entry[1]

    def ledger(self):
        with self.lock:
            return {"charges": [dict(c) for c in self.charges],
                    "refunds": [dict(r) for r in self.refunds]}


class Shipping:
    """One shipment per order; shipping is the saga's last step and is never undone."""

    actions = ("ship",)

    def __init__(self):
        self.lock = threading.Lock()
        self.shipments = {}

    def ship(self, request):
        order_id = order_id_of(request.body)
        time.sleep(request.delay)
        with self.lock:
            known = self.shipments.get(order_id)
            if known is not None:
                return 200, {"shipment_id": known["id"], "order_id": order_id}
            self.shipments[order_id] = {"id": "sh_" + uuid.uuid4().hex[:12]}
            return 201, {"shipment_id": self.shipments[order_id]["id"], "order_id": order_id}

    def ledger(self):
        with self.lock:
            return {"shipments": {k: dict(v) for k, v in self.shipments.items()}}


ROLES = {"inventory": Inventory, "payment": Payment, "shipping": Shipping}
