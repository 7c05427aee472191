"""Checks of the rest-api lab, in the order a learner builds the API (see README.md).

Every check makes its own users with random names and emails from `ctx.random`, so checks
do not share data and a fixed answer cannot pass. The only thing used straight in the
database is what the README fixes: a table `users` with a column `email` (rows are counted
and locked by it, never by the learner's own key column). Three checks are
prerequisites of many others (a user can be created and read back, errors are problem
details, a list is a page with a cursor); their dependents name them in `needs`, so one
missing piece is reported once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

from labs.checks import CheckContext, CheckFailed, Checks
from labs.evidence import body_excerpt
from labs.simultaneous import InFlight

checks = Checks()

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
               "Margaret", "Leslie", "Radia", "Tim", "Katherine", "Dennis", "Shafi", "Niklaus")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen",
              "Thompson", "Hamilton", "Lamport", "Perlman", "Lee", "Johnson", "Ritchie",
              "Goldwasser", "Wirth")
ITEMS = ("notebook", "keyboard", "teapot", "lamp", "headphones", "backpack", "stapler", "mug")
INVALID_EMAILS = ("plainaddress", "user@", "@example.org", "two words@example.org",
                  "missing-at.example.org")
UNKNOWN_ID = 2_000_000_000
USERS = "/api/v1/users"
PROBLEMS = "https://api.example.com/problems/"
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
RACE_ROUNDS = 3
RACE_COPIES = 8
RACE_HOLD_S = 2.0  # longest the grader holds a user's row while retries of its order arrive
FILL_CLIENTS = 4  # requests at a time when a check needs many users (README: How it runs)
MISSING = object()  # a JSON member that is not there


# --- describing what came back, in JSON terms ----------------------------------------------

def shown(value: Any) -> str:
    """`value` as JSON text (cut short), or "none" for a member that is not there."""
    if value is MISSING:
        return "none"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:200] + "..."


def sent(response: httpx.Response) -> str:
    """"POST /api/v1/users": the request a response answered."""
    return f"{response.request.method} {response.request.url.path}"


def json_object(ctx: CheckContext, response: httpx.Response) -> dict[str, Any]:
    body = ctx.expect_json(response)
    kinds = {list: "an array", str: "a string", int: "a number", float: "a number",
             bool: "a boolean", type(None): "null"}
    ctx.expect(isinstance(body, dict), f"expected a JSON object from {sent(response)}, got "
               f"{kinds.get(type(body), 'something else')}: {shown(body)}", evidence=response)
    return body


def media_type(response: httpx.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def expect_media_type(ctx: CheckContext, response: httpx.Response, expected: str) -> None:
    ctx.expect(media_type(response) == expected, f"expected Content-Type: {expected} from "
               f"{sent(response)}, got {response.headers.get('Content-Type', 'none')}",
               evidence=response)


def expect_member(ctx: CheckContext, response: httpx.Response | None, body: dict, name: str,
                  expected: Any, what: str = "") -> None:
    """JSON member `name` of `body` equals `expected` (ints are not booleans here)."""
    actual = body.get(name, MISSING)
    same = actual == expected and type(actual) is type(expected)
    where = f" {what}" if what else (f" from {sent(response)}" if response is not None else "")
    ctx.expect(same, f"expected JSON member \"{name}\" {shown(expected)}{where}, got "
               f"{shown(actual)}", evidence=response)


def is_id(value: Any) -> bool:
    return type(value) is int


def resource_of(ctx: CheckContext, response: httpx.Response, status: int = 200) -> dict:
    """The JSON object a success answered with `status`."""
    ctx.expect_status(response, status)
    return json_object(ctx, response)


def expect_id(ctx: CheckContext, response: httpx.Response, resource: dict) -> int:
    value = resource.get("id", MISSING)
    wrapped = " (the resource itself, not wrapped in \"data\")" if "data" in resource else ""
    ctx.expect(is_id(value), f"expected JSON member \"id\" with an integer{wrapped} from "
               f"{sent(response)}, got {shown(value)}", evidence=response)
    return value


def problem_of(ctx: CheckContext, response: httpx.Response, status: int, kind: str) -> dict:
    """The problem details (README: Errors) of an error answered with `status`."""
    ctx.expect_status(response, status)
    expect_media_type(ctx, response, "application/problem+json")
    problem = json_object(ctx, response)
    expect_member(ctx, response, problem, "type", PROBLEMS + kind)
    expect_member(ctx, response, problem, "status", status)
    for name in ("title", "detail"):
        value = problem.get(name, MISSING)
        ctx.expect(isinstance(value, str) and value.strip(), f"expected JSON member "
                   f"\"{name}\" with a sentence from {sent(response)}, got {shown(value)}",
                   evidence=response)
    return problem


def expect_timestamp(ctx: CheckContext, response: httpx.Response, resource: dict,
                     name: str) -> None:
    stamp = resource.get(name, MISSING)
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (AttributeError, TypeError, ValueError):
        moment = None
    ctx.expect(moment is not None and moment.utcoffset() == timedelta(0),
               f"expected JSON member \"{name}\" in ISO-8601 UTC (e.g. "
               f"\"2024-05-01T12:00:00Z\") from {sent(response)}, got {shown(stamp)}",
               evidence=response)


def expect_location(ctx: CheckContext, response: httpx.Response, path: str) -> None:
    location = response.headers.get("Location")
    ctx.expect(location, f"expected a Location header from {sent(response)}, got none",
               evidence=response)
    ctx.expect(urlsplit(location).path == path, f"expected Location: {path} from "
               f"{sent(response)}, got {location}", evidence=response)


# --- making test data -----------------------------------------------------------------------

def person(ctx: CheckContext) -> tuple[str, str]:
    return ctx.random.choice(FIRST_NAMES), ctx.random.choice(LAST_NAMES)


def new_user(ctx: CheckContext) -> dict[str, str]:
    """A v1 create body no other check will send: random name, unique email."""
    first, last = person(ctx)
    tag = ctx.random.randrange(10**9)
    return {"name": f"{first} {last}", "email": f"{first}.{last}.{tag}@example.org".lower()}


def create_user(ctx: CheckContext, payload: dict | None = None,
                client: httpx.Client | None = None) -> dict:
    """A new user, for checks about something else: 200 is let pass here, 201 is checked
    by its own check, so one mistake costs one check's points."""
    response = (client or ctx.http).post(USERS, json=payload or new_user(ctx))
    ctx.expect_status(response, (200, 201))
    user = json_object(ctx, response)
    expect_id(ctx, response, user)
    return user


def create_users(ctx: CheckContext, count: int) -> None:
    """`count` new users, FILL_CLIENTS requests at a time (a server must serve several at
    once), for a check that needs many and is about something else: one at a time they were
    most of a grade's time. The bodies are drawn in order first, so a seed gives the same
    users."""
    if count <= 0:
        return
    payloads = [new_user(ctx) for _ in range(count)]
    clients = [ctx.client() for _ in range(min(FILL_CLIENTS, count))]

    def fill(index: int) -> None:
        for payload in payloads[index::len(clients)]:
            create_user(ctx, payload, clients[index])

    try:
        with ThreadPoolExecutor(len(clients)) as pool:
            list(pool.map(fill, range(len(clients))))
    except CheckFailed as failed:
        raise CheckFailed(f"while creating {count} users, {len(clients)} requests at a time "
                          f"(README: How it runs): {failed.message}", failed.evidence) from None


def new_order(ctx: CheckContext) -> dict:
    return {"item": ctx.random.choice(ITEMS), "quantity": ctx.random.randint(1, 9),
            "unit_price_cents": ctx.random.choice((0, ctx.random.randint(1, 50_000)))}


def new_caller(ctx: CheckContext) -> str:
    """An Authorization header value no other caller of the grade has."""
    return f"Bearer {ctx.random.getrandbits(96):024x}"


def new_key(ctx: CheckContext) -> str:
    return f"{ctx.check_id}-{ctx.random.getrandbits(64):016x}"


@contextmanager
def users_table() -> Iterator[None]:
    """Turn a missing users table or email column (README: Storage) into a failure."""
    try:
        yield
    except psycopg.errors.UndefinedTable:
        raise CheckFailed("expected a table named users (see README: Storage), got none") \
            from None
    except psycopg.errors.UndefinedColumn:
        raise CheckFailed("expected the users table to have an email column, got none") \
            from None


def rows_with_email(ctx: CheckContext, email: str) -> int:
    """How many rows of the users table hold `email`."""
    with users_table():
        return ctx.sql().execute("SELECT count(*) FROM users WHERE email = %s",
                                 (email,)).fetchone()[0]


# --- health and the three prerequisites -----------------------------------------------------

@checks.check("GET /healthz answers 200", points=2,
              hint="Add a /healthz route that answers 200 once the app can serve requests.")
def health_check_answers_200(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("A created user can be read back by its id", points=4,
              hint="POST /api/v1/users stores the user and answers it as a plain JSON object "
                   "(Content-Type: application/json) with an integer id; GET "
                   "/api/v1/users/{id} answers the same user.")
def user_is_created_and_read_back(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    response = ctx.http.post(USERS, json=payload)
    ctx.expect_status(response, (200, 201))
    expect_media_type(ctx, response, "application/json")
    user_id = expect_id(ctx, response, json_object(ctx, response))
    fetched = ctx.http.get(f"{USERS}/{user_id}")
    ctx.expect_status(fetched, 200)
    expect_media_type(ctx, fetched, "application/json")
    user = json_object(ctx, fetched)
    expect_member(ctx, fetched, user, "id", user_id)
    expect_member(ctx, fetched, user, "email", payload["email"])


@checks.check("Creating a user answers 201 with a Location header", points=5,
              hint="Answer 201 Created with the user (name, email, created_at in UTC) and "
                   "Location: /api/v1/users/{id}.", needs=("user_is_created_and_read_back",))
def create_user_answers_201_with_location(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    response = ctx.http.post(USERS, json=payload)
    user = resource_of(ctx, response, 201)
    user_id = expect_id(ctx, response, user)
    expect_location(ctx, response, f"{USERS}/{user_id}")
    for field in ("name", "email"):
        expect_member(ctx, response, user, field, payload[field])
    expect_timestamp(ctx, response, user, "created_at")
    fetched = ctx.http.get(f"{USERS}/{user_id}")
    ctx.expect(resource_of(ctx, fetched) == user, f"expected GET {USERS}/{user_id} to answer "
               f"the user POST answered, {shown(user)}, got {fetched.text[:300]}",
               evidence=fetched)


@checks.check("Errors are application/problem+json with type, title, status and detail",
              points=6,
              hint="Answer every error as RFC 9457 problem details: Content-Type "
                   "application/problem+json and {\"type\": "
                   "\"https://api.example.com/problems/not-found\", \"title\", \"status\": "
                   "404, \"detail\"}.")
def errors_are_problem_details(ctx: CheckContext) -> None:
    missing = UNKNOWN_ID + ctx.random.randrange(10**6)
    problem_of(ctx, ctx.http.get(f"{USERS}/{missing}"), 404, "not-found")


# --- CRUD and status codes -----------------------------------------------------------------

@checks.check("PATCH changes only the fields it sends", points=4,
              hint="PATCH /api/v1/users/{id} applies the fields present in the body, keeps "
                   "the others, and answers 200 with the updated user.",
              needs=("user_is_created_and_read_back",))
def patch_updates_only_sent_fields(ctx: CheckContext) -> None:
    user = create_user(ctx)
    path = f"{USERS}/{user['id']}"
    first, last = person(ctx)
    renamed = f"{first} {last}-{ctx.random.randrange(1000)}"
    response = ctx.http.patch(path, json={"name": renamed})
    updated = resource_of(ctx, response)
    expect_member(ctx, response, updated, "name", renamed)
    expect_member(ctx, response, updated, "email", user["email"],
                  f"(unchanged by a PATCH of the name) from {sent(response)}")
    fetched = ctx.http.get(path)
    expect_member(ctx, fetched, resource_of(ctx, fetched), "name", renamed,
                  f"from GET {path} after the PATCH")


@checks.check("DELETE answers 204 with no body, then the user is gone", points=4,
              hint="Answer 204 No Content with an empty body; afterwards GET and DELETE of the "
                   "user answer 404.",
              needs=("user_is_created_and_read_back", "errors_are_problem_details"))
def delete_user_answers_204_then_404(ctx: CheckContext) -> None:
    path = f"{USERS}/{create_user(ctx)['id']}"
    response = ctx.http.delete(path)
    ctx.expect_status(response, 204)
    ctx.expect(response.content == b"", f"expected an empty body with 204 from "
               f"{sent(response)}, got {len(response.content)} bytes", evidence=response)
    problem_of(ctx, ctx.http.get(path), 404, "not-found")
    problem_of(ctx, ctx.http.delete(path), 404, "not-found")


@checks.check("A body that is not a JSON object answers 400", points=3,
              hint="Parse the body yourself and answer a 400 malformed-request problem when it "
                   "is not valid JSON or not an object.", needs=("errors_are_problem_details",))
def malformed_json_is_400(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    broken = json.dumps(payload)[:-ctx.random.randint(1, 5)]
    for body in (broken, json.dumps([payload])):
        response = ctx.http.post(USERS, content=body, headers={"Content-Type": "application/json"})
        problem_of(ctx, response, 400, "malformed-request")


def expect_invalid_fields(ctx: CheckContext, response: httpx.Response,
                          fields: list[str]) -> None:
    """A 422 validation-failed problem whose `errors` point at each of `fields`."""
    problem = problem_of(ctx, response, 422, "validation-failed")
    errors = problem.get("errors", MISSING)
    entries = errors if isinstance(errors, list) else []
    pointers = [entry.get("pointer") for entry in entries if isinstance(entry, dict)
                and isinstance(entry.get("detail"), str)]
    wanted = [f"#/{field}" for field in fields]
    ctx.expect(all(pointer in pointers for pointer in wanted),
               f"expected JSON member \"errors\" to list {', '.join(wanted)}, each as "
               f"{{\"pointer\": ..., \"detail\": ...}}, from {sent(response)}, got "
               f"{shown(errors)}", evidence=response)


@checks.check("Invalid user fields answer 422 with a pointer to each field", points=5,
              hint="Validate name (1-100 characters) and email; answer a 422 validation-failed "
                   "problem with errors = [{\"pointer\": \"#/email\", \"detail\": ...}, ...].",
              needs=("errors_are_problem_details",))
def invalid_user_fields_are_422(ctx: CheckContext) -> None:
    good = new_user(ctx)
    cases = [
        ({"email": good["email"]}, ["name"]),
        ({**good, "name": ""}, ["name"]),
        ({**good, "name": "x" * ctx.random.randint(101, 150)}, ["name"]),
        ({**good, "name": ctx.random.randint(1, 99)}, ["name"]),
        ({**good, "email": ctx.random.choice(INVALID_EMAILS)}, ["email"]),
        ({"name": good["name"]}, ["email"]),
        ({"name": "  ", "email": ctx.random.choice(INVALID_EMAILS)}, ["name", "email"]),
    ]
    for body, fields in cases:
        expect_invalid_fields(ctx, ctx.http.post(USERS, json=body), fields)
    ctx.expect(rows_with_email(ctx, good["email"]) == 0,
               "expected no user stored by invalid requests, got one in the users table")


@checks.check("A duplicate email answers 409", points=4,
              hint="Put a UNIQUE constraint on email and turn its violation into a 409 "
                   "email-taken problem (creating and PATCHing alike).",
              needs=("user_is_created_and_read_back", "errors_are_problem_details"))
def duplicate_email_is_409(ctx: CheckContext) -> None:
    first = create_user(ctx)
    twin = {**new_user(ctx), "email": first["email"]}
    problem_of(ctx, ctx.http.post(USERS, json=twin), 409, "email-taken")
    second = create_user(ctx)
    problem_of(ctx, ctx.http.patch(f"{USERS}/{second['id']}", json={"email": first["email"]}),
               409, "email-taken")


@checks.check("An unknown route under /api answers a 404 problem", points=2,
              hint="Register error handlers so the framework's own 404 is a problem too.",
              needs=("errors_are_problem_details",))
def unknown_api_route_is_404(ctx: CheckContext) -> None:
    word = ctx.random.choice(ITEMS) + str(ctx.random.randrange(1000))
    problem_of(ctx, ctx.http.get(f"/api/v1/{word}"), 404, "not-found")


@checks.check("A wrong method answers 405 with an Allow header", points=3,
              hint="Answer a 405 method-not-allowed problem and keep the Allow header that "
                   "lists the methods the URL supports.",
              needs=("user_is_created_and_read_back", "errors_are_problem_details"))
def wrong_method_is_405_with_allow(ctx: CheckContext) -> None:
    user = create_user(ctx)
    for method, path, allowed in (("PUT", f"{USERS}/{user['id']}", {"GET", "PATCH", "DELETE"}),
                                  ("DELETE", USERS, {"GET", "POST"})):
        response = ctx.http.request(method, path)
        problem_of(ctx, response, 405, "method-not-allowed")
        allow = {m.strip().upper() for m in response.headers.get("Allow", "").split(",")}
        ctx.expect(allowed <= allow, f"expected Allow to list {', '.join(sorted(allowed))} "
                   f"from {sent(response)}, got {response.headers.get('Allow', 'none')}",
                   evidence=response)


# --- pagination ----------------------------------------------------------------------------

def page_of(ctx: CheckContext, response: httpx.Response) -> tuple[list[dict], str | None]:
    """(items, next_cursor) of a list page (README: Pagination)."""
    page = resource_of(ctx, response)
    items = page.get("items", MISSING)
    ctx.expect(isinstance(items, list) and all(isinstance(i, dict) for i in items),
               f"expected JSON member \"items\" with an array of objects from "
               f"{sent(response)}, got {shown(items)}", evidence=response)
    cursor = page.get("next_cursor", MISSING)
    ctx.expect(cursor is None or (isinstance(cursor, str) and cursor),
               f"expected JSON member \"next_cursor\" with a string or null from "
               f"{sent(response)}, got {shown(cursor)}", evidence=response)
    return items, cursor


def ids_of(items: list[dict]) -> list[Any]:
    return [item.get("id") for item in items]


def list_page(ctx: CheckContext, path: str, limit: int | None = None,
              cursor: str | None = None) -> tuple[httpx.Response, list[dict], str | None]:
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = limit
    if cursor is not None:
        params["cursor"] = cursor
    response = ctx.http.get(path, params=params)
    items, next_cursor = page_of(ctx, response)
    return response, items, next_cursor


@checks.check("Users are listed newest first, a page at a time, with next_cursor", points=6,
              hint="Answer {\"items\": [...], \"next_cursor\": ...}: users by id descending, "
                   "at most ?limit= of them, and a cursor that ?cursor= continues from.",
              needs=("user_is_created_and_read_back",))
def users_are_listed_newest_first_by_cursor(ctx: CheckContext) -> None:
    made = [create_user(ctx) for _ in range(ctx.random.randint(4, 6))]
    expected = [user["id"] for user in reversed(made)]
    response, items, cursor = list_page(ctx, USERS, limit=2)
    ctx.expect(ids_of(items) == expected[:2], f"expected the 2 newest users first, ids "
               f"{shown(expected[:2])}, from {sent(response)}?limit=2, got ids "
               f"{shown(ids_of(items))}", evidence=response)
    expect_member(ctx, response, items[0], "email", made[-1]["email"],
                  f"of the newest user from {sent(response)}")
    seen = ids_of(items)
    for number in range(2, 2 + (len(expected) - 1) // 2):
        ctx.expect(cursor is not None, f"expected a next_cursor on page {number - 1}: "
                   f"more users follow it, got null", evidence=response)
        response, items, cursor = list_page(ctx, USERS, limit=2, cursor=cursor)
        wanted = expected[len(seen):len(seen) + 2]
        ctx.expect(ids_of(items)[:len(wanted)] == wanted, f"expected page {number} (limit 2, "
                   f"the cursor of page {number - 1}) to go on with ids {shown(wanted)}, got "
                   f"ids {shown(ids_of(items))}", evidence=response)
        seen += ids_of(items)


@checks.check("Paging by cursor repeats and skips nothing while users are created and deleted",
              points=6,
              hint="Put the last id of the page in the cursor and continue with WHERE id < "
                   "that id: an offset shifts when rows are inserted or deleted meanwhile.",
              needs=("users_are_listed_newest_first_by_cursor",))
def paging_survives_inserts_and_deletes(ctx: CheckContext) -> None:
    mine = [user["id"] for user in reversed([create_user(ctx) for _ in range(7)])]
    newer: set[int] = set()
    deleted: list[int] = []
    page_seen: dict[int, int] = {}
    cursor: str | None = None
    for number in range(1, 5):
        response, items, cursor = list_page(ctx, USERS, limit=3, cursor=cursor)
        for user_id in ids_of(items):
            ctx.expect(user_id not in newer, f"expected users created after page 1 not to "
                       f"appear on later pages (they are newer), got user {user_id} on page "
                       f"{number}", evidence=response)
            ctx.expect(user_id not in page_seen, f"expected each user once while paging, got "
                       f"user {user_id} on page {page_seen.get(user_id)} and again on page "
                       f"{number} ({changes(newer, deleted)} between the pages)",
                       evidence=response)
            page_seen[user_id] = number
        if cursor is None or mine[-1] in page_seen:
            break
        newer.update(create_user(ctx)["id"] for _ in range(2 if number == 1 else 1))
        # after page 1 the row its cursor points past, after page 2 a row seen earlier
        gone = ids_of(items)[-1] if number == 1 else ids_of(items)[0]
        ctx.expect_status(ctx.http.delete(f"{USERS}/{gone}"), (200, 204))
        deleted.append(gone)
    skipped = [user_id for user_id in mine if user_id not in page_seen]
    ctx.expect(not skipped, f"expected every user that was never deleted on some page, got "
               f"no page with user {shown(skipped[:3])} ({changes(newer, deleted)} between the "
               f"pages)")
    order = [user_id for user_id in page_seen if user_id in mine]
    ctx.expect(order == mine, f"expected the users newest first across pages, ids "
               f"{shown(mine)}, got {shown(order)}")


def changes(newer: set[int], deleted: list[int]) -> str:
    return (f"{len(newer)} users were created and user{'s' if len(deleted) > 1 else ''} "
            f"{', '.join(map(str, deleted))} deleted")


@checks.check("A large limit is capped at 100, a bad limit or cursor answers 400", points=4,
              hint="Default limit 20, cap it at 100; a negative, zero or non-integer limit, or "
                   "a cursor you did not issue, is a 400 malformed-request problem.",
              needs=("users_are_listed_newest_first_by_cursor", "errors_are_problem_details"))
def limit_is_capped_and_bad_paging_is_400(ctx: CheckContext) -> None:
    _, items, cursor = list_page(ctx, USERS, limit=MAX_LIMIT)
    create_users(ctx, MAX_LIMIT + 1 - len(items) if cursor is None else 0)
    response, items, cursor = list_page(ctx, USERS)
    ctx.expect(len(items) == DEFAULT_LIMIT and cursor, f"expected {DEFAULT_LIMIT} users and a "
               f"next_cursor without ?limit= (more than {MAX_LIMIT} exist), got {len(items)} "
               f"users and next_cursor {shown(cursor)}", evidence=response)
    asked = ctx.random.randint(MAX_LIMIT + 1, 5000)
    response, items, _ = list_page(ctx, USERS, limit=asked)
    ctx.expect(len(items) == MAX_LIMIT, f"expected {MAX_LIMIT} users for limit={asked} (the "
               f"cap), got {len(items)}", evidence=response)
    junk = f"not-a-cursor-{ctx.random.randrange(10**6)}!"
    for name, value in (("limit", -ctx.random.randint(1, 50)), ("limit", 0), ("limit", "ten"),
                        ("limit", "2.5"), ("cursor", junk)):
        problem_of(ctx, ctx.http.get(USERS, params={name: value}), 400, "malformed-request")


# --- orders --------------------------------------------------------------------------------

@checks.check("Orders are created and listed per user, newest first", points=5,
              hint="POST /api/v1/users/{id}/orders answers 201 with total_cents = quantity x "
                   "unit_price_cents and a Location; GET lists that user's orders newest "
                   "first, next_cursor null on the last page.",
              needs=("user_is_created_and_read_back", "users_are_listed_newest_first_by_cursor"))
def orders_are_created_and_listed(ctx: CheckContext) -> None:
    base = f"{USERS}/{create_user(ctx)['id']}/orders"
    made = []
    for _ in range(ctx.random.randint(2, 4)):
        order_sent = new_order(ctx)
        response = ctx.http.post(base, json=order_sent)
        order = resource_of(ctx, response, 201)
        order_id = expect_id(ctx, response, order)
        for field, value in order_sent.items():
            expect_member(ctx, response, order, field, value)
        expect_member(ctx, response, order, "total_cents",
                      order_sent["quantity"] * order_sent["unit_price_cents"])
        expect_location(ctx, response, f"{base}/{order_id}")
        made.append(order)
    fetched = ctx.http.get(f"{base}/{made[0]['id']}")
    ctx.expect(resource_of(ctx, fetched) == made[0], f"expected GET at the order's Location "
               f"to answer the order POST answered, {shown(made[0])}, got {fetched.text[:300]}",
               evidence=fetched)
    newest_first = [order["id"] for order in reversed(made)]
    response, items, cursor = list_page(ctx, base, limit=len(made))
    ctx.expect(ids_of(items) == newest_first, f"expected the user's orders newest first, ids "
               f"{shown(newest_first)}, from {sent(response)}, got {shown(ids_of(items))}",
               evidence=response)
    ctx.expect(cursor is None, f"expected next_cursor null on a page that ends with the "
               f"user's last order (limit={len(made)}), got {shown(cursor)}", evidence=response)
    response, items, cursor = list_page(ctx, base, limit=len(made) - 1)
    ctx.expect(cursor is not None, f"expected a next_cursor with limit={len(made) - 1}: one "
               f"more order follows, got null", evidence=response)
    response, items, cursor = list_page(ctx, base, limit=len(made) - 1, cursor=cursor)
    ctx.expect(ids_of(items) == newest_first[-1:] and cursor is None, f"expected the last "
               f"page to hold the oldest order, ids {shown(newest_first[-1:])}, and next_cursor "
               f"null, got ids {shown(ids_of(items))} and {shown(cursor)}", evidence=response)
    missing = UNKNOWN_ID + ctx.random.randrange(10**6)
    ctx.expect_status(ctx.http.get(f"{USERS}/{missing}/orders"), 404)
    ctx.expect_status(ctx.http.post(f"{USERS}/{missing}/orders", json=new_order(ctx)), 404)


@checks.check("Invalid orders answer 422 with a pointer to each field", points=3,
              hint="item is 1-200 characters, quantity an integer >= 1 (not 2.5, not \"3\", "
                   "not true), unit_price_cents an integer >= 0.",
              needs=("user_is_created_and_read_back", "invalid_user_fields_are_422",
                     "users_are_listed_newest_first_by_cursor"))
def invalid_orders_are_422(ctx: CheckContext) -> None:
    base = f"{USERS}/{create_user(ctx)['id']}/orders"
    good = new_order(ctx)
    cases = [
        ({**good, "quantity": 0}, ["quantity"]),
        ({**good, "quantity": -ctx.random.randint(1, 9)}, ["quantity"]),
        ({**good, "quantity": ctx.random.randint(1, 9) + 0.5}, ["quantity"]),
        ({**good, "quantity": str(ctx.random.randint(1, 9))}, ["quantity"]),
        ({**good, "quantity": True}, ["quantity"]),
        ({**good, "unit_price_cents": -ctx.random.randint(1, 500)}, ["unit_price_cents"]),
        ({key: value for key, value in good.items() if key != "item"}, ["item"]),
        ({"item": "", "quantity": "many"}, ["item", "quantity", "unit_price_cents"]),
    ]
    for body, fields in cases:
        expect_invalid_fields(ctx, ctx.http.post(base, json=body), fields)
    response, items, _ = list_page(ctx, base)
    ctx.expect(items == [], f"expected no orders stored by invalid requests, got "
               f"{len(items)} from {sent(response)}", evidence=response)


# --- versioning ----------------------------------------------------------------------------

def expect_version(ctx: CheckContext, response: httpx.Response, version: int,
                   first: str, last: str) -> None:
    user = resource_of(ctx, response)
    if version == 1:
        expected = {"name": f"{first} {last}"}
    else:
        expected = {"first_name": first, "last_name": last}
    got = {key: user[key] for key in ("name", "first_name", "last_name") if key in user}
    ctx.expect(got == expected, f"expected the version {version} fields {shown(expected)} from "
               f"{sent(response)}, got {shown(got)}", evidence=response)


@checks.check("/api/v2 splits name into first_name and last_name", points=4,
              hint="Version 2 reads and writes first_name and last_name instead of name; both "
                   "versions see the same users.", needs=("user_is_created_and_read_back",))
def version_2_splits_the_name(ctx: CheckContext) -> None:
    first, last = person(ctx)
    user = create_user(ctx, {"name": f"{first} {last}", "email": new_user(ctx)["email"]})
    expect_version(ctx, ctx.http.get(f"/api/v2/users/{user['id']}"), 2, first, last)
    first2, last2 = person(ctx)
    response = ctx.http.post("/api/v2/users", json={"first_name": first2, "last_name": last2,
                                                    "email": new_user(ctx)["email"]})
    ctx.expect_status(response, (200, 201))  # 201 and Location are graded by their own check
    made_id = expect_id(ctx, response, json_object(ctx, response))
    if "Location" in response.headers:
        expect_location(ctx, response, f"/api/v2/users/{made_id}")
    expect_version(ctx, ctx.http.get(f"{USERS}/{made_id}"), 1, first2, last2)
    response = ctx.http.post("/api/v2/users", json={"name": f"{first} {last}",
                                                    "email": new_user(ctx)["email"]})
    ctx.expect(response.status_code == 422, f"expected 422 from {sent(response)} for a body "
               f"with name but no first_name (version 2 requires first_name and ignores "
               f"name), got {response.status_code}: {body_excerpt(response.content, 200)}",
               evidence=response)


@checks.check("Api-Version header and ?version= choose the version, URL first", points=4,
              hint="Take the version from the URL if it has one, else the Api-Version header, "
                   "else ?version=, else 1.", needs=("user_is_created_and_read_back",))
def version_from_header_and_query(ctx: CheckContext) -> None:
    first, last = person(ctx)
    user_id = create_user(ctx, {"name": f"{first} {last}", "email": new_user(ctx)["email"]})["id"]
    cases = [
        ({}, {}, f"/api/users/{user_id}", 1),
        ({"Api-Version": "2"}, {}, f"/api/users/{user_id}", 2),
        ({}, {"version": "2"}, f"/api/users/{user_id}", 2),
        ({"Api-Version": "2"}, {"version": "1"}, f"/api/users/{user_id}", 2),
        ({"Api-Version": "1"}, {"version": "2"}, f"/api/users/{user_id}", 1),
        ({"Api-Version": "2"}, {}, f"{USERS}/{user_id}", 1),
        ({}, {"version": "1"}, f"/api/v2/users/{user_id}", 2),
    ]
    ctx.random.shuffle(cases)
    for headers, params, path, version in cases:
        expect_version(ctx, ctx.http.get(path, headers=headers, params=params), version,
                       first, last)


@checks.check("An unknown version answers 400 with supported_versions", points=3,
              hint="Answer a 400 unsupported-version problem with \"supported_versions\": "
                   "[1, 2], wherever the version came from.",
              needs=("errors_are_problem_details", "version_from_header_and_query"))
def unknown_version_is_400(ctx: CheckContext) -> None:
    version = ctx.random.randint(3, 99)
    for response in (ctx.http.get(f"/api/v{version}/users"),
                     ctx.http.get("/api/users", headers={"Api-Version": str(version)}),
                     ctx.http.get("/api/users", params={"version": f"x{version}"})):
        problem = problem_of(ctx, response, 400, "unsupported-version")
        expect_member(ctx, response, problem, "supported_versions", [1, 2])


# --- conditional requests ------------------------------------------------------------------

def etag_of(ctx: CheckContext, user_id: int) -> str:
    response = ctx.http.get(f"{USERS}/{user_id}")
    ctx.expect_status(response, 200)
    tag = response.headers.get("ETag")
    ctx.expect(tag, f"expected an ETag header from {sent(response)}, got none",
               evidence=response)
    ctx.expect(not tag.startswith("W/") and len(tag) > 2 and tag[0] == tag[-1] == '"',
               f"expected a strong ETag such as \"3.1\" (quoted, no W/) from {sent(response)}, "
               f"got {tag}", evidence=response)
    return tag


@checks.check("GET of a user carries a strong ETag that changes with the user", points=3,
              hint="Send ETag: \"<something that changes on every update>\" on GET "
                   "/api/v1/users/{id}, e.g. the id and a revision counter.",
              needs=("user_is_created_and_read_back",))
def etag_follows_the_user(ctx: CheckContext) -> None:
    user = create_user(ctx)
    tag = etag_of(ctx, user["id"])
    again = etag_of(ctx, user["id"])
    ctx.expect(again == tag, f"expected the same ETag while the user is unchanged, got {tag} "
               f"and then {again}")
    first, last = person(ctx)
    ctx.expect_status(ctx.http.patch(f"{USERS}/{user['id']}", json={"name": f"{first} {last}"}),
                      200)
    ctx.expect(etag_of(ctx, user["id"]) != tag, f"expected a new ETag after PATCH, got the old "
               f"one {tag}")


@checks.check("A stale If-Match answers 412 and changes nothing", points=4,
              hint="On PATCH and DELETE compare If-Match with the user's current ETag; when "
                   "it differs answer a 412 precondition-failed problem.",
              needs=("etag_follows_the_user", "errors_are_problem_details"))
def stale_if_match_is_412(ctx: CheckContext) -> None:
    user = create_user(ctx)
    old = etag_of(ctx, user["id"])
    path = f"{USERS}/{user['id']}"
    names = [" ".join(person(ctx)) + f" {n}" for n in range(2)]
    ctx.expect_status(ctx.http.patch(path, json={"name": names[0]}, headers={"If-Match": old}),
                      200)
    problem_of(ctx, ctx.http.patch(path, json={"name": names[1]}, headers={"If-Match": old}),
               412, "precondition-failed")
    kept = ctx.http.get(path)
    expect_member(ctx, kept, resource_of(ctx, kept), "name", names[0],
                  "after a PATCH refused with 412")
    problem_of(ctx, ctx.http.delete(path, headers={"If-Match": old}), 412,
               "precondition-failed")
    ctx.expect_status(ctx.http.get(path), 200)
    ctx.expect_status(ctx.http.delete(path, headers={"If-Match": etag_of(ctx, user["id"])}),
                      (200, 204))  # 204 itself is graded by the DELETE check


# --- idempotency ---------------------------------------------------------------------------

def expect_replay(ctx: CheckContext, original: httpx.Response, retry: httpx.Response) -> None:
    """`retry` answers what `original` answered, marked as a replay."""
    ctx.expect(retry.status_code == original.status_code, f"expected the retry of "
               f"{sent(retry)} with the same Idempotency-Key to replay the first answer, "
               f"{original.status_code}, got {retry.status_code}: "
               f"{body_excerpt(retry.content, 200)}", evidence=retry)
    ctx.expect(json_object(ctx, retry) == original.json(), f"expected the retry to answer the "
               f"first response's body {original.text[:200]}, got {retry.text[:200]}",
               evidence=retry)
    for header, value in (("Location", original.headers.get("Location")),
                          ("Idempotent-Replayed", "true")):
        ctx.expect(retry.headers.get(header) == value, f"expected {header}: {value} on the "
                   f"replayed {sent(retry)}, got {retry.headers.get(header, 'none')}",
                   evidence=retry)


@checks.check("A retried POST with the same Idempotency-Key replays the first answer",
              points=4,
              hint="Store the key with the response in the same transaction as the user; on "
                   "a retry return the stored status and body with Idempotent-Replayed: true. "
                   "A request that failed is not stored.",
              needs=("user_is_created_and_read_back",))
def idempotent_retry_replays_the_create(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    headers = {"Idempotency-Key": new_key(ctx), "Authorization": new_caller(ctx)}
    refused = ctx.http.post(USERS, json={"name": payload["name"]}, headers=headers)
    ctx.expect(400 <= refused.status_code < 500, f"expected a 4xx for a user without email "
               f"from {sent(refused)}, got {refused.status_code}", evidence=refused)
    first = ctx.http.post(USERS, json=payload, headers=headers)
    ctx.expect(first.status_code in (200, 201), f"expected 201 from {sent(first)} with an "
               f"Idempotency-Key whose only earlier request failed (a failure is not "
               f"remembered), got {first.status_code}", evidence=first)
    user_id = expect_id(ctx, first, json_object(ctx, first))
    expect_replay(ctx, first, ctx.http.post(USERS, json=payload, headers=headers))
    rows = rows_with_email(ctx, payload["email"])
    ctx.expect(rows == 1, f"expected exactly 1 row in users for {payload['email']} after a "
               f"retry, got {rows}")
    ctx.expect_status(ctx.http.get(f"{USERS}/{user_id}"), 200)


@checks.check("Idempotency keys of different callers never meet", points=4,
              hint="Look keys up by (caller, key), the caller being the Authorization header: "
                   "another caller's request with the same key is a new request.",
              needs=("idempotent_retry_replays_the_create",))
def idempotency_keys_are_scoped_per_caller(ctx: CheckContext) -> None:
    key = new_key(ctx)
    callers = [new_caller(ctx), new_caller(ctx)]
    bodies = [new_user(ctx), new_user(ctx)]
    firsts = []
    for number, (caller, body) in enumerate(zip(callers, bodies, strict=True), start=1):
        response = ctx.http.post(USERS, json=body,
                                 headers={"Idempotency-Key": key, "Authorization": caller})
        ctx.expect(response.status_code in (200, 201), f"expected 201 from {sent(response)} "
                   f"by caller {number} (Authorization: {caller}) with an Idempotency-Key only "
                   f"another caller used before, got {response.status_code}: "
                   f"{response.text[:200]}", evidence=response)
        user = json_object(ctx, response)
        # a first answer may say Idempotent-Replayed: false; only "true" marks a replay
        replayed = response.headers.get("Idempotent-Replayed", "").strip().lower() == "true"
        ctx.expect(user.get("email") == body["email"] and not replayed,
                   f"expected caller {number}'s own new user "
                   f"{body['email']}, got {shown(user.get('email', MISSING))} replayed from "
                   f"the other caller's request with the same key", evidence=response)
        firsts.append(response)
    for caller, body, first in zip(callers, bodies, firsts, strict=True):
        retry = ctx.http.post(USERS, json=body,
                              headers={"Idempotency-Key": key, "Authorization": caller})
        expect_replay(ctx, first, retry)


@checks.check("The same key with another body or path answers 422", points=3,
              hint="Remember a fingerprint of method, path and body with the key; the same "
                   "caller's key with another fingerprint is a 422 idempotency-key-reused "
                   "problem.",
              needs=("idempotent_retry_replays_the_create", "errors_are_problem_details",
                     "orders_are_created_and_listed"))
def idempotency_key_fingerprint_is_checked(ctx: CheckContext) -> None:
    headers = {"Idempotency-Key": new_key(ctx), "Authorization": new_caller(ctx)}
    ctx.expect_status(ctx.http.post(USERS, json=new_user(ctx), headers=headers), (200, 201))
    other = new_user(ctx)
    problem_of(ctx, ctx.http.post(USERS, json=other, headers=headers), 422,
               "idempotency-key-reused")
    ctx.expect(rows_with_email(ctx, other["email"]) == 0, f"expected no user {other['email']} "
               f"stored by a reused key, got one in the users table")
    owners = [create_user(ctx)["id"] for _ in range(2)]
    order, headers = new_order(ctx), {"Idempotency-Key": new_key(ctx),
                                      "Authorization": new_caller(ctx)}
    ctx.expect_status(ctx.http.post(f"{USERS}/{owners[0]}/orders", json=order,
                                    headers=headers), 201)
    elsewhere = f"{USERS}/{owners[1]}/orders"
    problem_of(ctx, ctx.http.post(elsewhere, json=order, headers=headers), 422,
               "idempotency-key-reused")
    response, items, _ = list_page(ctx, elsewhere)
    ctx.expect(items == [], f"expected no order stored for user {owners[1]} by a key reused "
               f"on another path, got {len(items)} from {sent(response)}", evidence=response)


def retries_meeting(ctx: CheckContext, holder: Any, watcher: Any, email: str, path: str,
                    body: bytes, headers: dict[str, str]) -> list[httpx.Response]:
    """RACE_COPIES copies of one POST that arrive together while the grader holds the user's
    row (README: Idempotency-Key), found by its email (the one column the README fixes), as
    a concurrent update of the user would: each copy gets as far as it can, and none can
    commit an order, until every copy has answered or waits on a lock. A copy that looked
    its key up before claiming it is then caught in the act."""
    with users_table(), holder.transaction():
        holder.execute("SELECT 1 FROM users WHERE email = %s FOR UPDATE", (email,))
        flight = InFlight(ctx.http, RACE_COPIES, "POST", path, body, headers)
        give_up = time.monotonic() + RACE_HOLD_S
        while time.monotonic() < give_up and flight.answered() + sessions_waiting(watcher) \
                < RACE_COPIES:
            time.sleep(0.02)
    return flight.responses()


def sessions_waiting(watcher: Any) -> int:
    """How many database sessions wait for a lock right now (the holder's own does not)."""
    return watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'").fetchone()[0]


@checks.check("Concurrent retries of an order create exactly one order", points=5,
              hint="Claim the key with INSERT ... ON CONFLICT (caller, key) DO NOTHING inside "
                   "the transaction that creates the order, so a concurrent retry waits and "
                   "then replays; looking the key up first lets two retries both create.",
              needs=("idempotent_retry_replays_the_create", "orders_are_created_and_listed"))
def concurrent_retries_create_one_order(ctx: CheckContext) -> None:
    holder, watcher = ctx.sql(), ctx.sql()
    for round_number in range(1, RACE_ROUNDS + 1):
        payload = new_user(ctx)
        user_id = create_user(ctx, payload)["id"]
        base = f"{USERS}/{user_id}/orders"
        headers = {"Idempotency-Key": new_key(ctx), "Authorization": new_caller(ctx),
                   "Content-Type": "application/json"}
        body = json.dumps(new_order(ctx)).encode()
        responses = retries_meeting(ctx, holder, watcher, payload["email"], base, body,
                                    headers)
        answered = ", ".join(str(response.status_code) for response in responses)
        created = [response for response in responses if response.status_code == 201]
        ctx.expect(created, f"expected a 201 among {RACE_COPIES} simultaneous retries of "
                   f"POST {base}, got {answered}", evidence=responses[0])
        listing, items, _ = list_page(ctx, base)
        ctx.expect(len(items) == 1, f"expected 1 order after {RACE_COPIES} simultaneous "
                   f"retries of POST {base} with one Idempotency-Key (round {round_number} of "
                   f"{RACE_ROUNDS}), got {len(items)}: ids {shown(ids_of(items))}; the retries "
                   f"answered {answered}", evidence=listing)
        for response in responses:
            if response.status_code == 201:
                ctx.expect(json_object(ctx, response) == json_object(ctx, created[0]),
                           f"expected every 201 of the simultaneous retries to carry the same "
                           f"order, got {created[0].text[:200]} and {response.text[:200]}",
                           evidence=response)
            else:
                problem_of(ctx, response, 409, "request-in-progress")
