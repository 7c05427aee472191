"""The shop's storage: a bounded set of connections, the migrations, and every query.

Stock is taken under a row lock (SELECT ... FOR UPDATE): the second of two simultaneous
purchases waits for the first to commit and then sees the stock it left.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import errors
from psycopg.rows import dict_row

HERE = Path(__file__).resolve().parent


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Store:
    def __init__(self, url, connections=6):
        self.url = url
        self.free = []
        self.slots = threading.BoundedSemaphore(connections)
        self.lock = threading.Lock()

    @contextmanager
    def tx(self):
        if not self.slots.acquire(timeout=15):
            raise Refused(503, "the database is busy")
        with self.lock:
            conn = self.free.pop() if self.free else None
        try:
            if conn is None or conn.closed:
                conn = psycopg.connect(self.url, row_factory=dict_row)
            with conn.transaction():
                yield conn
        finally:
            if conn is not None and not conn.broken:
                with self.lock:
                    self.free.append(conn)
            self.slots.release()

    def migrate(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY)")
            done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
            for path in sorted((HERE / "migrations").glob("*.sql")):
                if path.stem in done:
                    continue
                with conn.transaction():
                    conn.execute(path.read_text())
                    conn.execute("INSERT INTO schema_migrations VALUES (%s)", (path.stem,))

    def add_user(self, email, name):
        try:
            with self.tx() as conn:
                return conn.execute("INSERT INTO users (email, name) VALUES (%s, %s) "
                                    "RETURNING id, email, name", (email, name)).fetchone()
        except errors.UniqueViolation:
            raise Refused(409, "email already registered") from None

    def user(self, user_id):
        with self.tx() as conn:
            return conn.execute("SELECT id, email, name FROM users WHERE id = %s",
                                (user_id,)).fetchone()

    def add_product(self, name, price, stock):
        with self.tx() as conn:
            return conn.execute("INSERT INTO products (name, price_cents, stock) "
                                "VALUES (%s, %s, %s) RETURNING id, name, price_cents, stock",
                                (name, price, stock)).fetchone()

    def product(self, product_id):
        with self.tx() as conn:
            return conn.execute("SELECT id, name, price_cents, stock FROM products "
                                "WHERE id = %s", (product_id,)).fetchone()

    def change_product(self, product_id, fields):
        with self.tx() as conn:
            row = None
            for column in ("name", "price_cents", "stock"):
                if column in fields:
                    row = conn.execute(f"UPDATE products SET {column} = %s WHERE id = %s "  # noqa: S608
                                       "RETURNING id", (fields[column], product_id)).fetchone()
                    if row is None:
                        return None
        return self.product(product_id)

    def buy(self, user_id, product_id, quantity):
        try:
            with self.tx() as conn:
                product = conn.execute("SELECT stock, price_cents FROM products WHERE id = %s "
                                       "FOR UPDATE", (product_id,)).fetchone()
                if product is None:
                    raise Refused(422, "unknown product")
                if product["stock"] < quantity:
                    raise Refused(409, "sold out")
                conn.execute("UPDATE products SET stock = stock - %s WHERE id = %s",
                             (quantity, product_id))
                return conn.execute(
                    "INSERT INTO orders (user_id, product_id, quantity, price_cents) "
                    "VALUES (%s, %s, %s, %s) RETURNING id, user_id, product_id, quantity, "
                    "price_cents, created_at",
                    (user_id, product_id, quantity, product["price_cents"])).fetchone()
        except errors.ForeignKeyViolation:
            raise Refused(422, "unknown user") from None

    def order(self, order_id):
        with self.tx() as conn:
            return conn.execute("SELECT id, user_id, product_id, quantity, price_cents, "
                                "created_at FROM orders WHERE id = %s", (order_id,)).fetchone()

    def orders_of(self, user_id, limit, before):
        where, args = "user_id = %s", [user_id]
        if before is not None:
            where += " AND (created_at, id) < (%s, %s)"
            args += list(before)
        with self.tx() as conn:
            return conn.execute("SELECT id, user_id, product_id, quantity, price_cents, "  # noqa: S608
                                f"created_at FROM orders WHERE {where} "
                                "ORDER BY created_at DESC, id DESC LIMIT %s",
                                [*args, limit]).fetchall()
