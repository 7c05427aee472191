"""/api/users: list, create, read, update (PATCH) and delete users.

Version 1 shows a user's `name`; version 2 splits it into `first_name` and `last_name`.
Both are stored as first and last name, so either version reads what the other wrote.
"""

import psycopg
from api import route
from db import get_db
from flask import g, request
from idempotency import idempotent
from paging import page_body, page_request
from problems import Problem, not_found
from responses import created, json_response, no_content
from validation import FieldErrors, json_body


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def user_view(row: dict) -> dict:
    user = {"id": row["id"], "email": row["email"], "created_at": iso(row["created_at"])}
    if g.api_version == 1:
        user["name"] = f"{row['first_name']} {row['last_name']}".strip()
    else:
        user["first_name"] = row["first_name"]
        user["last_name"] = row["last_name"]
    return user


def revision_tag(row: dict) -> str:
    """The entity tag of this revision of the user, unquoted."""
    return f"{row['id']}.{row['revision']}"


def etag_header(row: dict) -> dict:
    return {"ETag": f'"{revision_tag(row)}"'}


def name_fields(body: dict, errors: FieldErrors, required: bool) -> dict:
    """The stored name columns this body sets, read in the request's API version."""
    if g.api_version == 1:
        name = errors.text(body, "name", 100, required)
        if name is None:
            return {}
        first, _, last = name.partition(" ")
        return {"first_name": first, "last_name": last.strip()}
    fields = {"first_name": errors.text(body, "first_name", 100, required),
              "last_name": errors.text(body, "last_name", 100, False, min_length=0)}
    return {column: value for column, value in fields.items() if value is not None}


def find_user(user_id: int, for_update: bool = False) -> dict:
    """The user's row, or a 404 error; `for_update` locks it until the transaction ends."""
    query = "SELECT * FROM users WHERE id = %s"
    if for_update:
        query += " FOR UPDATE"
    row = get_db().execute(query, (user_id,)).fetchone()
    if row is None:
        raise not_found(f"user {user_id} does not exist")
    return row


def require_current(row: dict) -> None:
    """Refuse a write whose If-Match names another revision of the user."""
    if request.if_match and not request.if_match.contains(revision_tag(row)):
        raise Problem(412, "precondition-failed",
                      "the user has changed since you read it (If-Match does not match)")


def unique_email(write):
    """Run `write`, turning the email's unique-constraint violation into a 409."""
    try:
        return write()
    except psycopg.errors.UniqueViolation:
        raise Problem(409, "email-taken", "another user already has this email") from None


@route("/users", methods=["GET"])
def list_users():
    page = page_request()
    rows = get_db().execute(
        "SELECT * FROM users WHERE %(after)s::bigint IS NULL OR id < %(after)s"
        " ORDER BY id DESC LIMIT %(fetch)s", {"after": page.after, "fetch": page.limit + 1}
    ).fetchall()
    return json_response(page_body(rows, page, user_view))


@route("/users", methods=["POST"])
def create_user():
    body = json_body()
    errors = FieldErrors()
    names = name_fields(body, errors, required=True)
    email = errors.email(body, required=True)
    errors.raise_if_any()

    def insert():
        row = unique_email(lambda: get_db().execute(
            "INSERT INTO users (first_name, last_name, email) VALUES (%s, %s, %s)"
            " RETURNING *", (names["first_name"], names.get("last_name", ""), email)
        ).fetchone())
        return created(user_view(row), f"{request.path.rstrip('/')}/{row['id']}")

    return idempotent(insert, body)


@route("/users/<int:user_id>", methods=["GET"])
def get_user(user_id: int):
    row = find_user(user_id)
    return json_response(user_view(row), headers=etag_header(row))


@route("/users/<int:user_id>", methods=["PATCH"])
def update_user(user_id: int):
    body = json_body()
    errors = FieldErrors()
    changes = name_fields(body, errors, required=False)
    email = errors.email(body, required=False)
    errors.raise_if_any()
    if email is not None:
        changes["email"] = email
    conn = get_db()
    with conn.transaction():
        row = find_user(user_id, for_update=True)
        require_current(row)
        if changes:
            assignments = "".join(f"{column} = %({column})s, " for column in changes)
            row = unique_email(lambda: conn.execute(
                f"UPDATE users SET {assignments}revision = revision + 1 WHERE id = %(id)s"
                " RETURNING *", {**changes, "id": user_id}).fetchone())
    return json_response(user_view(row), headers=etag_header(row))


@route("/users/<int:user_id>", methods=["DELETE"])
def delete_user(user_id: int):
    conn = get_db()
    with conn.transaction():
        require_current(find_user(user_id, for_update=True))
        conn.execute("DELETE FROM users WHERE id = %s", (user_id,))
    return no_content()
