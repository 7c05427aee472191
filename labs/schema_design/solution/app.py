"""The shop API of the schema-design lab: users, products and orders on PostgreSQL.

Run with `python3 app.py`: it applies migrations/*.sql that are not applied yet (migrate.py),
then listens on $HOST:$PORT with a thread per request and a small pool of connections.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import paging
import shop
from db import pool
from flask import Flask, jsonify, request
from migrate import migrate

app = Flask(__name__)
THREAD_STACK_BYTES = 512 * 1024  # a thread per request: 100 stacks of 8 MB overflow 256 MB

ERRORS = {shop.NotFound: 404, shop.Conflict: 409, shop.Unprocessable: 422,
          paging.BadCursor: 400, ValueError: 400}


class BadRequest(ValueError):
    """400: the body or the query string is not what the API takes."""


@app.errorhandler(Exception)
def error_answer(error: Exception):
    for kind, status in ERRORS.items():
        if isinstance(error, kind):
            return jsonify(error=str(error)), status
    if getattr(error, "code", None) in (404, 405):  # Flask's own: unknown route, method
        return jsonify(error=str(error)), error.code
    app.logger.exception("unhandled error", exc_info=error)
    return jsonify(error="something went wrong on our side"), 500


def body() -> dict[str, Any]:
    document = request.get_json(silent=True)
    if not isinstance(document, dict):
        raise BadRequest("expected a JSON object")
    return document


def text(document: dict[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"{name} must be a non-empty string")
    return value


def whole(document: dict[str, Any], name: str, least: int) -> int:
    value = document.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise BadRequest(f"{name} must be an integer of at least {least}")
    return value


def order_json(order: dict[str, Any]) -> dict[str, Any]:
    return {**order, "created_at": order["created_at"].isoformat()}


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/users")
def create_user():
    document = body()
    email = text(document, "email")
    if "@" not in email:
        raise BadRequest("email must contain @")
    with pool.transaction() as conn:
        return jsonify(shop.create_user(conn, email, text(document, "name"))), 201


@app.get("/users/<int:user_id>")
def get_user(user_id: int):
    with pool.transaction() as conn:
        return jsonify(shop.get_user(conn, user_id))


@app.post("/products")
def create_product():
    document = body()
    with pool.transaction() as conn:
        product = shop.create_product(conn, text(document, "name"),
                                      whole(document, "price_cents", 0),
                                      whole(document, "stock", 0))
    return jsonify(product), 201


@app.get("/products/<int:product_id>")
def get_product(product_id: int):
    with pool.transaction() as conn:
        return jsonify(shop.get_product(conn, product_id))


@app.patch("/products/<int:product_id>")
def update_product(product_id: int):
    document = body()
    changes = {name: whole(document, name, 0) for name in ("price_cents", "stock")
               if name in document}
    if "name" in document:
        changes["name"] = text(document, "name")
    with pool.transaction() as conn:
        if not changes:
            return jsonify(shop.get_product(conn, product_id))
        return jsonify(shop.update_product(conn, product_id, changes))


@app.post("/orders")
def place_order():
    document = body()
    user_id, product_id = whole(document, "user_id", 1), whole(document, "product_id", 1)
    quantity = whole(document, "quantity", 1)
    with pool.transaction() as conn:
        order = shop.place_order(conn, user_id, product_id, quantity)
    return jsonify(order_json(order)), 201


@app.get("/orders/<int:order_id>")
def get_order(order_id: int):
    with pool.transaction() as conn:
        return jsonify(order_json(shop.get_order(conn, order_id)))


@app.get("/users/<int:user_id>/orders")
def recent_orders(user_id: int):
    limit = paging.limit_of(request.args.get("limit"))
    cursor = request.args.get("cursor")
    after = paging.decode(cursor) if cursor else None
    with pool.transaction() as conn:
        shop.get_user(conn, user_id)
        page, next_cursor = shop.recent_orders(conn, user_id, limit, after)
    return jsonify(items=[order_json(order) for order in page], next_cursor=next_cursor)


if __name__ == "__main__":
    threading.stack_size(THREAD_STACK_BYTES)
    migrate(pool.url)
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
