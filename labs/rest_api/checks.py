"""Checks of the rest-api lab, in the order a learner builds the API (see README.md).

Every check makes its own users with random names and emails from `ctx.random`, so checks
do not depend on each other and a fixed answer cannot pass. The only thing read straight
from the database is what the README fixes: a table `users` with a column `email`.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

from labs.checks import CheckContext, CheckFailed, Checks

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


# --- helpers -------------------------------------------------------------------------------

def person(ctx: CheckContext) -> tuple[str, str]:
    return ctx.random.choice(FIRST_NAMES), ctx.random.choice(LAST_NAMES)


def new_user(ctx: CheckContext) -> dict[str, str]:
    """A v1 create body no other check will send: random name, unique email."""
    first, last = person(ctx)
    tag = ctx.random.randrange(10**9)
    return {"name": f"{first} {last}", "email": f"{first}.{last}.{tag}@example.org".lower()}


def body_of(ctx: CheckContext, response: httpx.Response) -> dict[str, Any]:
    body = ctx.expect_json(response)
    ctx.expect(isinstance(body, dict), f"expected a JSON object as the body, got "
               f"{type(body).__name__}", evidence=response)
    return body


def expect_timestamp(ctx: CheckContext, body: dict, response: httpx.Response) -> None:
    meta = body.get("meta")
    ctx.expect(isinstance(meta, dict), f"expected an object in meta, got {meta!r}",
               evidence=response)
    stamp = meta.get("timestamp")
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        moment = None
    ctx.expect(moment is not None and moment.utcoffset() == timedelta(0),
               f"expected meta.timestamp in ISO-8601 UTC (e.g. 2024-05-01T12:00:00Z), "
               f"got {stamp!r}", evidence=response)


def data_of(ctx: CheckContext, response: httpx.Response,
            status: int | tuple[int, ...] = 200) -> Any:
    """`data` of a success envelope answered with `status`."""
    ctx.expect_status(response, status)
    body = body_of(ctx, response)
    ctx.expect(body.get("success") is True, f"expected \"success\": true, got "
               f"{body.get('success')!r}", evidence=response)
    ctx.expect("data" in body, "expected a \"data\" member in the envelope, got none",
               evidence=response)
    expect_timestamp(ctx, body, response)
    return body["data"]


def error_of(ctx: CheckContext, response: httpx.Response, status: int, code: str) -> dict:
    """`error` of an error envelope answered with `status` and `code`."""
    ctx.expect_status(response, status)
    body = body_of(ctx, response)
    ctx.expect(body.get("success") is False, f"expected \"success\": false, got "
               f"{body.get('success')!r}", evidence=response)
    error = body.get("error")
    ctx.expect(isinstance(error, dict) and isinstance(error.get("message"), str),
               f"expected error to be an object with code and message, got {error!r}",
               evidence=response)
    ctx.expect(error.get("code") == code, f"expected error code {code!r}, got "
               f"{error.get('code')!r}", evidence=response)
    expect_timestamp(ctx, body, response)
    return error


def create_user(ctx: CheckContext, payload: dict | None = None) -> dict:
    """A new user, for checks about something else: 200 is let pass here, 201 is checked
    by its own check, so one mistake costs one check's points."""
    payload = payload or new_user(ctx)
    user = data_of(ctx, ctx.http.post("/api/v1/users", json=payload), (200, 201))
    ctx.expect(isinstance(user, dict) and is_id(user.get("id")),
               f"expected the created user with an integer id, got {user!r}")
    return user


def is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def expect_equal(ctx: CheckContext, what: str, expected: Any, actual: Any,
                 evidence: Any = None) -> None:
    ctx.expect(actual == expected, f"expected {what} {expected!r}, got {actual!r}",
               evidence=evidence)


def expect_location(ctx: CheckContext, response: httpx.Response, path: str) -> None:
    location = response.headers.get("Location")
    ctx.expect(location, "expected a Location header, got none", evidence=response)
    expect_equal(ctx, "Location", path, urlsplit(location).path, response)


def expect_field_error(ctx: CheckContext, response: httpx.Response, field: str) -> None:
    error = error_of(ctx, response, 422, "validation_failed")
    fields = error.get("fields")
    named = [entry.get("field") for entry in fields if isinstance(entry, dict)] \
        if isinstance(fields, list) else []
    ctx.expect(field in named, f"expected error.fields to name {field!r}, got {fields!r}",
               evidence=response)


def etag_of(ctx: CheckContext, user_id: int) -> str:
    response = ctx.http.get(f"/api/v1/users/{user_id}")
    data_of(ctx, response)
    tag = response.headers.get("ETag")
    ctx.expect(tag, "expected an ETag header on GET of a user, got none", evidence=response)
    ctx.expect(not tag.startswith("W/") and len(tag) > 2 and tag[0] == tag[-1] == '"',
               f"expected a strong ETag such as \"3.1\" (quoted, no W/), got {tag}",
               evidence=response)
    return tag


def rows_with_email(ctx: CheckContext, email: str) -> int:
    """How many rows of the users table hold `email` (README: Storage)."""
    try:
        return ctx.sql().execute("SELECT count(*) FROM users WHERE email = %s",
                                 (email,)).fetchone()[0]
    except psycopg.errors.UndefinedTable:
        raise CheckFailed("expected a table named users (see README: Storage), got none") \
            from None
    except psycopg.errors.UndefinedColumn:
        raise CheckFailed("expected the users table to have an email column, got none") \
            from None


def concurrently(calls: int, request: Any) -> list[httpx.Response]:
    """Run `request()` from `calls` threads released at the same moment."""
    start = threading.Barrier(calls)

    def together() -> httpx.Response:
        start.wait()
        return request()

    with ThreadPoolExecutor(calls) as pool:
        return list(pool.map(lambda _: together(), range(calls)))


# --- health and envelope -------------------------------------------------------------------

@checks.check("GET /healthz answers 200", points=2,
              hint="Add a /healthz route that answers 200 once the app can serve requests.")
def health_check_answers_200(ctx: CheckContext) -> None:
    ctx.expect_status(ctx.http.get("/healthz"), 200)


@checks.check("Responses wear the success and error envelopes", points=5,
              hint="Wrap every answer: {\"success\": true, \"data\": ..., \"meta\": "
                   "{\"timestamp\": ...}} or {\"success\": false, \"error\": {\"code\", "
                   "\"message\"}, \"meta\": ...}, with the timestamp in UTC.")
def responses_wear_the_envelope(ctx: CheckContext) -> None:
    users = data_of(ctx, ctx.http.get("/api/v1/users"))
    ctx.expect(isinstance(users, list), f"expected data to be a list of users, got "
               f"{type(users).__name__}")
    missing = UNKNOWN_ID + ctx.random.randrange(10**6)
    error_of(ctx, ctx.http.get(f"/api/v1/users/{missing}"), 404, "not_found")


# --- CRUD ----------------------------------------------------------------------------------

@checks.check("Creating a user answers 201 with a Location header", points=6,
              hint="Return 201 Created, the user in data, and Location: /api/v1/users/{id}.")
def create_user_returns_201_with_location(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    response = ctx.http.post("/api/v1/users", json=payload)
    user = data_of(ctx, response, 201)
    ctx.expect(isinstance(user, dict) and is_id(user.get("id")),
               f"expected data to be the user with an integer id, got {user!r}")
    expect_location(ctx, response, f"/api/v1/users/{user['id']}")
    for field in ("name", "email"):
        expect_equal(ctx, f"{field} of the created user", payload[field], user.get(field),
                     response)
    fetched = data_of(ctx, ctx.http.get(f"/api/v1/users/{user['id']}"))
    expect_equal(ctx, "GET of the new user to return", user, fetched)


@checks.check("PATCH changes only the fields it sends", points=5,
              hint="PATCH /api/v1/users/{id} applies the fields present in the body, keeps "
                   "the others, and answers 200 with the updated user.")
def patch_updates_only_sent_fields(ctx: CheckContext) -> None:
    user = create_user(ctx)
    first, last = person(ctx)
    renamed = f"{first} {last}-{ctx.random.randrange(1000)}"
    updated = data_of(ctx, ctx.http.patch(f"/api/v1/users/{user['id']}", json={"name": renamed}))
    expect_equal(ctx, "name after PATCH", renamed, updated.get("name"))
    expect_equal(ctx, "email after a PATCH of the name only", user["email"], updated.get("email"))
    fetched = data_of(ctx, ctx.http.get(f"/api/v1/users/{user['id']}"))
    expect_equal(ctx, "GET after PATCH to show name", renamed, fetched.get("name"))


@checks.check("DELETE answers 204 with no body, then the user is gone", points=5,
              hint="Answer 204 No Content with an empty body; afterwards GET and DELETE of the "
                   "user answer 404.")
def delete_user_returns_204_without_body(ctx: CheckContext) -> None:
    user = create_user(ctx)
    response = ctx.http.delete(f"/api/v1/users/{user['id']}")
    ctx.expect_status(response, 204)
    ctx.expect(response.content == b"", f"expected an empty body with 204, got "
               f"{response.content[:200]!r}", evidence=response)
    error_of(ctx, ctx.http.get(f"/api/v1/users/{user['id']}"), 404, "not_found")
    error_of(ctx, ctx.http.delete(f"/api/v1/users/{user['id']}"), 404, "not_found")


# --- status codes --------------------------------------------------------------------------

@checks.check("A body that is not a JSON object answers 400", points=4,
              hint="Parse the body yourself and answer 400 with code bad_request when it is "
                   "not valid JSON or not an object.")
def malformed_json_is_400(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    broken = json.dumps(payload)[:-ctx.random.randint(1, 5)]
    for body in (broken, json.dumps([payload])):
        response = ctx.http.post("/api/v1/users", content=body,
                                 headers={"Content-Type": "application/json"})
        error_of(ctx, response, 400, "bad_request")


@checks.check("Invalid user fields answer 422 listing each field", points=6,
              hint="Validate name (1-100 characters) and email; answer 422 with code "
                   "validation_failed and error.fields = [{\"field\", \"message\"}, ...].")
def invalid_user_fields_are_422(ctx: CheckContext) -> None:
    good = new_user(ctx)
    cases = [
        ({"email": good["email"]}, "name"),
        ({**good, "name": ""}, "name"),
        ({**good, "name": "x" * ctx.random.randint(101, 150)}, "name"),
        ({**good, "name": ctx.random.randint(1, 99)}, "name"),
        ({**good, "email": ctx.random.choice(INVALID_EMAILS)}, "email"),
        ({"name": good["name"]}, "email"),
    ]
    for body, field in cases:
        expect_field_error(ctx, ctx.http.post("/api/v1/users", json=body), field)
    ctx.expect(rows_with_email(ctx, good["email"]) == 0,
               "expected no user stored by invalid requests, got one in the users table")


@checks.check("A duplicate email answers 409 conflict", points=5,
              hint="Put a UNIQUE constraint on email and turn its violation into 409 with code "
                   "conflict (creating and PATCHing alike).")
def duplicate_email_is_409(ctx: CheckContext) -> None:
    first = create_user(ctx)
    twin = {**new_user(ctx), "email": first["email"]}
    error_of(ctx, ctx.http.post("/api/v1/users", json=twin), 409, "conflict")
    second = create_user(ctx)
    error_of(ctx, ctx.http.patch(f"/api/v1/users/{second['id']}",
                                 json={"email": first["email"]}), 409, "conflict")


@checks.check("An unknown route under /api answers 404 in the envelope", points=2,
              hint="Register error handlers so Flask's own 404 also answers the error envelope.")
def unknown_api_route_is_404(ctx: CheckContext) -> None:
    word = ctx.random.choice(ITEMS) + str(ctx.random.randrange(1000))
    error_of(ctx, ctx.http.get(f"/api/v1/{word}"), 404, "not_found")


@checks.check("A wrong method answers 405 with an Allow header", points=4,
              hint="Answer 405 with code method_not_allowed and keep the Allow header that "
                   "lists the methods the URL supports.")
def wrong_method_is_405_with_allow(ctx: CheckContext) -> None:
    user = create_user(ctx)
    for method, path, allowed in (("PUT", f"/api/v1/users/{user['id']}", {"GET", "PATCH",
                                                                          "DELETE"}),
                                  ("DELETE", "/api/v1/users", {"GET", "POST"})):
        response = ctx.http.request(method, path)
        error_of(ctx, response, 405, "method_not_allowed")
        allow = {m.strip().upper() for m in response.headers.get("Allow", "").split(",")}
        ctx.expect(allowed <= allow, f"expected Allow to list {', '.join(sorted(allowed))}, "
                   f"got {response.headers.get('Allow')!r}", evidence=response)


# --- pagination ----------------------------------------------------------------------------

@checks.check("limit and offset page through users in id order", points=5,
              hint="List users ordered by id; apply LIMIT/OFFSET; report meta.total (all "
                   "users), meta.limit and meta.offset. The default limit is 20.")
def pagination_pages_through_users(ctx: CheckContext) -> None:
    created = [create_user(ctx)["id"] for _ in range(ctx.random.randint(3, 5))]
    first_page = ctx.http.get("/api/v1/users")
    users = data_of(ctx, first_page)
    meta = first_page.json()["meta"]
    total = meta.get("total")
    ctx.expect(is_id(total) and total >= len(created),
               f"expected meta.total to count at least the {len(created)} users just created, "
               f"got {total!r}", evidence=first_page)
    expect_equal(ctx, "meta.limit without a limit parameter", 20, meta.get("limit"), first_page)
    expect_equal(ctx, "meta.offset without an offset parameter", 0, meta.get("offset"),
                 first_page)
    expect_equal(ctx, "the number of users on the first page", min(20, total), len(users),
                 first_page)
    offset = total - len(created) + 1
    page = ctx.http.get("/api/v1/users", params={"limit": 2, "offset": offset})
    ids = [user.get("id") for user in data_of(ctx, page)]
    expect_equal(ctx, f"the ids at offset {offset} with limit 2", created[1:3], ids, page)
    expect_equal(ctx, "meta", {"limit": 2, "offset": offset, "total": total},
                 {key: page.json()["meta"].get(key) for key in ("limit", "offset", "total")},
                 page)
    beyond = data_of(ctx, ctx.http.get("/api/v1/users", params={"offset": total + 5}))
    expect_equal(ctx, "an empty list past the last user", [], beyond)


@checks.check("A large limit is capped at 100, a bad one answers 400", points=5,
              hint="Cap limit at 100 (and say so in meta.limit); a negative, zero or "
                   "non-integer limit or offset is a 400 bad_request.")
def pagination_caps_limit_and_rejects_bad_values(ctx: CheckContext) -> None:
    total = user_total(ctx)
    for _ in range(max(0, 101 - total)):
        create_user(ctx)
    asked = ctx.random.randint(101, 5000)
    response = ctx.http.get("/api/v1/users", params={"limit": asked})
    users = data_of(ctx, response)
    expect_equal(ctx, f"meta.limit for limit={asked}", 100, response.json()["meta"].get("limit"),
                 response)
    expect_equal(ctx, f"the number of users for limit={asked}", 100, len(users), response)
    for name, value in (("limit", -ctx.random.randint(1, 50)), ("limit", 0), ("limit", "ten"),
                        ("limit", "2.5"), ("offset", -ctx.random.randint(1, 50)),
                        ("offset", "first")):
        error_of(ctx, ctx.http.get("/api/v1/users", params={name: value}), 400, "bad_request")


def user_total(ctx: CheckContext) -> int:
    response = ctx.http.get("/api/v1/users", params={"limit": 1})
    data_of(ctx, response)
    total = response.json()["meta"].get("total")
    ctx.expect(is_id(total), f"expected meta.total to be an integer, got {total!r}",
               evidence=response)
    return total


# --- orders --------------------------------------------------------------------------------

def new_order(ctx: CheckContext) -> dict:
    return {"item": ctx.random.choice(ITEMS), "quantity": ctx.random.randint(1, 9),
            "unit_price_cents": ctx.random.choice((0, ctx.random.randint(1, 50_000)))}


@checks.check("Orders are created and listed per user", points=6,
              hint="POST /api/v1/users/{id}/orders answers 201 with total_cents = quantity x "
                   "unit_price_cents and a Location; GET lists that user's orders oldest first.")
def orders_are_created_and_listed(ctx: CheckContext) -> None:
    user = create_user(ctx)
    base = f"/api/v1/users/{user['id']}/orders"
    made = []
    for _ in range(ctx.random.randint(2, 4)):
        sent = new_order(ctx)
        response = ctx.http.post(base, json=sent)
        order = data_of(ctx, response, 201)
        ctx.expect(isinstance(order, dict) and is_id(order.get("id")),
                   f"expected the created order with an integer id, got {order!r}")
        for field, value in sent.items():
            expect_equal(ctx, f"{field} of the order", value, order.get(field), response)
        expect_equal(ctx, "total_cents", sent["quantity"] * sent["unit_price_cents"],
                     order.get("total_cents"), response)
        expect_location(ctx, response, f"{base}/{order['id']}")
        made.append(order)
    fetched = data_of(ctx, ctx.http.get(f"{base}/{made[0]['id']}"))
    expect_equal(ctx, "GET of the order at its Location to return", made[0], fetched)
    listing = ctx.http.get(base)
    listed = data_of(ctx, listing)
    expect_equal(ctx, "the user's orders, oldest first", [o["id"] for o in made],
                 [o.get("id") for o in listed], listing)
    expect_equal(ctx, "meta.total of the orders", len(made), listing.json()["meta"].get("total"),
                 listing)
    missing = UNKNOWN_ID + ctx.random.randrange(10**6)
    error_of(ctx, ctx.http.get(f"/api/v1/users/{missing}/orders"), 404, "not_found")
    error_of(ctx, ctx.http.post(f"/api/v1/users/{missing}/orders", json=new_order(ctx)), 404,
             "not_found")


@checks.check("Invalid orders answer 422 listing each field", points=4,
              hint="item is 1-200 characters, quantity an integer >= 1 (not 2.5, not \"3\", "
                   "not true), unit_price_cents an integer >= 0.")
def invalid_orders_are_422(ctx: CheckContext) -> None:
    user = create_user(ctx)
    good = new_order(ctx)
    cases = [
        ({**good, "quantity": 0}, "quantity"),
        ({**good, "quantity": -ctx.random.randint(1, 9)}, "quantity"),
        ({**good, "quantity": ctx.random.randint(1, 9) + 0.5}, "quantity"),
        ({**good, "quantity": str(ctx.random.randint(1, 9))}, "quantity"),
        ({**good, "quantity": True}, "quantity"),
        ({**good, "unit_price_cents": -ctx.random.randint(1, 500)}, "unit_price_cents"),
        ({key: value for key, value in good.items() if key != "item"}, "item"),
    ]
    for body, field in cases:
        expect_field_error(ctx, ctx.http.post(f"/api/v1/users/{user['id']}/orders", json=body),
                           field)
    listed = data_of(ctx, ctx.http.get(f"/api/v1/users/{user['id']}/orders"))
    expect_equal(ctx, "no orders stored by invalid requests", [], listed)


# --- versioning ----------------------------------------------------------------------------

def expect_version(ctx: CheckContext, response: httpx.Response, version: int,
                   first: str, last: str) -> None:
    user = data_of(ctx, response)
    if version == 1:
        expected = {"name": f"{first} {last}"}
    else:
        expected = {"first_name": first, "last_name": last}
    shown = {key: user.get(key) for key in ("name", "first_name", "last_name") if key in user}
    ctx.expect(shown == expected, f"expected the version {version} fields {expected}, got "
               f"{shown}", evidence=response)


@checks.check("/api/v2 splits name into first_name and last_name", points=5,
              hint="Version 2 reads and writes first_name and last_name instead of name; both "
                   "versions see the same users.")
def version_2_splits_the_name(ctx: CheckContext) -> None:
    first, last = person(ctx)
    user = create_user(ctx, {"name": f"{first} {last}",
                             "email": new_user(ctx)["email"]})
    expect_version(ctx, ctx.http.get(f"/api/v2/users/{user['id']}"), 2, first, last)
    first2, last2 = person(ctx)
    response = ctx.http.post("/api/v2/users", json={"first_name": first2, "last_name": last2,
                                                    "email": new_user(ctx)["email"]})
    made = data_of(ctx, response, 201)
    expect_location(ctx, response, f"/api/v2/users/{made.get('id')}")
    expect_version(ctx, ctx.http.get(f"/api/v1/users/{made.get('id')}"), 1, first2, last2)
    expect_field_error(ctx, ctx.http.post("/api/v2/users", json={"name": f"{first} {last}",
                                                                 "email": new_user(ctx)["email"]}),
                       "first_name")


@checks.check("Api-Version header and ?version= choose the version, URL first", points=5,
              hint="Take the version from the URL if it has one, else the Api-Version header, "
                   "else ?version=, else 1.")
def version_from_header_and_query(ctx: CheckContext) -> None:
    first, last = person(ctx)
    user_id = create_user(ctx, {"name": f"{first} {last}", "email": new_user(ctx)["email"]})["id"]
    cases = [
        ({}, {}, f"/api/users/{user_id}", 1),
        ({"Api-Version": "2"}, {}, f"/api/users/{user_id}", 2),
        ({}, {"version": "2"}, f"/api/users/{user_id}", 2),
        ({"Api-Version": "2"}, {"version": "1"}, f"/api/users/{user_id}", 2),
        ({"Api-Version": "1"}, {"version": "2"}, f"/api/users/{user_id}", 1),
        ({"Api-Version": "2"}, {}, f"/api/v1/users/{user_id}", 1),
        ({}, {"version": "1"}, f"/api/v2/users/{user_id}", 2),
    ]
    ctx.random.shuffle(cases)
    for headers, params, path, version in cases:
        expect_version(ctx, ctx.http.get(path, headers=headers, params=params), version,
                       first, last)


@checks.check("An unknown version answers 400 with supported_versions", points=4,
              hint="Answer 400 with code unsupported_version and error.supported_versions "
                   "= [1, 2], wherever the version came from.")
def unknown_version_is_400(ctx: CheckContext) -> None:
    version = ctx.random.randint(3, 99)
    for response in (ctx.http.get(f"/api/v{version}/users"),
                     ctx.http.get("/api/users", headers={"Api-Version": str(version)}),
                     ctx.http.get("/api/users", params={"version": f"x{version}"})):
        error = error_of(ctx, response, 400, "unsupported_version")
        expect_equal(ctx, "error.supported_versions", [1, 2], error.get("supported_versions"),
                     response)


# --- conditional requests ------------------------------------------------------------------

@checks.check("GET of a user carries a strong ETag that changes with the user", points=4,
              hint="Send ETag: \"<something that changes on every update>\" on GET "
                   "/api/v1/users/{id}, e.g. the id and a revision counter.")
def etag_follows_the_user(ctx: CheckContext) -> None:
    user = create_user(ctx)
    tag = etag_of(ctx, user["id"])
    expect_equal(ctx, "the same ETag for an unchanged user", tag, etag_of(ctx, user["id"]))
    first, last = person(ctx)
    data_of(ctx, ctx.http.patch(f"/api/v1/users/{user['id']}", json={"name": f"{first} {last}"}))
    changed = etag_of(ctx, user["id"])
    ctx.expect(changed != tag, f"expected a new ETag after PATCH, got the old one {tag}")


@checks.check("A stale If-Match answers 412 and changes nothing", points=5,
              hint="On PATCH and DELETE compare If-Match with the user's current ETag; when "
                   "it differs answer 412 with code precondition_failed.")
def stale_if_match_is_412(ctx: CheckContext) -> None:
    user = create_user(ctx)
    old = etag_of(ctx, user["id"])
    path = f"/api/v1/users/{user['id']}"
    names = [" ".join(person(ctx)) + f" {n}" for n in range(2)]
    data_of(ctx, ctx.http.patch(path, json={"name": names[0]}, headers={"If-Match": old}))
    error_of(ctx, ctx.http.patch(path, json={"name": names[1]}, headers={"If-Match": old}), 412,
             "precondition_failed")
    kept = data_of(ctx, ctx.http.get(path))
    expect_equal(ctx, "the name after a refused PATCH", names[0], kept.get("name"))
    error_of(ctx, ctx.http.delete(path, headers={"If-Match": old}), 412, "precondition_failed")
    data_of(ctx, ctx.http.get(path))
    ctx.expect_status(ctx.http.delete(path, headers={"If-Match": etag_of(ctx, user["id"])}), 204)


# --- idempotency ---------------------------------------------------------------------------

def idempotency_key(ctx: CheckContext) -> str:
    return f"{ctx.check_id}-{ctx.random.getrandbits(64):016x}"


@checks.check("A retried POST with the same Idempotency-Key replays the first answer",
              points=5,
              hint="Store the key with the response in the same transaction as the user; on "
                   "a retry return the stored status and body with Idempotent-Replayed: true.")
def idempotent_retry_replays_the_create(ctx: CheckContext) -> None:
    payload = new_user(ctx)
    headers = {"Idempotency-Key": idempotency_key(ctx)}
    first = ctx.http.post("/api/v1/users", json=payload, headers=headers)
    original = data_of(ctx, first, 201)
    retry = ctx.http.post("/api/v1/users", json=payload, headers=headers)
    ctx.expect_status(retry, 201)
    expect_equal(ctx, "the retry's body to equal the original", first.json(), retry.json(), retry)
    expect_equal(ctx, "header Idempotent-Replayed", "true",
                 retry.headers.get("Idempotent-Replayed"), retry)
    rows = rows_with_email(ctx, payload["email"])
    ctx.expect(rows == 1, f"expected exactly 1 row in users for {payload['email']} after a "
               f"retry, got {rows}")
    data_of(ctx, ctx.http.get(f"/api/v1/users/{original['id']}"))


@checks.check("The same Idempotency-Key with another body answers 422", points=3,
              hint="Remember a fingerprint of the request with the key; a different body under "
                   "the same key is 422 with code idempotency_key_reused.")
def idempotency_key_reused_is_422(ctx: CheckContext) -> None:
    headers = {"Idempotency-Key": idempotency_key(ctx)}
    data_of(ctx, ctx.http.post("/api/v1/users", json=new_user(ctx), headers=headers), 201)
    other = new_user(ctx)
    error_of(ctx, ctx.http.post("/api/v1/users", json=other, headers=headers), 422,
             "idempotency_key_reused")
    expect_equal(ctx, "rows in users for the reused key's second email", 0,
                 rows_with_email(ctx, other["email"]))


@checks.check("Concurrent retries of an order create exactly one order", points=5,
              hint="Claim the key with INSERT ... ON CONFLICT inside the transaction that "
                   "creates the order, so a concurrent retry waits and then replays.")
def concurrent_retries_create_one_order(ctx: CheckContext) -> None:
    user = create_user(ctx)
    base = f"/api/v1/users/{user['id']}/orders"
    order, headers = new_order(ctx), {"Idempotency-Key": idempotency_key(ctx)}
    responses = concurrently(6, lambda: ctx.http.post(base, json=order, headers=headers))
    created = [r for r in responses if r.status_code == 201]
    ctx.expect(created, "expected at least one 201 among concurrent retries, got "
               + ", ".join(str(r.status_code) for r in responses), evidence=responses[0])
    for response in responses:
        if response.status_code == 201:
            expect_equal(ctx, "every 201 to carry the same order", created[0].json()["data"],
                         data_of(ctx, response, 201), response)
        else:
            error_of(ctx, response, 409, "request_in_progress")
    listing = ctx.http.get(base)
    orders = data_of(ctx, listing)
    expect_equal(ctx, "the number of orders after 6 concurrent retries", 1, len(orders), listing)
