"""Every SQL statement of the app, behind functions that speak in rows.

Writes that depend on what a client read are conditional UPDATEs/DELETEs (`WHERE revision =
...`), so the check and the write are one statement. Idempotency-Keys are serialised with a
transaction-scoped advisory lock on (caller, key): a concurrent retry waits for the first
request's transaction, then finds its stored response.
"""

import os
import time
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    user_no     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    given_name  text NOT NULL,
    family_name text NOT NULL,
    email       text NOT NULL,
    revision    bigint NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT users_email_unique UNIQUE (email)
);
CREATE TABLE IF NOT EXISTS orders (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint NOT NULL REFERENCES users ON DELETE CASCADE,
    item             text NOT NULL,
    quantity         integer NOT NULL,
    unit_price_cents bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS replies (
    caller_digest text NOT NULL,
    idem_key      text NOT NULL,
    fingerprint   text NOT NULL,
    status        integer NOT NULL,
    body          text NOT NULL,
    location      text,
    stored_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (caller_digest, idem_key)
);
"""

# The README fixes only users.email: the key column has another name here, and rows carry it
# as "id" like every other row.
USER_BY_NO = ("SELECT user_no AS id, given_name, family_name, email, revision, created_at"
              " FROM users WHERE user_no = %s")
USERS_BEFORE = ("SELECT user_no AS id, given_name, family_name, email, revision, created_at"
                " FROM users WHERE user_no < %(before)s ORDER BY user_no DESC LIMIT %(fetch)s")
NEW_USER = ("INSERT INTO users (given_name, family_name, email) VALUES (%s, %s, %s)"
            " RETURNING user_no AS id, given_name, family_name, email, revision, created_at")


class EmailTaken(Exception):
    pass


class Stale(Exception):
    """The row exists but no longer has the revision the client read."""


def connect():
    return psycopg.connect(os.environ["DATABASE_URL"], autocommit=True, row_factory=dict_row,
                           options="-c timezone=UTC")


def install(attempts=40):
    for attempt in range(attempts):
        try:
            with connect() as conn:
                conn.execute(SCHEMA)
            return
        except psycopg.OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


@contextmanager
def unique_email():
    try:
        yield
    except psycopg.errors.UniqueViolation as error:
        if error.diag.constraint_name == "users_email_unique":
            raise EmailTaken() from None
        raise


def user(conn, user_id):
    return conn.execute(USER_BY_NO, (user_id,)).fetchone()


def users_page(conn, before, fetch):
    return conn.execute(USERS_BEFORE, {"before": before, "fetch": fetch}).fetchall()


def add_user(conn, given, family, email):
    with unique_email(), conn.transaction():
        return conn.execute(NEW_USER, (given, family, email)).fetchone()


def change_user(conn, user_id, revisions, changes):
    """The updated row; None if the user is gone; Stale if its revision is not one of
    `revisions` (None: any revision will do)."""
    sets = "".join(f"{column} = %({column})s, " for column in changes)
    condition = "" if revisions is None else " AND revision = ANY(%(revisions)s)"
    with unique_email(), conn.transaction():
        where = (f" WHERE user_no = %(id)s{condition} RETURNING user_no AS id, given_name,"
                 " family_name, email, revision, created_at")
        query = f"UPDATE users SET {sets}revision = revision + 1{where}"  # noqa: S608 - our columns
        row = conn.execute(query, {**changes, "id": user_id, "revisions": revisions}).fetchone()
    if row is None and user(conn, user_id) is not None:
        raise Stale()
    return row


def remove_user(conn, user_id, revisions):
    """True if deleted; False if there was no such user; Stale as in change_user."""
    condition = "" if revisions is None else " AND revision = ANY(%(revisions)s)"
    query = f"DELETE FROM users WHERE user_no = %(id)s{condition} RETURNING user_no"  # noqa: S608
    gone = conn.execute(query, {"id": user_id, "revisions": revisions}).fetchone()
    if gone is None and user(conn, user_id) is not None:
        raise Stale()
    return gone is not None


def orders_page(conn, user_id, before, fetch):
    return conn.execute("SELECT * FROM orders WHERE user_id = %(user)s AND id < %(before)s"
                        " ORDER BY id DESC LIMIT %(fetch)s",
                        {"user": user_id, "before": before, "fetch": fetch}).fetchall()


def add_order(conn, user_id, item, quantity, price):
    return conn.execute("INSERT INTO orders (user_id, item, quantity, unit_price_cents)"
                        " VALUES (%s, %s, %s, %s) RETURNING *",
                        (user_id, item, quantity, price)).fetchone()


def order(conn, user_id, order_id):
    return conn.execute("SELECT * FROM orders WHERE id = %s AND user_id = %s",
                        (order_id, user_id)).fetchone()


def lock_key(conn, caller_digest, key):
    """Hold (caller, key) until the current transaction ends."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                 (caller_digest + "\x1f" + key,))


def stored_reply(conn, caller_digest, key):
    return conn.execute("SELECT * FROM replies WHERE caller_digest = %s AND idem_key = %s",
                        (caller_digest, key)).fetchone()


def store_reply(conn, caller_digest, key, fingerprint, status, body, location):
    conn.execute("INSERT INTO replies (caller_digest, idem_key, fingerprint, status, body,"
                 " location) VALUES (%s, %s, %s, %s, %s, %s)",
                 (caller_digest, key, fingerprint, status, body, location))
