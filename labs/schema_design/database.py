"""What the schema-design checks read and write straight in the learner's database.

The README fixes the names the grader relies on (tables users, products and orders, their
columns, schema_migrations.version); everything else about the schema is the learner's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg

# The query whose plan the grader asks for: a user's first page of recent orders.
RECENT_ORDERS = ("SELECT id, product_id, quantity, price_cents, created_at FROM orders "
                 "WHERE user_id = %s ORDER BY created_at DESC, id DESC LIMIT 20")
INDEX_SCANS = ("Index Scan", "Index Only Scan")
SORTS = ("Sort", "Incremental Sort")


def schema_of(conn: psycopg.Connection) -> set[str]:
    """The public schema as lines of text: columns, constraints and indexes."""
    columns = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public'").fetchall()
    constraints = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace").fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall()
    return ({f"column {table}.{column} {kind}{' NOT NULL' if nullable == 'NO' else ''}"
             f"{f' DEFAULT {default}' if default else ''}"
             for table, column, kind, nullable, default in columns}
            | {f"constraint {name} on {table}: {definition}"
               for table, name, definition in constraints}
            | {f"index {definition}" for _, definition in indexes})


def foreign_keys(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """(name, definition) of each foreign key of `table`."""
    return conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'", (table,)).fetchall()


def plain_indexes(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of each index of `table` that belongs to no constraint
    (not the primary key's, not a UNIQUE constraint's)."""
    return conn.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = %s::regclass AND indexrelid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE conrelid = %s::regclass)",
        (table, table)).fetchall()


def seed_orders(conn: psycopg.Connection, tag: str, users: int, orders: int,
                price_cents: int) -> list[int]:
    """`users` users (emails seed-<tag>-N@example.org), one product, and `orders` orders
    spread over them, one a second going back from an hour ago; the users' ids.

    As a bulk load does (PostgreSQL's "Populating a Database", and pg_dump), the foreign
    keys and the plain indexes of orders are dropped for the insert and made again exactly
    as they were, in the same transaction: checking 500,000 rows in one pass and building
    each index in one sort is several times faster than doing both row by row.
    """
    with conn.transaction():
        user_ids = [row[0] for row in conn.execute(
            "INSERT INTO users (email, name) SELECT 'seed-' || %s || '-' || n || '@example.org',"
            " 'Seed customer ' || n FROM generate_series(1, %s) AS n RETURNING id",
            (tag, users))]
        product = conn.execute("INSERT INTO products (name, price_cents, stock) "
                               "VALUES (%s, %s, 0) RETURNING id",
                               (f"seed-{tag}", price_cents)).fetchone()[0]
        keys, indexes = foreign_keys(conn, "orders"), plain_indexes(conn, "orders")
        for name, _ in keys:
            conn.execute(f'ALTER TABLE orders DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.execute(
            "INSERT INTO orders (user_id, product_id, quantity, price_cents, created_at) "
            "SELECT (%s::bigint[])[1 + n %% %s], %s, 1 + n %% 3, %s, "
            "now() - interval '1 hour' - n * interval '1 second' "
            "FROM generate_series(1, %s) AS n", (user_ids, users, product, price_cents, orders))
        for _, definition in indexes:
            conn.execute(definition)
        for name, definition in keys:
            conn.execute(f'ALTER TABLE orders ADD CONSTRAINT "{name}" {definition}')
    conn.execute("ANALYZE users, products, orders")
    return user_ids


def plan_of(conn: psycopg.Connection, user_id: int) -> dict[str, Any]:
    """The planner's plan (EXPLAIN FORMAT JSON) for RECENT_ORDERS."""
    explained = conn.execute(f"EXPLAIN (FORMAT JSON) {RECENT_ORDERS}", (user_id,)).fetchone()
    return explained[0][0]["Plan"]


def plan_text(conn: psycopg.Connection, user_id: int) -> str:
    rows = conn.execute(f"EXPLAIN (COSTS OFF) {RECENT_ORDERS}", (user_id,)).fetchall()
    return "\n".join(row[0] for row in rows)


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from nodes(child)


def described(node: dict[str, Any]) -> str:
    """"Index Scan Backward using orders_x on orders", as EXPLAIN's text says it."""
    kind = node["Node Type"]
    if node.get("Scan Direction") == "Backward":
        kind += " Backward"
    if "Index Name" in node:
        kind += f" using {node['Index Name']}"
    if "Relation Name" in node:
        kind += f" on {node['Relation Name']}"
    return kind


def first_key_column(conn: psycopg.Connection, index: str) -> str | None:
    row = conn.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE c.relname = %s", (index,)).fetchone()
    return row[0] if row else None
