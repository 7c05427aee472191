"""Calls to the inventory, payment and shipping services, as the README's contract says.

Each call answers True (done), False (a definite no: 4xx such as out of stock, declined,
no courier) or raises Transient when the outcome is unknown. Idempotency keys are derived
from the order id, so every retry of a step, even after a restart, sends the same key.
"""

import os

import httpx
from retry import Transient

CALL_TIMEOUT_S = 1.0


class Participants:
    def __init__(self, inventory_url: str, payment_url: str, shipping_url: str) -> None:
        self.inventory = httpx.Client(base_url=inventory_url, timeout=CALL_TIMEOUT_S)
        self.payment = httpx.Client(base_url=payment_url, timeout=CALL_TIMEOUT_S)
        self.shipping = httpx.Client(base_url=shipping_url, timeout=CALL_TIMEOUT_S)

    @classmethod
    def from_env(cls) -> "Participants":
        return cls(os.environ["INVENTORY_URL"], os.environ["PAYMENT_URL"],
                   os.environ["SHIPPING_URL"])

    def reserve(self, order: dict) -> bool:
        items = [{"sku": i["sku"], "qty": i["qty"]} for i in order["items"]]
        return send(self.inventory, "/reservations", {"order_id": order["id"], "items": items})

    def release(self, order: dict) -> bool:
        return send(self.inventory, f"/reservations/{order['id']}/release", {})

    def charge(self, order: dict) -> bool:
        return send(self.payment, "/charges",
                    {"order_id": order["id"], "amount_cents": order["total_cents"]},
                    key=f"order-{order['id']}-charge")

    def refund(self, order: dict) -> bool:
        return send(self.payment, "/refunds", {"order_id": order["id"]},
                    key=f"order-{order['id']}-refund")

    def ship(self, order: dict) -> bool:
        items = [{"sku": i["sku"], "qty": i["qty"]} for i in order["items"]]
        return send(self.shipping, "/shipments", {"order_id": order["id"], "items": items})


def send(client: httpx.Client, path: str, body: dict, key: str | None = None) -> bool:
    headers = {"Idempotency-Key": key} if key else {}
    try:
        response = client.post(path, json=body, headers=headers)
    except httpx.TransportError as error:
        raise Transient(f"POST {path}: {type(error).__name__}") from error
    if response.status_code >= 500 or response.status_code == 429:
        raise Transient(f"POST {path}: {response.status_code}")
    return response.status_code < 300
