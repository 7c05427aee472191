"""Checks of the schema-design lab: migrations, constraints, prices paid, stock under a race,
an index that serves a user's recent orders, and keyset pages.

Every check makes its own users and products with random names, emails, prices and stock
(`ctx.random`). Where the database must keep a rule, the grader does not take the API's word
for it: it writes the forbidden row straight into the table (`ctx.sql`) and expects the
database to refuse it, and it asks PostgreSQL itself for the plan of the recent-orders query.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
from psycopg import errors

from labs.checks import CheckContext, CheckFailed, Checks, not_run
from labs.restarted import wait_healthy
from labs.schema_design import database
from labs.simultaneous import send_together
from labs.wording import json_value

checks = Checks()

SEED_USERS = 2_000
SEED_ORDERS = 500_000
LATENCY_BUDGET_MS = 300      # p95 of the recent-orders pages the grader times
WITHIN_BUDGET_PERCENT = 95   # ...that is, this share of them answers within the budget
TIMED_USERS = 10             # users whose first three pages are timed: 30 requests
STOCK = 10                   # in stock when the buyers arrive
BUYERS = 100                 # simultaneous purchases of one item each
PAGE_LIMIT = 7               # page size while the grader inserts between pages
RESTART_READY_S = 20         # the app answers GET /healthz this soon after a restart
PAGED_ORDERS = 45            # orders of the paged user, in runs of 3 with the same created_at
PURCHASE_TIMEOUT_S = 20      # the grader's wait for each of the simultaneous purchases

NAMES = ("Ana", "Bo", "Chen", "Dara", "Eli", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lea")
PRODUCTS = ("teapot", "notebook", "lamp", "kettle", "backpack", "mug", "stapler", "headphones")


# --- the API as a client uses it -------------------------------------------------------------

def sent(response: httpx.Response) -> str:
    return f"{response.request.method} {response.request.url.path}"


def expect_object(ctx: CheckContext, response: httpx.Response, status: int) -> dict[str, Any]:
    ctx.expect_status(response, status)
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict), f"expected a JSON object from {sent(response)}, got "
               f"{json_value(body)}", evidence=response)
    return body


def expect_error(ctx: CheckContext, response: httpx.Response, status: int) -> None:
    body = expect_object(ctx, response, status)
    ctx.expect(isinstance(body.get("error"), str), f"expected a JSON object with a string "
               f"member \"error\" from {sent(response)}, got {json_value(body)}",
               evidence=response)


def new_email(ctx: CheckContext) -> str:
    name = ctx.random.choice(NAMES).lower()
    return f"{name}.{ctx.random.randrange(10**8):08d}@example.org"


def new_user(ctx: CheckContext) -> dict[str, Any]:
    email = new_email(ctx)
    name = f"{ctx.random.choice(NAMES)} {ctx.random.choice(NAMES)}son"
    response = ctx.http.post("/users", json={"email": email, "name": name})
    user = expect_object(ctx, response, 201)
    ctx.expect(isinstance(user.get("id"), int), f"expected an integer \"id\" from "
               f"{sent(response)}, got {json_value(user.get('id'))}", evidence=response)
    ctx.expect_member(user, "email", email, evidence=response)
    return user


def new_product(ctx: CheckContext, stock: int, price_cents: int | None = None,
                ) -> dict[str, Any]:
    price_cents = price_cents if price_cents is not None else ctx.random.randrange(100, 9_999)
    response = ctx.http.post("/products", json={
        "name": f"{ctx.random.choice(PRODUCTS)} {ctx.random.randrange(10**4)}",
        "price_cents": price_cents, "stock": stock})
    product = expect_object(ctx, response, 201)
    ctx.expect(isinstance(product.get("id"), int), f"expected an integer \"id\" from "
               f"{sent(response)}, got {json_value(product.get('id'))}", evidence=response)
    for name, value in (("price_cents", price_cents), ("stock", stock)):
        ctx.expect_member(product, name, value, evidence=response)
    return product


def order_body(user_id: int, product_id: int, quantity: int = 1) -> dict[str, int]:
    return {"user_id": user_id, "product_id": product_id, "quantity": quantity}


def buy(ctx: CheckContext, user_id: int, product_id: int, quantity: int = 1) -> dict[str, Any]:
    response = ctx.http.post("/orders", json=order_body(user_id, product_id, quantity))
    order = expect_object(ctx, response, 201)
    ctx.expect(isinstance(order.get("id"), int), f"expected an integer \"id\" from "
               f"{sent(response)}, got {json_value(order.get('id'))}", evidence=response)
    return order


def read(ctx: CheckContext, path: str) -> dict[str, Any]:
    return expect_object(ctx, ctx.http.get(path), 200)


def expect_members(ctx: CheckContext, document: dict[str, Any], wanted: dict[str, Any],
                   ) -> None:
    for name, value in wanted.items():
        ctx.expect_member(document, name, value, evidence=ctx.last_exchange())


def page(ctx: CheckContext, user_id: int, limit: int, cursor: str | None = None,
         ) -> tuple[list[dict[str, Any]], str | None]:
    params: dict[str, Any] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = ctx.http.get(f"/users/{user_id}/orders", params=params)
    body = expect_object(ctx, response, 200)
    items = ctx.expect_member(body, "items", evidence=response)
    next_cursor = ctx.expect_member(body, "next_cursor", evidence=response)
    ctx.expect(isinstance(items, list) and all(isinstance(item, dict) for item in items),
               f"expected \"items\" to be an array of orders, got {json_value(items)}",
               evidence=response)
    ctx.expect(next_cursor is None or isinstance(next_cursor, str), f"expected "
               f"\"next_cursor\" a string or null, got {json_value(next_cursor)}",
               evidence=response)
    ctx.expect(len(items) <= limit, f"expected at most {limit} items with ?limit={limit}, "
               f"got {len(items)}", evidence=response)
    return items, next_cursor


def first_line(error: psycopg.Error) -> str:
    """PostgreSQL's message without the LINE/caret lines that follow it."""
    return str(error).strip().splitlines()[0]


def refused(ctx: CheckContext, sql: str, params: tuple[Any, ...],
            expected: type[psycopg.Error]) -> psycopg.Error | None:
    """Run a write the schema must refuse; the error it raised, None when it went through."""
    conn = ctx.sql()
    try:
        with conn.transaction():
            conn.execute(sql, params)
    except expected as error:
        return error
    except psycopg.Error as error:
        raise CheckFailed(f"expected the database to refuse {sql} with "
                          f"{expected.__name__}, got another error: {first_line(error)}",
                          ) from None
    return None


def wait_until_up(ctx: CheckContext) -> None:
    """Wait for the restarted app; if it never answers, its log says why."""
    try:
        wait_healthy(ctx, RESTART_READY_S)
    except CheckFailed as failure:
        raise CheckFailed(failure.message + ": does applying the migrations twice fail?",
                          ctx.logs("app", 20)) from None


@contextmanager
def grader_writes(ctx: CheckContext, what: str) -> Iterator[None]:
    """The grader's own writes (README.md, "What the grader writes") as a check failure
    naming what the schema lacks, not as a driver error. The schema is one cause: when an
    earlier check's write failed with the same error, this check says it did not run."""
    try:
        yield
    except psycopg.Error as error:
        said = ctx.state.setdefault("schema_refused", {})  # error -> the check that said it
        cause = first_line(error)
        if cause in said:
            first = next(check.name for check in checks if check.id == said[cause])
            raise CheckFailed(not_run(f"the grader cannot {what} in your tables either "
                                      f'({cause}), as "{first}" said')) from None
        said[cause] = ctx.check_id
        raise CheckFailed(f"expected the grader to {what} in the tables README.md describes, "
                          f"got: {cause}") from None


# --- the checks ------------------------------------------------------------------------------

@checks.check("Migrations are applied once and a restart leaves the schema as it was",
              points=15,
              hint="Put the schema in migrations/NNN_name.sql. At start, apply each file whose "
                   "name (without .sql) is not in schema_migrations yet, and insert that name "
                   "in the same transaction; skip the others.")
def migrations_apply_once(ctx: CheckContext) -> None:
    files = sorted(path.stem for path in (ctx.submission / "migrations").glob("*.sql"))
    ctx.expect(files, "expected migrations/*.sql files in your submission, got none")
    conn = ctx.sql()
    try:
        recorded = [row[0] for row in conn.execute(
            "SELECT version FROM schema_migrations ORDER BY version")]
    except psycopg.Error as error:
        raise CheckFailed("expected a table schema_migrations with a column version listing "
                          f"the migrations applied, got: {first_line(error)}") from None
    missing = [name for name in files if name not in recorded]
    ctx.expect(not missing, f"expected schema_migrations to record every file of migrations/ "
               f"by its name without .sql, missing {', '.join(missing)} (recorded: "
               f"{', '.join(recorded) or 'none'})")
    email = new_email(ctx)
    with grader_writes(ctx, "insert a user"):
        conn.execute("INSERT INTO users (email, name) VALUES (%s, 'Kept across restarts')",
                     (email,))
    before = database.schema_of(conn)
    ctx.faults.restart("app")
    wait_until_up(ctx)
    after = database.schema_of(ctx.sql())
    changes = [f"removed {line}" for line in sorted(before - after)] + [
        f"added {line}" for line in sorted(after - before)]
    ctx.expect(not changes, "expected a restart to leave the schema as it was, got: "
               + "; ".join(changes[:6]))
    conn = ctx.sql()
    again = [row[0] for row in conn.execute(
        "SELECT version FROM schema_migrations ORDER BY version")]
    ctx.expect(again == recorded, f"expected schema_migrations unchanged by a restart "
               f"({len(recorded)} rows), got {len(again)} rows: {', '.join(again)}")
    kept = conn.execute("SELECT count(*) FROM users WHERE email = %s", (email,)).fetchone()[0]
    ctx.expect(kept == 1, f"expected the user {email} inserted before the restart to be there "
               f"after it, got {kept} rows: do the migrations drop and recreate tables?")


@checks.check("Users, products and orders are created and read back", points=10,
              hint="POST /users, POST /products and POST /orders answer 201 with the new row "
                   "as JSON; GET /users/{id}, /products/{id} and /orders/{id} read it back; "
                   "an order takes its quantity off the product's stock.")
def shop_round_trip(ctx: CheckContext) -> None:
    user = new_user(ctx)
    expect_members(ctx, read(ctx, f"/users/{user['id']}"), user)
    stock, quantity = ctx.random.randrange(5, 50), ctx.random.randrange(1, 4)
    product = new_product(ctx, stock)
    expect_members(ctx, read(ctx, f"/products/{product['id']}"),
                   {"id": product["id"], "price_cents": product["price_cents"], "stock": stock})
    order = buy(ctx, user["id"], product["id"], quantity)
    expect_members(ctx, order, {"user_id": user["id"], "product_id": product["id"],
                                "quantity": quantity, "price_cents": product["price_cents"]})
    ctx.expect(isinstance(order.get("created_at"), str), f"expected \"created_at\" a string, "
               f"got {json_value(order.get('created_at'))}", evidence=ctx.last_exchange())
    expect_members(ctx, read(ctx, f"/orders/{order['id']}"), order)
    ctx.expect_member(read(ctx, f"/products/{product['id']}"), "stock", stock - quantity,
                      evidence=ctx.last_exchange())
    items, next_cursor = page(ctx, user["id"], 20)
    ctx.expect([item.get("id") for item in items] == [order["id"]] and next_cursor is None,
               f"expected GET /users/{user['id']}/orders to list the one order {order['id']} "
               f"with \"next_cursor\": null, got ids {json_value([i.get('id') for i in items])}"
               f" and \"next_cursor\": {json_value(next_cursor)}", evidence=ctx.last_exchange())


@checks.check("A taken email answers 409, and the database refuses it too", points=10,
              hint="Make users.email UNIQUE in a migration and answer 409 when the INSERT "
                   "fails with a unique violation. Checking first in the app is not enough: "
                   "two sign-ups at once both pass the check.",
              needs=("shop_round_trip",))
def duplicate_email_is_409(ctx: CheckContext) -> None:
    user = new_user(ctx)
    again = ctx.http.post("/users", json={"email": user["email"], "name": "Someone Else"})
    expect_error(ctx, again, 409)
    error = refused(ctx, "INSERT INTO users (email, name) VALUES (%s, 'Direct insert')",
                    (user["email"],), errors.UniqueViolation)
    ctx.expect(error is not None, f"expected the database to refuse a second row in users "
               f"with the email {user['email']} (a UNIQUE constraint on users.email), got the "
               f"row inserted: a check in the app alone lets two sign-ups at once through")


@checks.check("An order for an unknown user or product answers 422, and the database "
              "refuses it too", points=10,
              hint="Give orders.user_id and orders.product_id foreign keys (REFERENCES) and "
                   "answer 422 when the database refuses the row; roll back the stock "
                   "taken for an order that fails.",
              needs=("shop_round_trip",))
def dangling_reference_is_422(ctx: CheckContext) -> None:
    stock = ctx.random.randrange(5, 20)
    user, product = new_user(ctx), new_product(ctx, stock)
    conn = ctx.sql()
    gap = ctx.random.randrange(10**5, 10**6)
    no_user = conn.execute("SELECT coalesce(max(id), 0) FROM users").fetchone()[0] + gap
    no_product = conn.execute("SELECT coalesce(max(id), 0) FROM products").fetchone()[0] + gap
    for body in (order_body(no_user, product["id"]), order_body(user["id"], no_product)):
        expect_error(ctx, ctx.http.post("/orders", json=body), 422)
    ctx.expect_member(read(ctx, f"/products/{product['id']}"), "stock", stock,
                      evidence=ctx.last_exchange())
    for column, value, params in (("user_id", no_user, (no_user, product["id"])),
                                  ("product_id", no_product, (user["id"], no_product))):
        error = refused(ctx, "INSERT INTO orders (user_id, product_id, quantity, price_cents) "
                        "VALUES (%s, %s, 1, 100)", params, errors.ForeignKeyViolation)
        ctx.expect(error is not None, f"expected the database to refuse an order with "
                   f"{column} {value}, which names no row (a foreign key on orders.{column}), "
                   "got the row inserted")


@checks.check("Past orders keep the price paid when the product's price changes", points=10,
              hint="Copy the product's price into the order when it is placed (orders."
                   "price_cents) and show that column; never read products.price_cents "
                   "to show an old order.",
              needs=("shop_round_trip",))
def past_orders_keep_price_paid(ctx: CheckContext) -> None:
    user = new_user(ctx)
    product = new_product(ctx, stock=5)
    paid = product["price_cents"]
    order = buy(ctx, user["id"], product["id"])
    new_price = paid + ctx.random.randrange(1, 5_000)
    changed = expect_object(ctx, ctx.http.patch(f"/products/{product['id']}",
                                                json={"price_cents": new_price}), 200)
    ctx.expect_member(changed, "price_cents", new_price, evidence=ctx.last_exchange())
    shown = read(ctx, f"/orders/{order['id']}")
    ctx.expect(shown.get("price_cents") == paid, f"expected order {order['id']} to keep "
               f"\"price_cents\": {paid} (paid) after the price became {new_price}, got "
               f"{json_value(shown.get('price_cents'))}", evidence=ctx.last_exchange())
    items, _ = page(ctx, user["id"], 20)
    listed = [item.get("price_cents") for item in items if item.get("id") == order["id"]]
    ctx.expect(listed == [paid], f"expected order {order['id']} listed with \"price_cents\": "
               f"{paid}, got {json_value(listed)}", evidence=ctx.last_exchange())
    ctx.expect_member(buy(ctx, user["id"], product["id"]), "price_cents", new_price,
                      evidence=ctx.last_exchange())


@checks.check(f"{BUYERS} simultaneous purchases of {STOCK} items in stock: exactly "
              f"{STOCK} succeed", points=15,
              hint="Take stock with one statement that checks and writes at once: UPDATE "
                   "products SET stock = stock - %s WHERE id = %s AND stock >= %s; no row "
                   "updated means 409. Reading the stock, then writing it, sells twice.",
              needs=("shop_round_trip",))
def purchases_never_oversell(ctx: CheckContext) -> None:
    user, product = new_user(ctx), new_product(ctx, STOCK)
    body = json.dumps(order_body(user["id"], product["id"])).encode()
    started = time.monotonic()
    answers = send_together(ctx.client(timeout=PURCHASE_TIMEOUT_S), BUYERS, "POST", "/orders", body,
                            {"Content-Type": "application/json"})
    took = time.monotonic() - started
    statuses = Counter(response.status_code for response in answers)
    ctx.chart(f"Answers to {BUYERS} simultaneous purchases of {STOCK} in stock", "bar",
              {str(status): count for status, count in sorted(statuses.items())})
    ctx.metric(f"{BUYERS} purchases answered in", round(took, 2), "s")
    got = ", ".join(f"{count} x {status}" for status, count in sorted(statuses.items()))
    ctx.expect(statuses == {201: STOCK, 409: BUYERS - STOCK}, f"expected {STOCK} answers 201 "
               f"and {BUYERS - STOCK} answers 409 from POST /orders, got {got}",
               evidence=next((r for r in answers if r.status_code not in (201, 409)), None))
    conn = ctx.sql()
    stock, sold = conn.execute(
        "SELECT p.stock, (SELECT coalesce(sum(quantity), 0) FROM orders WHERE product_id = p.id)"
        " FROM products p WHERE p.id = %s", (product["id"],)).fetchone()
    ctx.expect(stock == 0 and sold == STOCK, f"expected products.stock 0 and {STOCK} items in "
               f"orders of product {product['id']}, got stock {stock} and {sold} sold")


@checks.check("Keyset pages show every order once while new orders arrive", points=15,
              hint="Page by the last (created_at, id) shown: WHERE user_id = $1 AND "
                   "(created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC. An "
                   "offset shifts when rows arrive; created_at alone skips ties.",
              needs=("shop_round_trip",))
def keyset_pages_survive_inserts(ctx: CheckContext) -> None:
    user, product = new_user(ctx), new_product(ctx, stock=1_000)
    conn = ctx.sql()
    with grader_writes(ctx, f"insert {PAGED_ORDERS} orders"):
        seeded = conn.execute(
            "INSERT INTO orders (user_id, product_id, quantity, price_cents, created_at) "
            "SELECT %s, %s, 1, %s, now() - %s * interval '1 hour' - n / 3 * interval '1 minute'"
            " FROM generate_series(0, %s) AS n RETURNING id, created_at",
            (user["id"], product["id"], product["price_cents"], ctx.random.randrange(1, 500),
             PAGED_ORDERS - 1)).fetchall()
    expected = [json_value(order_id) for order_id, _ in sorted(
        seeded, key=lambda row: (row[1], row[0]), reverse=True)]
    seen: list[int] = []
    cursor: str | None = None
    for number in range(1, 3 * PAGED_ORDERS // PAGE_LIMIT):
        items, cursor = page(ctx, user["id"], PAGE_LIMIT, cursor)
        seen += [json_value(item.get("id")) for item in items]
        twice = [order_id for order_id, count in Counter(seen).items() if count > 1]
        if twice:
            raise CheckFailed(f"expected each order on one page only, got order {twice[0]} "
                              f"again on page {number} after {number - 1} new order(s) "
                              "arrived: are pages cut by an offset?", ctx.last_exchange())
        if cursor is None:
            break
        buy(ctx, user["id"], product["id"])
    shown = [order_id for order_id in seen if order_id in set(expected)]
    missing = [order_id for order_id in expected if order_id not in set(seen)]
    ctx.expect(not missing, f"expected all {PAGED_ORDERS} older orders on the pages, missing "
               f"{len(missing)} (ids {', '.join(missing[:8])}): orders with the same "
               "created_at at a page's end are skipped unless the cursor holds the id too")
    ctx.expect(shown == expected, "expected the orders newest first (created_at, then id, "
               f"descending), got ids in the order {', '.join(shown[:12])}...")
    ctx.metric("pages", number)


@checks.check(f"On {SEED_ORDERS:,} orders, a user's recent orders come from an index within "
              f"{LATENCY_BUDGET_MS} ms", points=15,
              hint="Index orders by (user_id, created_at DESC, id DESC): equality column "
                   "first, then the ORDER BY's columns in its order; INCLUDE the other "
                   "columns the page shows for an index-only scan.",
              needs=("shop_round_trip",))
def recent_orders_use_an_index(ctx: CheckContext) -> None:
    conn = ctx.sql()
    started = time.monotonic()
    with grader_writes(ctx, f"seed {SEED_ORDERS:,} orders"):
        user_ids = database.seed_orders(conn, f"{ctx.random.randrange(16**8):08x}",
                                        SEED_USERS, SEED_ORDERS, ctx.random.randrange(100, 9_999))
    ctx.metric(f"seeding {SEED_ORDERS:,} orders", round(time.monotonic() - started, 1), "s")
    timings = judged_page_timings(ctx, ctx.random.sample(user_ids, TIMED_USERS))
    p50 = statistics.median(timings)
    p95 = nearest_rank(timings, WITHIN_BUDGET_PERCENT)
    ctx.chart(f"Recent-orders page latency on {SEED_ORDERS:,} orders (ms, 3 pages each of "
              f"{TIMED_USERS} users)", "line",
              [[number, round(ms, 1)] for number, ms in enumerate(timings, 1)])
    ctx.metric("recent-orders page p50", round(p50, 1), "ms")
    ctx.metric("recent-orders page p95", round(p95, 1), "ms")
    probe = user_ids[0]
    plan, text = database.plan_of(conn, probe), database.plan_text(conn, probe)
    steps = " > ".join(database.described(node) for node in database.nodes(plan))
    scans = [node for node in database.nodes(plan) if node.get("Relation Name") == "orders"]
    ctx.expect(scans and all(node["Node Type"] in database.INDEX_SCANS for node in scans),
               "expected EXPLAIN of the recent-orders query to show an Index Scan or Index "
               f"Only Scan on orders, got {steps}", evidence=text)
    index = scans[0]["Index Name"]
    first = database.first_key_column(conn, index)
    ctx.expect(first == "user_id", f"expected the index {index} to start with user_id (the "
               f"column the query compares with =), got {first} first: {steps}", evidence=text)
    sorts = [node["Node Type"] for node in database.nodes(plan)
             if node["Node Type"] in database.SORTS]
    ctx.expect(not sorts, f"expected no sort above the index (it must keep each user's orders "
               f"by created_at, then id), got {sorts[0] if sorts else ''}: {steps}",
               evidence=text)
    ctx.expect(p95 <= LATENCY_BUDGET_MS, f"expected {WITHIN_BUDGET_PERCENT}% of "
               f"recent-orders pages within {LATENCY_BUDGET_MS} ms, got p"
               f"{WITHIN_BUDGET_PERCENT} {p95:.0f} ms (p50 {p50:.0f} ms)")


def judged_page_timings(ctx: CheckContext, users: list[int]) -> list[float]:
    """The first three pages of each user timed in ms; when that pass misses the budget, the
    same pages timed once more and the better pass judged. A grader starved of CPU for a
    moment stalls a page or two of one pass; a query that scans the table is slow in both."""
    first = timed_pages(ctx, users)
    if nearest_rank(first, WITHIN_BUDGET_PERCENT) <= LATENCY_BUDGET_MS:
        return first
    again = timed_pages(ctx, users)
    ctx.metric("recent-orders page p95, first pass",
               round(nearest_rank(first, WITHIN_BUDGET_PERCENT), 1), "ms")
    return min(first, again, key=lambda timings: nearest_rank(timings, WITHIN_BUDGET_PERCENT))


def timed_pages(ctx: CheckContext, users: list[int]) -> list[float]:
    timings = []
    for user_id in users:
        cursor = None
        for _ in range(3):
            began = time.monotonic()
            items, cursor = page(ctx, user_id, 20, cursor)
            timings.append((time.monotonic() - began) * 1000)
            expect_full_page(ctx, user_id, items, cursor)
    return timings


def expect_full_page(ctx: CheckContext, user_id: int, items: list[dict[str, Any]],
                     next_cursor: str | None) -> None:
    """One of a loaded user's first three pages: 20 orders and a cursor to more (the user
    has SEED_ORDERS / SEED_USERS of them). The failure shows both, so a missing cursor on a
    full page is named as such."""
    ctx.expect(len(items) == 20 and next_cursor, f"expected a full page of 20 orders of user "
               f"{user_id} and a next_cursor (the user has {SEED_ORDERS // SEED_USERS} "
               f"orders), got {len(items)} orders and \"next_cursor\": "
               f"{json_value(next_cursor)}", evidence=ctx.last_exchange())


def nearest_rank(values: list[float], percent: int) -> float:
    """The smallest of `values` that at least `percent`% of them do not exceed (the
    nearest-rank percentile): of 30 pages, p95 is the 29th fastest."""
    ordered = sorted(values)
    return ordered[max(1, -(-percent * len(ordered) // 100)) - 1]
