"""The shop's SQL: users, products and orders, each function inside the caller's transaction.

The database keeps the rules: a UNIQUE email, foreign keys from orders, stock that cannot
go below zero. The functions turn its refusals into the API's errors instead of checking
first and writing after (another request can slip in between).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import paging
import psycopg
from psycopg import errors
from psycopg.rows import dict_row

ORDER_COLUMNS = "id, user_id, product_id, quantity, price_cents, created_at"
PRODUCT_COLUMNS = "id, name, price_cents, stock"


class NotFound(Exception):
    """404: no such row."""


class Conflict(Exception):
    """409: the request contradicts what is stored (a taken email, too little stock)."""


class Unprocessable(Exception):
    """422: the request names a row that does not exist (a user, a product)."""


def one(conn: psycopg.Connection, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchone()


def create_user(conn: psycopg.Connection, email: str, name: str) -> dict[str, Any]:
    try:
        return one(conn, "INSERT INTO users (email, name) VALUES (%s, %s) "
                         "RETURNING id, email, name", (email, name))
    except errors.UniqueViolation:
        raise Conflict(f"the email {email} is taken") from None


def get_user(conn: psycopg.Connection, user_id: int) -> dict[str, Any]:
    user = one(conn, "SELECT id, email, name FROM users WHERE id = %s", (user_id,))
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def create_product(conn: psycopg.Connection, name: str, price_cents: int,
                   stock: int) -> dict[str, Any]:
    return one(conn, f"INSERT INTO products (name, price_cents, stock) VALUES (%s, %s, %s) "
                     f"RETURNING {PRODUCT_COLUMNS}", (name, price_cents, stock))


def get_product(conn: psycopg.Connection, product_id: int) -> dict[str, Any]:
    product = one(conn, f"SELECT {PRODUCT_COLUMNS} FROM products WHERE id = %s", (product_id,))
    if product is None:
        raise NotFound(f"no product {product_id}")
    return product


def update_product(conn: psycopg.Connection, product_id: int,
                   changes: dict[str, Any]) -> dict[str, Any]:
    """Set the given columns (names checked by the caller); orders keep their own price."""
    assignments = ", ".join(f"{column} = %s" for column in changes)
    product = one(conn, f"UPDATE products SET {assignments} WHERE id = %s "
                        f"RETURNING {PRODUCT_COLUMNS}", (*changes.values(), product_id))
    if product is None:
        raise NotFound(f"no product {product_id}")
    return product


def take_stock(conn: psycopg.Connection, product_id: int, quantity: int) -> int:
    """Take `quantity` off the product's stock in one statement; its current unit price.

    The UPDATE re-reads the row under its lock, so simultaneous purchases queue up on it
    and none can sell stock another already took.
    """
    taken = one(conn, "UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s "
                      "RETURNING price_cents", (quantity, product_id, quantity))
    if taken is None:
        if one(conn, "SELECT 1 FROM products WHERE id = %s", (product_id,)) is None:
            raise Unprocessable(f"no product {product_id}")
        raise Conflict(f"not enough stock of product {product_id} for {quantity}")
    return taken["price_cents"]


def place_order(conn: psycopg.Connection, user_id: int, product_id: int,
                quantity: int) -> dict[str, Any]:
    price_cents = take_stock(conn, product_id, quantity)
    try:
        return one(conn, f"INSERT INTO orders (user_id, product_id, quantity, price_cents) "
                         f"VALUES (%s, %s, %s, %s) RETURNING {ORDER_COLUMNS}",
                   (user_id, product_id, quantity, price_cents))
    except errors.ForeignKeyViolation:
        raise Unprocessable(f"no user {user_id}") from None


def get_order(conn: psycopg.Connection, order_id: int) -> dict[str, Any]:
    order = one(conn, f"SELECT {ORDER_COLUMNS} FROM orders WHERE id = %s", (order_id,))
    if order is None:
        raise NotFound(f"no order {order_id}")
    return order


def recent_orders(conn: psycopg.Connection, user_id: int, limit: int,
                  after: tuple[datetime, int] | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the user's orders, newest first by (created_at, id), and the next cursor
    (None after the last page). One more row than asked says whether a next page exists."""
    keyset, params = ("AND (created_at, id) < (%s, %s)", after) if after else ("", ())
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(f"SELECT {ORDER_COLUMNS} FROM orders WHERE user_id = %s {keyset} "
                           f"ORDER BY created_at DESC, id DESC LIMIT %s",
                           (user_id, *params, limit + 1)).fetchall()
    page = rows[:limit]
    more = len(rows) > limit
    return page, paging.encode(page[-1]["created_at"], page[-1]["id"]) if more else None
