"""Order service whose sagas run on an asyncio loop and whose saga log is append-only.

The HTTP side is Flask with a new psycopg connection per request; `runner.Runner` runs the
sagas; `saga_log` folds the events of an order into its status and steps.
"""

import logging
import os
import uuid

import psycopg
import saga_log
from flask import Flask, request
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from runner import Runner

app = Flask(__name__)


def db():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row)


def is_count(value, minimum):
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def valid(body):
    if not isinstance(body, dict):
        return False
    customer, items = body.get("customer_id"), body.get("items")
    return (isinstance(customer, str) and customer != "" and isinstance(items, list)
            and len(items) > 0 and all(
                isinstance(i, dict) and isinstance(i.get("sku"), str) and i["sku"] != ""
                and is_count(i.get("qty"), 1) and is_count(i.get("unit_price_cents"), 0)
                for i in items))


def describe(conn, order_id):
    row = conn.execute("SELECT body, created_at FROM placed_orders WHERE id = %s",
                       (order_id,)).fetchone()
    if row is None:
        return None
    events = conn.execute("SELECT step, event, at FROM saga_events WHERE order_id = %s"
                          " ORDER BY seq", (order_id,)).fetchall()
    body = row["body"]
    return {"id": order_id, "status": saga_log.status(events),
            "customer_id": body["customer_id"], "items": body["items"],
            "total_cents": sum(i["qty"] * i["unit_price_cents"] for i in body["items"]),
            "created_at": row["created_at"].isoformat(), "steps": saga_log.steps(events)}


@app.get("/healthz")
def healthz():
    with db() as conn:
        conn.execute("SELECT 1")
    return {"status": "ok"}


@app.post("/orders")
def place():
    body = request.get_json(silent=True)
    if not valid(body):
        return {"error": "invalid order"}, 400
    order_id = f"ord-{uuid.uuid4().hex[:16]}"
    body = {"customer_id": body["customer_id"],
            "items": [{"sku": i["sku"], "qty": i["qty"], "unit_price_cents": i["unit_price_cents"]}
                      for i in body["items"]]}
    with db() as conn:
        conn.execute("INSERT INTO placed_orders (id, body) VALUES (%s, %s)",
                     (order_id, Jsonb(body)))
        order = describe(conn, order_id)
    app.config["runner"].submit(order_id)
    return order, 202, {"Location": f"/orders/{order_id}"}


@app.get("/orders/<order_id>")
def show(order_id):
    with db() as conn:
        order = describe(conn, order_id)
    return (order, 200) if order else ({"error": "no such order"}, 404)


def main():
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with db() as conn:
        conn.execute(saga_log.SCHEMA)
        placed = [row["id"] for row in conn.execute(
            "SELECT id FROM placed_orders ORDER BY created_at").fetchall()]
        unfinished = [order_id for order_id in placed
                      if describe(conn, order_id)["status"] not in saga_log.FINAL]
    runner = Runner()
    for order_id in unfinished:
        runner.submit(order_id)
    app.config["runner"] = runner
    app.run(host="0.0.0.0", port=int(os.environ["PORT"]), threaded=True)  # noqa: S104 - inside the sandbox


if __name__ == "__main__":
    main()
