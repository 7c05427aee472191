"""Orders and their saga steps as stored rows: validation, creation, reads and updates."""

import uuid

from db import connection
from psycopg.types.json import Jsonb

FINAL_STATUSES = ("COMPLETED", "REJECTED", "CANCELLED")
STATUS_UPDATE = "UPDATE orders SET status = %s, updated_at = now() WHERE id = %s"


class InvalidOrder(ValueError):
    """The request body is not an order; answered with 400."""


def parse_order(body) -> dict:
    """The order's fields from a request body, or InvalidOrder saying what is wrong."""
    if not isinstance(body, dict):
        raise InvalidOrder("the body must be a JSON object")
    customer_id, items = body.get("customer_id"), body.get("items")
    if not isinstance(customer_id, str) or not customer_id:
        raise InvalidOrder("customer_id must be a non-empty string")
    if not isinstance(items, list) or not items:
        raise InvalidOrder("items must be a non-empty list")
    clean = []
    for item in items:
        if not isinstance(item, dict):
            raise InvalidOrder("each item must be an object")
        sku, qty, price = item.get("sku"), item.get("qty"), item.get("unit_price_cents")
        if not isinstance(sku, str) or not sku:
            raise InvalidOrder("each item needs a non-empty string sku")
        if not is_int(qty) or qty < 1:
            raise InvalidOrder("each item needs an integer qty of at least 1")
        if not is_int(price) or price < 0:
            raise InvalidOrder("each item needs an integer unit_price_cents of at least 0")
        clean.append({"sku": sku, "qty": qty, "unit_price_cents": price})
    return {"customer_id": customer_id, "items": clean}


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def create_order(fields: dict) -> dict:
    total = sum(item["qty"] * item["unit_price_cents"] for item in fields["items"])
    with connection() as conn:
        return conn.execute(
            "INSERT INTO orders (id, customer_id, items, total_cents, status)"
            " VALUES (%s, %s, %s, %s, 'PENDING') RETURNING *",
            (uuid.uuid4().hex, fields["customer_id"], Jsonb(fields["items"]), total)).fetchone()


def load_order(order_id: str) -> dict | None:
    """The order with its steps in the order they started, or None."""
    with connection() as conn:
        order = conn.execute("SELECT * FROM orders WHERE id = %s", (order_id,)).fetchone()
        if order is not None:
            order["steps"] = conn.execute(
                "SELECT name, status, attempts, started_at, finished_at FROM saga_steps"
                " WHERE order_id = %s ORDER BY position", (order_id,)).fetchall()
    return order


def unfinished_order_ids() -> list[str]:
    with connection() as conn:
        rows = conn.execute("SELECT id FROM orders WHERE status <> ALL(%s) ORDER BY created_at",
                            (list(FINAL_STATUSES),)).fetchall()
    return [row["id"] for row in rows]


def begin_step(order_id: str, name: str) -> None:
    """Note that a step starts; a step begun before a crash counts one more attempt."""
    with connection() as conn:
        conn.execute(
            "INSERT INTO saga_steps (order_id, name, position, status)"
            " VALUES (%s, %s, (SELECT count(*) FROM saga_steps WHERE order_id = %s), 'running')"
            " ON CONFLICT (order_id, name) DO UPDATE SET attempts = saga_steps.attempts + 1,"
            " status = 'running', finished_at = NULL",
            (order_id, name, order_id))


def count_attempt(order_id: str, name: str) -> None:
    with connection() as conn:
        conn.execute("UPDATE saga_steps SET attempts = attempts + 1"
                     " WHERE order_id = %s AND name = %s", (order_id, name))


def finish_step(order_id: str, name: str, succeeded: bool, order_status: str | None) -> None:
    """Record a step's outcome and, in the same transaction, the order's new status."""
    with connection() as conn, conn.transaction():
        conn.execute("UPDATE saga_steps SET status = %s, finished_at = now()"
                     " WHERE order_id = %s AND name = %s",
                     ("succeeded" if succeeded else "failed", order_id, name))
        if order_status is not None:
            conn.execute(STATUS_UPDATE, (order_status, order_id))


def set_status(order_id: str, status: str) -> None:
    with connection() as conn:
        conn.execute(STATUS_UPDATE, (status, order_id))


def as_json(order: dict) -> dict:
    """The GET /orders/<id> representation (README: "The order resource")."""
    return {
        "id": order["id"], "status": order["status"], "customer_id": order["customer_id"],
        "items": order["items"], "total_cents": order["total_cents"],
        "created_at": order["created_at"].isoformat(),
        "updated_at": order["updated_at"].isoformat(),
        "steps": [{"name": s["name"], "status": s["status"], "attempts": s["attempts"],
                   "started_at": s["started_at"].isoformat(),
                   "finished_at": s["finished_at"].isoformat() if s["finished_at"] else None}
                  for s in order.get("steps", [])],
    }
