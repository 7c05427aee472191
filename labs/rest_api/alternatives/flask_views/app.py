"""Users and orders with Flask class-based views; the SQL lives in store.py, the body rules in
rules.py.

An alternative correct solution, written apart from solution/: MethodView classes, one
connection per request kept on `g`, revision-checked UPDATE/DELETE statements for If-Match,
8-byte packed cursors, Idempotency-Keys serialised by an advisory lock, and a users table
whose key column is not named id (the README fixes only its email column).
"""

import base64
import binascii
import hashlib
import json
import os
import struct

import store
from flask import Flask, Response, g, request
from flask.views import MethodView
from rules import Rules
from werkzeug.exceptions import HTTPException, MethodNotAllowed

PROBLEM_TYPES = "https://api.example.com/problems/"
PROBLEM_TITLES = {
    "malformed-request": "Malformed request",
    "unsupported-version": "Unsupported API version",
    "not-found": "Resource not found",
    "method-not-allowed": "Method not allowed",
    "email-taken": "Email already taken",
    "precondition-failed": "Precondition failed",
    "validation-failed": "Your request is not valid",
    "idempotency-key-reused": "Idempotency key reused",
    "internal-error": "Internal server error",
}
VERSIONS = {"1": 1, "2": 2}
LARGEST_ID = 2**63 - 1
BEFORE_EVERYTHING = LARGEST_ID

app = Flask(__name__)


class ApiProblem(Exception):
    def __init__(self, status, slug, detail, headers=None, **extra):
        super().__init__(detail)
        self.status, self.slug, self.detail, self.headers, self.extra = (
            status, slug, detail, headers or {}, extra)


@app.errorhandler(ApiProblem)
def render_problem(problem):
    document = {"type": PROBLEM_TYPES + problem.slug, "title": PROBLEM_TITLES[problem.slug],
                "status": problem.status, "detail": problem.detail, **problem.extra}
    return Response(json.dumps(document), problem.status, problem.headers,
                    content_type="application/problem+json")


@app.errorhandler(HTTPException)
def render_http_exception(error):
    headers = {}
    if isinstance(error, MethodNotAllowed):
        headers["Allow"] = ", ".join(error.valid_methods or [])
        return render_problem(ApiProblem(405, "method-not-allowed",
                                         f"{request.method} is not supported here", headers))
    if error.code == 404:
        return render_problem(ApiProblem(404, "not-found", f"no resource at {request.path}"))
    return render_problem(ApiProblem(error.code or 500, "malformed-request", error.description))


@app.errorhandler(Exception)
def render_crash(error):
    app.logger.exception("request failed", exc_info=error)
    return render_problem(ApiProblem(500, "internal-error", "the server failed"))


@app.url_value_preprocessor
def settle_version(_endpoint, values):
    """The version: the URL's, else the Api-Version header's, else ?version=, else 1."""
    from_url = (values or {}).pop("version", None)
    for raw in (from_url, request.headers.get("Api-Version"), request.args.get("version")):
        if raw is not None:
            if raw.strip() not in VERSIONS:
                raise ApiProblem(400, "unsupported-version", f"version {raw} is not offered",
                                 supported_versions=sorted(VERSIONS.values()))
            g.version = VERSIONS[raw.strip()]
            break
    else:
        g.version = 1
    g.prefix = "/api" if from_url is None else f"/api/v{g.version}"


def db():
    if "conn" not in g:
        g.conn = store.connect()
    return g.conn


@app.teardown_appcontext
def close_db(_error):
    conn = g.pop("conn", None)
    if conn is not None:
        conn.close()


def as_json(resource, status=200, headers=None):
    return Response(json.dumps(resource), status, headers, content_type="application/json")


def body_object():
    try:
        body = json.loads(request.get_data() or b"null")
    except ValueError:
        raise ApiProblem(400, "malformed-request", "the body does not parse as JSON") from None
    if type(body) is not dict:
        raise ApiProblem(400, "malformed-request", "the body has to be a JSON object")
    return body


def checked(rules):
    if rules.errors:
        raise ApiProblem(422, "validation-failed", "some fields are not valid",
                         errors=rules.errors)


def existing_id(value):
    if value > LARGEST_ID:
        raise ApiProblem(404, "not-found", f"no resource with id {value}")
    return value


# --- representations -----------------------------------------------------------------------

def stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def show_user(row):
    shown = {"id": row["id"], "email": row["email"], "created_at": stamp(row["created_at"])}
    if g.version == 2:
        shown.update(first_name=row["given_name"], last_name=row["family_name"])
    else:
        shown["name"] = " ".join(part for part in (row["given_name"], row["family_name"]) if part)
    return shown


def show_order(row):
    return {"id": row["id"], "user_id": row["user_id"], "item": row["item"],
            "quantity": row["quantity"], "unit_price_cents": row["unit_price_cents"],
            "total_cents": row["quantity"] * row["unit_price_cents"],
            "created_at": stamp(row["created_at"])}


def entity_tag(row):
    return f'"u{row["id"]}r{row["revision"]}"'


def wanted_revisions(user_id):
    """None without If-Match (or with *), else the revisions of this user it names."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    revisions = []
    for tag in header.split(","):
        tag = tag.strip()
        prefix = f'"u{user_id}r'
        if tag.startswith(prefix) and tag.endswith('"') and tag[len(prefix):-1].isdigit():
            revisions.append(int(tag[len(prefix):-1]))
    return revisions


# --- pages ---------------------------------------------------------------------------------

def paging():
    raw = request.args.get("limit", "20")
    if not raw.isdecimal() or not raw.isascii() or int(raw) == 0:
        raise ApiProblem(400, "malformed-request", "limit takes a whole number from 1")
    cursor = request.args.get("cursor")
    before = BEFORE_EVERYTHING if cursor is None else unpack_cursor(cursor)
    return min(int(raw), 100), before


def pack_cursor(last_id):
    return base64.urlsafe_b64encode(struct.pack(">q", last_id)).decode().rstrip("=")


def unpack_cursor(cursor):
    try:
        packed = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        (last_id,) = struct.unpack(">q", packed)
    except (binascii.Error, struct.error, ValueError):
        raise ApiProblem(400, "malformed-request", "that cursor is not one of ours") from None
    if len(cursor) != 11 or last_id < 1:
        raise ApiProblem(400, "malformed-request", "that cursor is not one of ours")
    return last_id


def page_of(rows, limit, show):
    following = pack_cursor(rows[limit - 1]["id"]) if len(rows) > limit else None
    return as_json({"items": [show(row) for row in rows[:limit]], "next_cursor": following})


# --- idempotency ---------------------------------------------------------------------------

def once_per_key(body, make):
    """make(conn) once per caller and Idempotency-Key; later copies get its reply again."""
    key = request.headers.get("Idempotency-Key")
    conn = db()
    if key is None:
        return make(conn)
    if not 0 < len(key) <= 255:
        raise ApiProblem(400, "malformed-request", "Idempotency-Key takes 1 to 255 characters")
    caller = hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()
    fingerprint = hashlib.sha256("\n".join(
        [request.method, request.path, json.dumps(body, sort_keys=True)]).encode()).hexdigest()
    with conn.transaction():
        store.lock_key(conn, caller, key)
        earlier = store.stored_reply(conn, caller, key)
        if earlier is None:
            reply = make(conn)
            store.store_reply(conn, caller, key, fingerprint, reply.status_code,
                              reply.get_data(as_text=True), reply.headers.get("Location"))
            return reply
    if earlier["fingerprint"] != fingerprint:
        raise ApiProblem(422, "idempotency-key-reused", "the key belongs to another request")
    headers = {"Idempotent-Replayed": "true"}
    if earlier["location"]:
        headers["Location"] = earlier["location"]
    return Response(earlier["body"], earlier["status"], headers, content_type="application/json")


# --- views ---------------------------------------------------------------------------------

def user_or_404(user_id):
    row = store.user(db(), existing_id(user_id))
    if row is None:
        raise ApiProblem(404, "not-found", f"user {user_id} does not exist")
    return row


def name_columns(rules, required):
    if g.version == 1:
        name = rules.text("name", 1, 100, required=required)
        if name is None:
            return {}
        given, _, family = name.partition(" ")
        return {"given_name": given, "family_name": family.strip()}
    columns = {"given_name": rules.text("first_name", 1, 100, required=required),
               "family_name": rules.text("last_name", 0, 100, required=False)}
    if required and columns["family_name"] is None:
        columns["family_name"] = ""
    return {column: value for column, value in columns.items() if value is not None}


class UserList(MethodView):
    def get(self):
        limit, before = paging()
        return page_of(store.users_page(db(), before, limit + 1), limit, show_user)

    def post(self):
        body = body_object()
        rules = Rules(body)
        columns = name_columns(rules, required=True)
        email = rules.email(required=True)
        checked(rules)

        def make(conn):
            try:
                row = store.add_user(conn, columns["given_name"], columns["family_name"], email)
            except store.EmailTaken:
                raise ApiProblem(409, "email-taken", "that email is taken") from None
            return as_json(show_user(row), 201, {"Location": f"{g.prefix}/users/{row['id']}"})

        return once_per_key(body, make)


class UserItem(MethodView):
    def get(self, user_id):
        row = user_or_404(user_id)
        return as_json(show_user(row), headers={"ETag": entity_tag(row)})

    def patch(self, user_id):
        body = body_object()
        rules = Rules(body)
        changes = name_columns(rules, required=False)
        email = rules.email(required=False)
        checked(rules)
        if email is not None:
            changes["email"] = email
        try:
            row = store.change_user(db(), existing_id(user_id), wanted_revisions(user_id),
                                    changes)
        except store.Stale:
            raise ApiProblem(412, "precondition-failed", "If-Match names an old ETag") from None
        except store.EmailTaken:
            raise ApiProblem(409, "email-taken", "that email is taken") from None
        if row is None:
            raise ApiProblem(404, "not-found", f"user {user_id} does not exist")
        return as_json(show_user(row), headers={"ETag": entity_tag(row)})

    def delete(self, user_id):
        try:
            deleted = store.remove_user(db(), existing_id(user_id), wanted_revisions(user_id))
        except store.Stale:
            raise ApiProblem(412, "precondition-failed", "If-Match names an old ETag") from None
        if not deleted:
            raise ApiProblem(404, "not-found", f"user {user_id} does not exist")
        return Response(status=204)


class OrderList(MethodView):
    def get(self, user_id):
        limit, before = paging()
        user_or_404(user_id)
        return page_of(store.orders_page(db(), user_id, before, limit + 1), limit, show_order)

    def post(self, user_id):
        body = body_object()
        user_or_404(user_id)
        rules = Rules(body)
        item = rules.text("item", 1, 200, required=True)
        quantity = rules.whole("quantity", 1, 10_000)
        price = rules.whole("unit_price_cents", 0, 100_000_000)
        checked(rules)

        def make(conn):
            row = store.add_order(conn, user_id, item, quantity, price)
            return as_json(show_order(row), 201,
                           {"Location": f"{g.prefix}/users/{user_id}/orders/{row['id']}"})

        return once_per_key(body, make)


class OrderItem(MethodView):
    def get(self, user_id, order_id):
        row = store.order(db(), existing_id(user_id), existing_id(order_id))
        if row is None:
            raise ApiProblem(404, "not-found", f"user {user_id} has no order {order_id}")
        return as_json(show_order(row))


for path, view in (("/users", UserList), ("/users/<int:user_id>", UserItem),
                   ("/users/<int:user_id>/orders", OrderList),
                   ("/users/<int:user_id>/orders/<int:order_id>", OrderItem)):
    function = view.as_view(view.__name__)
    app.add_url_rule("/api" + path, view_func=function)
    app.add_url_rule("/api/v<version>" + path, view_func=function)


@app.get("/healthz")
def healthz():
    db().execute("SELECT 1")
    return as_json({"status": "ok"})


if __name__ == "__main__":
    store.install()
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
