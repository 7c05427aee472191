"""/api/users/<id>/orders: a user's orders, listed newest first, created one at a time."""

from api import route
from db import get_db
from flask import request
from idempotency import idempotent
from paging import page_body, page_request
from problems import not_found
from responses import created, json_response
from users import find_user, iso
from validation import MAX_PRICE_CENTS, MAX_QUANTITY, FieldErrors, json_body


def order_view(row: dict) -> dict:
    return {"id": row["id"], "user_id": row["user_id"], "item": row["item"],
            "quantity": row["quantity"], "unit_price_cents": row["unit_price_cents"],
            "total_cents": row["quantity"] * row["unit_price_cents"],
            "created_at": iso(row["created_at"])}


@route("/users/<int:user_id>/orders", methods=["GET"])
def list_orders(user_id: int):
    page = page_request()
    find_user(user_id)
    rows = get_db().execute(
        "SELECT * FROM orders WHERE user_id = %(user)s"
        " AND (%(after)s::bigint IS NULL OR id < %(after)s)"
        " ORDER BY id DESC LIMIT %(fetch)s",
        {"user": user_id, "after": page.after, "fetch": page.limit + 1}).fetchall()
    return json_response(page_body(rows, page, order_view))


@route("/users/<int:user_id>/orders", methods=["POST"])
def create_order(user_id: int):
    body = json_body()
    find_user(user_id)
    errors = FieldErrors()
    item = errors.text(body, "item", 200, required=True)
    quantity = errors.integer(body, "quantity", 1, MAX_QUANTITY)
    price = errors.integer(body, "unit_price_cents", 0, MAX_PRICE_CENTS)
    errors.raise_if_any()

    def insert():
        row = get_db().execute(
            "INSERT INTO orders (user_id, item, quantity, unit_price_cents)"
            " VALUES (%s, %s, %s, %s) RETURNING *", (user_id, item, quantity, price)).fetchone()
        return created(order_view(row), f"{request.path.rstrip('/')}/{row['id']}")

    return idempotent(insert, body)


@route("/users/<int:user_id>/orders/<int:order_id>", methods=["GET"])
def get_order(user_id: int, order_id: int):
    row = get_db().execute("SELECT * FROM orders WHERE id = %s AND user_id = %s",
                           (order_id, user_id)).fetchone()
    if row is None:
        raise not_found(f"user {user_id} has no order {order_id}")
    return json_response(order_view(row))
