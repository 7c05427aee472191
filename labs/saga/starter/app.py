"""The Order service: your orchestrated saga. Start here.

This app runs, answers /healthz, stores orders and shows them, but it never runs their
saga: every order stays PENDING. Grade it as it is to see every check it fails, then work
through README.md. You may split the code into several modules.

Run it yourself (README.md, "Running it locally"):
  PORT=8000 DATABASE_URL=postgresql://... INVENTORY_URL=http://127.0.0.1:8001 \
  PAYMENT_URL=http://127.0.0.1:8002 SHIPPING_URL=http://127.0.0.1:8003 python3 app.py
"""

import os
import uuid

import psycopg
from flask import Flask, request
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

DATABASE_URL = os.environ["DATABASE_URL"]
INVENTORY_URL = os.environ["INVENTORY_URL"]
PAYMENT_URL = os.environ["PAYMENT_URL"]
SHIPPING_URL = os.environ["SHIPPING_URL"]

# The saga log lives in PostgreSQL, so a restarted process knows where each order stood.
# You will want a table of steps too (name, status, started_at, finished_at).
SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id           text PRIMARY KEY,
    customer_id  text NOT NULL,
    items        jsonb NOT NULL,
    total_cents  bigint NOT NULL,
    status       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
"""

app = Flask(__name__)


def db() -> psycopg.Connection:
    """A new connection for each use: simple and safe with threads."""
    return psycopg.connect(DATABASE_URL, autocommit=True, row_factory=dict_row)


def as_json(order: dict) -> dict:
    return {"id": order["id"], "status": order["status"], "customer_id": order["customer_id"],
            "items": order["items"], "total_cents": order["total_cents"],
            "created_at": order["created_at"].isoformat(), "steps": []}


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/orders")
def place_order():
    # Validate the body first: a malformed order is a 400 (README: "POST /orders").
    body = request.get_json(force=True)
    items = body["items"]
    total = sum(item["qty"] * item["unit_price_cents"] for item in items)
    with db() as conn:
        order = conn.execute(
            "INSERT INTO orders (id, customer_id, items, total_cents, status)"
            " VALUES (%s, %s, %s, %s, 'PENDING') RETURNING *",
            (uuid.uuid4().hex, body["customer_id"], Jsonb(items), total)).fetchone()
    # Here the saga should start, in the background, so this answer does not wait for it:
    #   reserve (inventory) -> charge (payment) -> ship (shipping),
    #   and on a definite "no", the compensations of the steps done so far, in reverse.
    return as_json(order), 202, {"Location": f"/orders/{order['id']}"}


@app.get("/orders/<order_id>")
def show_order(order_id: str):
    with db() as conn:
        order = conn.execute("SELECT * FROM orders WHERE id = %s", (order_id,)).fetchone()
    if order is None:
        return {"error": "not_found"}, 404
    return as_json(order)


# Still to build (README.md has the exact contract for each):
#   the saga itself, with a timeout on every call and retries that reuse one Idempotency-Key
#   compensations (release, refund) retried until they succeed
#   the steps of each order in GET /orders/<id>
#   resuming unfinished orders at start-up


if __name__ == "__main__":
    with db() as conn:
        conn.execute(SCHEMA)
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")),
            threaded=True)
