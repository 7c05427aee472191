"""Idempotency-Key for POST: a retry gets the original response and creates nothing new.

Keys belong to callers (the Authorization header tells them apart), so a key is looked up
by (caller, key). The key is claimed by inserting its row in the same transaction as the
resource it creates: a concurrent retry's INSERT waits on that row until the first request
commits (then it replays the stored response) or rolls back (then it runs the request
itself). A request that fails leaves no row, so the key can be used again.
"""

import hashlib
import json
from collections.abc import Callable

from db import get_db
from flask import Response, request
from problems import Problem

MAX_KEY_LENGTH = 255


def idempotent(create: Callable[[], Response], body: dict) -> Response:
    """Run `create` once per caller and Idempotency-Key; replay its response for retries."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return create()
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise Problem(400, "malformed-request",
                      f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters")
    caller, fingerprint = caller_of_request(), request_fingerprint(body)
    conn = get_db()
    with conn.transaction():
        if claim(conn, caller, key, fingerprint):
            response = create()
            conn.execute("UPDATE idempotency_keys SET status = %s, body = %s, location = %s"
                         " WHERE caller = %s AND key = %s",
                         (response.status_code, response.get_data(as_text=True),
                          response.headers.get("Location"), caller, key))
            return response
        stored = conn.execute("SELECT * FROM idempotency_keys WHERE caller = %s AND key = %s",
                              (caller, key)).fetchone()
    if stored["fingerprint"] != fingerprint:
        raise Problem(422, "idempotency-key-reused",
                      "this Idempotency-Key was used for a different request")
    return replay(stored)


def claim(conn, caller: str, key: str, fingerprint: str) -> bool:
    """Take the key for this request: False when an earlier request of the caller holds it.

    The INSERT is the lookup: under the unique (caller, key), a concurrent claim of the same
    key waits here until the holder's transaction ends.
    """
    claimed = conn.execute(
        "INSERT INTO idempotency_keys (caller, key, fingerprint) VALUES (%s, %s, %s)"
        " ON CONFLICT (caller, key) DO NOTHING RETURNING key",
        (caller, key, fingerprint)).fetchone()
    return claimed is not None


def caller_of_request() -> str:
    """Who is asking: a hash of the Authorization header (a credential is never stored)."""
    return hashlib.sha256(request.headers.get("Authorization", "").encode()).hexdigest()


def request_fingerprint(body: dict) -> str:
    """Same method, path and JSON body (key order and spacing aside) -> same fingerprint."""
    canonical = json.dumps([request.method, request.path, body], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(stored: dict) -> Response:
    headers = {"Idempotent-Replayed": "true"}
    if stored["location"]:
        headers["Location"] = stored["location"]
    return Response(stored["body"], status=stored["status"], headers=headers,
                    mimetype="application/json")
