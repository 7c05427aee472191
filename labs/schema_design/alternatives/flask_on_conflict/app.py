"""The shop on Flask, with each purchase one SQL statement: a CTE takes the stock and inserts
the order together, so there is nothing between a check and a write for a race to use."""

import os
import queue
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import migrations
import psycopg
from flask import Flask, abort, jsonify, request
from psycopg.errors import ForeignKeyViolation
from psycopg.rows import dict_row
from werkzeug.exceptions import HTTPException

URL = os.environ["DATABASE_URL"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ORDER = "id, user_id, product_id, quantity, price_cents, created_at"
connections = queue.SimpleQueue()
app = Flask(__name__)


@contextmanager
def database():
    conn = connections.get(timeout=15)
    try:
        with conn.transaction():
            yield conn
    finally:
        connections.put(conn if not conn.broken else psycopg.connect(URL, row_factory=dict_row))


def as_json(order):
    return {**order, "created_at": order["created_at"].isoformat()}


def field(body, name, kind, least=None):
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool) or (
            least is not None and value < least) or value == "":
        abort(400, f"{name} is missing or invalid")
    return value


@app.errorhandler(HTTPException)
def http_error(error):
    return jsonify(error=error.description), error.code


@app.get("/healthz")
def healthz():
    return {"status": "up"}


@app.post("/users")
def add_user():
    body = request.get_json(silent=True)
    email, name = field(body, "email", str), field(body, "name", str)
    if "@" not in email:
        abort(400, "email is invalid")
    with database() as conn:
        user = conn.execute("INSERT INTO users (email, name) VALUES (%s, %s) ON CONFLICT (email) "
                            "DO NOTHING RETURNING id, email, name", (email, name)).fetchone()
    if user is None:
        abort(409, "that email has an account already")
    return user, 201


@app.get("/users/<int:user_id>")
def show_user(user_id):
    with database() as conn:
        user = conn.execute("SELECT id, email, name FROM users WHERE id = %s",
                            (user_id,)).fetchone()
    return user or abort(404, "no such user")


@app.post("/products")
def add_product():
    body = request.get_json(silent=True)
    with database() as conn:
        product = conn.execute(
            "INSERT INTO products (name, price_cents, stock) VALUES (%s, %s, %s) "
            "RETURNING id, name, price_cents, stock",
            (field(body, "name", str), field(body, "price_cents", int, 0),
             field(body, "stock", int, 0))).fetchone()
    return product, 201


@app.route("/products/<int:product_id>", methods=["GET", "PATCH"])
def product(product_id):
    body = (request.get_json(silent=True) if request.method == "PATCH" else None) or {}
    changes = {name: field(body, name, int, 0) for name in ("price_cents", "stock")
               if name in body}
    if "name" in body:
        changes["name"] = field(body, "name", str)
    with database() as conn:
        for column, value in changes.items():
            conn.execute(f"UPDATE products SET {column} = %s, updated_at = now() WHERE id = %s",  # noqa: S608
                         (value, product_id))
        row = conn.execute("SELECT id, name, price_cents, stock FROM products WHERE id = %s",
                           (product_id,)).fetchone()
    return row or abort(404, "no such product")


@app.post("/orders")
def add_order():
    body = request.get_json(silent=True)
    user_id, product_id = field(body, "user_id", int, 1), field(body, "product_id", int, 1)
    quantity = field(body, "quantity", int, 1)
    try:
        with database() as conn:
            order = conn.execute(
                "WITH taken AS (UPDATE products SET stock = stock - %(q)s "  # noqa: S608
                "               WHERE id = %(p)s AND stock >= %(q)s RETURNING id, price_cents) "
                "INSERT INTO orders (user_id, product_id, quantity, price_cents) "
                f"SELECT %(u)s, id, %(q)s, price_cents FROM taken RETURNING {ORDER}",
                {"u": user_id, "p": product_id, "q": quantity}).fetchone()
            exists = order or conn.execute("SELECT 1 FROM products WHERE id = %s",
                                           (product_id,)).fetchone()
    except ForeignKeyViolation:
        abort(422, "no such user")
    if order is None:
        abort(409 if exists else 422, "not enough stock" if exists else "no such product")
    return as_json(order), 201


@app.get("/orders/<int:order_id>")
def show_order(order_id):
    with database() as conn:
        order = conn.execute(f"SELECT {ORDER} FROM orders WHERE id = %s", (order_id,)).fetchone()  # noqa: S608
    return as_json(order) if order else abort(404, "no such order")


def encode(order):
    micros = (order["created_at"] - EPOCH) // timedelta(microseconds=1)
    return f"{micros}:{order['id']}"


def decode(cursor):
    micros, _, order_id = cursor.partition(":")
    if not micros.lstrip("-").isdigit() or not order_id.isdigit():
        abort(400, "bad cursor")
    return EPOCH + timedelta(microseconds=int(micros)), int(order_id)


@app.get("/users/<int:user_id>/orders")
def orders_of(user_id):
    limit = request.args.get("limit", "20")
    if not limit.isdigit() or int(limit) == 0:
        abort(400, "limit must be a positive integer")
    limit = min(int(limit), 100)
    cursor = request.args.get("cursor")
    with database() as conn:
        if conn.execute("SELECT 1 FROM users WHERE id = %s", (user_id,)).fetchone() is None:
            abort(404, "no such user")
        if cursor:
            at, last_id = decode(cursor)
            rows = conn.execute(
                f"SELECT {ORDER} FROM orders WHERE user_id = %s AND (created_at < %s OR "  # noqa: S608
                "(created_at = %s AND id < %s)) ORDER BY created_at DESC, id DESC LIMIT %s",
                (user_id, at, at, last_id, limit + 1)).fetchall()
        else:
            rows = conn.execute(f"SELECT {ORDER} FROM orders WHERE user_id = %s "  # noqa: S608
                                "ORDER BY created_at DESC, id DESC LIMIT %s",
                                (user_id, limit + 1)).fetchall()
    page = rows[:limit]
    return {"items": [as_json(order) for order in page],
            "next_cursor": encode(page[-1]) if len(rows) > limit else None}


if __name__ == "__main__":
    threading.stack_size(256 * 1024)  # thread stacks count toward the memory limit
    with psycopg.connect(URL, autocommit=True) as setup:
        migrations.run(setup)
    for _ in range(6):
        connections.put(psycopg.connect(URL, row_factory=dict_row))
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
