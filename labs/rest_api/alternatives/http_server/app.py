"""Users and orders on the standard library alone: http.server, hand-written routing, psycopg.

An alternative correct solution, written apart from solution/: one module, no framework,
the user's name stored whole, content-hash ETags, HMAC-signed cursors, and Idempotency-Keys
claimed in a transaction of their own, so a concurrent retry is told 409 request-in-progress
instead of waiting.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import psycopg
from psycopg.rows import dict_row

DATABASE_URL = os.environ["DATABASE_URL"]
PROBLEM_BASE = "https://api.example.com/problems/"
TITLES = {
    "malformed-request": "Malformed request",
    "unsupported-version": "Unsupported API version",
    "not-found": "Resource not found",
    "method-not-allowed": "Method not allowed",
    "email-taken": "Email already taken",
    "request-in-progress": "Request in progress",
    "precondition-failed": "Precondition failed",
    "validation-failed": "Your request is not valid",
    "idempotency-key-reused": "Idempotency key reused",
    "internal-error": "Internal server error",
}
CURSOR_SECRET = hashlib.sha256(b"cursor:" + DATABASE_URL.encode()).digest()
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_BIGINT = 2**63 - 1
STALE_CLAIM = "60 seconds"  # a claim this old was left by a crashed request: take it over

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id bigserial PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS orders (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    item text NOT NULL,
    quantity integer NOT NULL,
    unit_price_cents bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS orders_by_user ON orders (user_id, id);
CREATE TABLE IF NOT EXISTS idempotent_requests (
    caller text NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    state text NOT NULL,
    status integer,
    body text,
    location text,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
"""


class Problem(Exception):
    def __init__(self, status, kind, detail, headers=None, **members):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.headers = headers or {}
        self.members = members

    def response(self):
        body = {"type": PROBLEM_BASE + self.kind, "title": TITLES[self.kind],
                "status": self.status, "detail": self.detail, **self.members}
        return (self.status, {"Content-Type": "application/problem+json", **self.headers},
                json.dumps(body).encode())


def ok(resource, status=200, headers=None):
    return status, {"Content-Type": "application/json", **(headers or {})}, \
        json.dumps(resource).encode()


class Request:
    def __init__(self, method, target, headers, body):
        parts = urlsplit(target)
        self.method, self.path, self.headers, self.body = method, parts.path, headers, body
        self.query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        self.version = 1
        self.prefix = "/api"

    def json(self):
        try:
            value = json.loads(self.body.decode("utf-8") or "null")
        except ValueError:
            raise Problem(400, "malformed-request", "the body is not valid JSON") from None
        if not isinstance(value, dict):
            raise Problem(400, "malformed-request", "the body must be a JSON object")
        return value


# --- versions and views --------------------------------------------------------------------

def choose_version(request, from_url):
    for raw, where in ((from_url, "the URL"), (request.headers.get("Api-Version"), "the header"),
                       (request.query.get("version"), "the query")):
        if raw is not None:
            if raw.strip() in ("1", "2"):
                return int(raw.strip())
            raise Problem(400, "unsupported-version", f"no API version {raw!r} ({where})",
                          supported_versions=[1, 2])
    return 1


def split_name(name):
    first, _, last = name.partition(" ")
    return first, last.strip()


def iso(moment):
    return moment.isoformat().replace("+00:00", "Z")


def user_view(row, version):
    first, last = split_name(row["name"])
    user = {"id": row["id"]}
    if version == 1:
        user["name"] = f"{first} {last}" if last else first
    else:
        user["first_name"], user["last_name"] = first, last
    user.update(email=row["email"], created_at=iso(row["created_at"]))
    return user


def etag(row):
    digest = hashlib.sha256(json.dumps([row["id"], row["name"], row["email"]]).encode())
    return f'"{digest.hexdigest()[:20]}"'


def order_view(row):
    return {"id": row["id"], "user_id": row["user_id"], "item": row["item"],
            "quantity": row["quantity"], "unit_price_cents": row["unit_price_cents"],
            "total_cents": row["quantity"] * row["unit_price_cents"],
            "created_at": iso(row["created_at"])}


# --- validation ----------------------------------------------------------------------------

class Invalid:
    def __init__(self):
        self.errors = []

    def add(self, field, detail):
        self.errors.append({"pointer": "#/" + field, "detail": detail})

    def string(self, body, field, low, high, required):
        if field not in body:
            if required:
                self.add(field, "is required")
            return None
        value = body[field]
        if not isinstance(value, str) or not low <= len(value.strip()) <= high:
            self.add(field, f"must be a string of {low} to {high} characters")
            return None
        return value.strip()

    def integer(self, body, field, low, high):
        value = body.get(field)
        if type(value) is not int or not low <= value <= high:
            self.add(field, f"must be an integer from {low} to {high}")
            return None
        return value

    def check(self):
        if self.errors:
            raise Problem(422, "validation-failed", f"{len(self.errors)} invalid field(s)",
                          errors=self.errors)


def name_from(body, version, required, current=None):
    """The whole name a body sets in its version (None: it sets none), or errors."""
    invalid = Invalid()
    if version == 1:
        name = invalid.string(body, "name", 1, 100, required)
        return invalid, name
    first = invalid.string(body, "first_name", 1, 100, required)
    last = invalid.string(body, "last_name", 0, 100, False)
    if first is None and last is None:
        return invalid, None
    old_first, old_last = split_name(current or "")
    first = old_first if first is None else first
    last = old_last if last is None else last
    return invalid, f"{first} {last}" if last else first


def email_from(body, invalid, required):
    email = invalid.string(body, "email", 1, 254, required)
    if email is not None and not EMAIL.fullmatch(email):
        invalid.add("email", "must be an email address")
        return None
    return email


# --- paging --------------------------------------------------------------------------------

def page_params(request):
    raw = request.query.get("limit", "20")
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise Problem(400, "malformed-request", "limit must be a positive integer")
    cursor = request.query.get("cursor")
    return min(int(raw), 100), (None if cursor is None else open_cursor(cursor))


def seal_cursor(last_id):
    text = str(last_id)
    mac = hmac.new(CURSOR_SECRET, text.encode(), "sha256").digest()[:9]
    return base64.urlsafe_b64encode(mac).decode() + text


def open_cursor(cursor):
    mac, text = cursor[:12], cursor[12:]
    try:
        expected = seal_cursor(int(text))[:12] if text.isascii() and text.isdigit() else None
    except ValueError:
        expected = None
    if expected is None or not hmac.compare_digest(expected, mac):
        raise Problem(400, "malformed-request", "this cursor was not issued here")
    return int(text)


def page(conn, sql, params, limit, after, view):
    rows = conn.execute(sql + " AND id < %s ORDER BY id DESC LIMIT %s",
                        (*params, MAX_BIGINT if after is None else after, limit + 1)).fetchall()
    more = len(rows) > limit
    return ok({"items": [view(row) for row in rows[:limit]],
               "next_cursor": seal_cursor(rows[limit - 1]["id"]) if more else None})


# --- idempotency ---------------------------------------------------------------------------

def idempotent(conn, request, body, create):
    """create(conn) once per (caller, Idempotency-Key); retries replay, racers get 409."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        with conn.transaction():
            return create(conn)
    if not 1 <= len(key) <= 255:
        raise Problem(400, "malformed-request", "Idempotency-Key must be 1 to 255 characters")
    caller = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()
    fingerprint = hashlib.sha256(json.dumps([request.method, request.path, body],
                                            sort_keys=True).encode()).hexdigest()
    claimed = conn.execute(
        "INSERT INTO idempotent_requests AS r (caller, key, fingerprint, state)"
        " VALUES (%s, %s, %s, 'running') ON CONFLICT (caller, key) DO UPDATE"
        " SET claimed_at = now() WHERE r.state = 'running' AND r.fingerprint = %s"
        " AND r.claimed_at < now() - %s::interval RETURNING key",
        (caller, key, fingerprint, fingerprint, STALE_CLAIM)).fetchone()
    if claimed is None:
        held = conn.execute("SELECT * FROM idempotent_requests WHERE caller = %s AND key = %s",
                            (caller, key)).fetchone()
        if held["fingerprint"] != fingerprint:
            raise Problem(422, "idempotency-key-reused", "this key was used for another request")
        if held["state"] == "running":
            raise Problem(409, "request-in-progress", "the first request with this key is "
                          "still running: retry in a moment")
        headers = {"Content-Type": "application/json", "Idempotent-Replayed": "true"}
        if held["location"]:
            headers["Location"] = held["location"]
        return held["status"], headers, held["body"].encode()
    try:
        with conn.transaction():
            status, headers, payload = create(conn)
            conn.execute("UPDATE idempotent_requests SET state = 'done', status = %s,"
                         " body = %s, location = %s WHERE caller = %s AND key = %s",
                         (status, payload.decode(), headers.get("Location"), caller, key))
        return status, headers, payload
    except BaseException:
        conn.execute("DELETE FROM idempotent_requests WHERE caller = %s AND key = %s",
                     (caller, key))
        raise


# --- users and orders ----------------------------------------------------------------------

def user_row(conn, user_id, lock=False):
    row = None
    if user_id <= MAX_BIGINT:
        query = "SELECT * FROM users WHERE id = %s FOR UPDATE" if lock \
            else "SELECT * FROM users WHERE id = %s"
        row = conn.execute(query, (user_id,)).fetchone()
    if row is None:
        raise Problem(404, "not-found", f"there is no user {user_id}")
    return row


def if_match_allows(request, row):
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return True
    tags = [tag.strip() for tag in header.split(",")]
    return etag(row) in tags


def list_users(conn, request):
    limit, after = page_params(request)
    return page(conn, "SELECT * FROM users WHERE true", (), limit, after,
                lambda row: user_view(row, request.version))


def create_user(conn, request):
    body = request.json()
    invalid, name = name_from(body, request.version, True)
    email = email_from(body, invalid, True)
    invalid.check()

    def insert(conn):
        try:
            with conn.transaction():
                row = conn.execute("INSERT INTO users (name, email) VALUES (%s, %s) RETURNING *",
                                   (name, email)).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Problem(409, "email-taken", f"{email} belongs to another user") from None
        location = f"{request.prefix}/users/{row['id']}"
        return ok(user_view(row, request.version), 201, {"Location": location})

    return idempotent(conn, request, body, insert)


def get_user(conn, request, user_id):
    row = user_row(conn, user_id)
    return ok(user_view(row, request.version), headers={"ETag": etag(row)})


def patch_user(conn, request, user_id):
    body = request.json()
    with conn.transaction():
        row = user_row(conn, user_id, lock=True)
        invalid, name = name_from(body, request.version, False, row["name"])
        email = email_from(body, invalid, False)
        invalid.check()
        if not if_match_allows(request, row):
            raise Problem(412, "precondition-failed", "the user changed since you read it")
        try:
            with conn.transaction():
                row = conn.execute("UPDATE users SET name = %s, email = %s WHERE id = %s"
                                   " RETURNING *", (name or row["name"], email or row["email"],
                                                    user_id)).fetchone()
        except psycopg.errors.UniqueViolation:
            raise Problem(409, "email-taken", f"{email} belongs to another user") from None
    return ok(user_view(row, request.version), headers={"ETag": etag(row)})


def delete_user(conn, request, user_id):
    with conn.transaction():
        row = user_row(conn, user_id, lock=True)
        if not if_match_allows(request, row):
            raise Problem(412, "precondition-failed", "the user changed since you read it")
        conn.execute("DELETE FROM users WHERE id = %s", (user_id,))
    return 204, {}, b""


def list_orders(conn, request, user_id):
    limit, after = page_params(request)
    user_row(conn, user_id)
    return page(conn, "SELECT * FROM orders WHERE user_id = %s", (user_id,), limit, after,
                order_view)


def create_order(conn, request, user_id):
    body = request.json()
    user_row(conn, user_id)
    invalid = Invalid()
    item = invalid.string(body, "item", 1, 200, True)
    quantity = invalid.integer(body, "quantity", 1, 10_000)
    price = invalid.integer(body, "unit_price_cents", 0, 100_000_000)
    invalid.check()

    def insert(conn):
        row = conn.execute("INSERT INTO orders (user_id, item, quantity, unit_price_cents)"
                           " VALUES (%s, %s, %s, %s) RETURNING *",
                           (user_id, item, quantity, price)).fetchone()
        location = f"{request.prefix}/users/{user_id}/orders/{row['id']}"
        return ok(order_view(row), 201, {"Location": location})

    return idempotent(conn, request, body, insert)


def get_order(conn, request, user_id, order_id):
    row = None
    if max(user_id, order_id) <= MAX_BIGINT:
        row = conn.execute("SELECT * FROM orders WHERE id = %s AND user_id = %s",
                           (order_id, user_id)).fetchone()
    if row is None:
        raise Problem(404, "not-found", f"user {user_id} has no order {order_id}")
    return ok(order_view(row))


API = r"^/api(?:/v(?P<version>[^/]+))?"
ROUTES = [
    (re.compile(API + r"/users/?$"), {"GET": list_users, "POST": create_user}),
    (re.compile(API + r"/users/(?P<user_id>\d+)$"),
     {"GET": get_user, "PATCH": patch_user, "DELETE": delete_user}),
    (re.compile(API + r"/users/(?P<user_id>\d+)/orders/?$"),
     {"GET": list_orders, "POST": create_order}),
    (re.compile(API + r"/users/(?P<user_id>\d+)/orders/(?P<order_id>\d+)$"),
     {"GET": get_order}),
]


def handle(request):
    if request.path == "/healthz":
        with psycopg.connect(DATABASE_URL) as conn:
            conn.execute("SELECT 1")
        return ok({"status": "ok"})
    for pattern, methods in ROUTES:
        match = pattern.match(request.path)
        if match is None:
            continue
        if request.method not in methods:
            raise Problem(405, "method-not-allowed", f"{request.method} is not allowed here",
                          {"Allow": ", ".join(methods)})
        arguments = match.groupdict()
        request.version = choose_version(request, arguments.pop("version"))
        if match.group("version") is not None:
            request.prefix = f"/api/v{request.version}"
        with psycopg.connect(DATABASE_URL, autocommit=True, row_factory=dict_row,
                             options="-c timezone=UTC") as conn:
            return methods[request.method](conn, request,
                                           *(int(value) for value in arguments.values()))
    raise Problem(404, "not-found", f"nothing lives at {request.path}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(self.command, self.path, self.headers, self.rfile.read(length))
        try:
            status, headers, body = handle(request)
        except Problem as problem:
            status, headers, body = problem.response()
        except Exception:
            traceback.print_exc()
            status, headers, body = Problem(500, "internal-error", "something broke").response()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

    def log_message(self, format, *args):
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")


def create_schema():
    for _ in range(30):
        try:
            with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
                conn.execute(SCHEMA)
            return
        except psycopg.OperationalError:
            time.sleep(0.5)
    raise SystemExit("the database did not answer")


if __name__ == "__main__":
    create_schema()
    server = ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler)
    server.daemon_threads = True
    server.serve_forever()
