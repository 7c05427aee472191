"""Sharded record store on the standard library's HTTP server, routed by rendezvous hashing.

An independent answer to the sharding lab: no Flask; a key lives on the shard with the
highest sha1(shard + key) score, so adding a shard takes exactly the keys it now wins and
moves nothing between the others. A new connection per query (connect_timeout 2 s) keeps a
stopped shard's trouble to that shard's keys. Moves and the requests for one key share a
striped lock, so no request sees a key half moved.
"""

import contextlib
import hashlib
import json
import os
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import psycopg

KEY = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
SCHEMA = ("CREATE TABLE IF NOT EXISTS records (key text PRIMARY KEY, owner text NOT NULL,"
          " score integer NOT NULL, value text NOT NULL)")
UPSERT = ("INSERT INTO records VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO UPDATE SET"
          " owner = EXCLUDED.owner, score = EXCLUDED.score, value = EXCLUDED.value")


def parse_shards(variable):
    pairs = (item.split("=", 1) for item in os.environ.get(variable, "").split(",") if item)
    return {name.strip(): url.strip() for name, url in pairs}


URLS = {**parse_shards("SHARD_URLS"), **parse_shards("SPARE_SHARD_URLS")}
SPARES = set(parse_shards("SPARE_SHARD_URLS"))
LOCKS = [threading.Lock() for _ in range(128)]


class ShardDown(Exception):
    def __init__(self, shard):
        super().__init__(shard)
        self.shard = shard


def query(shard, sql, params=()):
    """Rows of one statement on one shard, on a connection of its own."""
    with connected(shard) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@contextlib.contextmanager
def connected(shard):
    """A connection to `shard` for a series of statements; ShardDown when it fails."""
    try:
        with psycopg.connect(URLS[shard], autocommit=True, connect_timeout=2) as conn:
            yield conn
    except psycopg.OperationalError as error:
        raise ShardDown(shard) from error


def score(shard, key):
    return hashlib.sha1(f"{shard}/{key}".encode(), usedforsecurity=False).digest()


def winner(key, shards):
    return max(shards, key=lambda shard: score(shard, key))


def lock_of(key):
    return LOCKS[int(hashlib.md5(key.encode(), usedforsecurity=False).hexdigest(), 16) % len(LOCKS)]


class Placement:
    """The shards in use and, during a rebalance, the shards being moved to."""

    def __init__(self):
        self.active = sorted(set(URLS) - SPARES)
        self.target = None
        self.state = {"state": "idle"}

    def places(self, key):
        """(where the key belongs, where it may still be) for this moment."""
        if self.target is None:
            return winner(key, self.active), None
        new, old = winner(key, self.target), winner(key, self.active)
        return new, (old if old != new else None)

    def read(self, key):
        with lock_of(key):
            home, before = self.places(key)
            for shard in (home, before):
                if shard is not None:
                    rows = query(shard, "SELECT key, owner, score, value FROM records"
                                        " WHERE key = %s", (key,))
                    if rows:
                        return dict(zip(("key", "owner", "score", "value"), rows[0],
                                        strict=True))
            return None

    def write(self, record):
        with lock_of(record["key"]):
            home, before = self.places(record["key"])
            query(home, UPSERT, tuple(record.values()))
            if before is not None:
                query(before, "DELETE FROM records WHERE key = %s", (record["key"],))

    def listing(self, owner, limit, offset):
        found, total = {}, 0
        for shard in self.target or self.active:
            rows = query(shard, "SELECT key, owner, score, value FROM records WHERE owner = %s"
                                " ORDER BY score DESC, key LIMIT %s", (owner, offset + limit))
            for row in rows:
                found[row[0]] = dict(zip(("key", "owner", "score", "value"), row, strict=True))
            total += query(shard, "SELECT count(*) FROM records WHERE owner = %s",
                           (owner,))[0][0]
        ordered = sorted(found.values(), key=lambda r: (-r["score"], r["key"]))
        return ordered[offset:offset + limit], total

    def add(self, shard):
        if shard not in SPARES or self.target is not None:
            return False
        query(shard, SCHEMA)
        SPARES.discard(shard)
        self.target = [*self.active, shard]
        self.state = {"state": "running", "moved": 0, "adding": shard}
        threading.Thread(target=self.move, args=(shard,), daemon=True).start()
        return True

    def move(self, shard):
        """Copy, then delete, each key the new shard wins; one connection per shard for the
        whole move (a connection per statement would make the move crawl)."""
        for lock in LOCKS:  # writes that placed their key before self.target was set
            with lock:      # must land before the keys are listed, or they stay behind
                pass
        try:
            for source in self.active:
                with connected(source) as old, connected(shard) as new:
                    keys = [row[0] for row in old.execute("SELECT key FROM records")]
                    for key in keys:
                        if winner(key, self.target) != shard:
                            continue
                        with lock_of(key):
                            row = old.execute("SELECT key, owner, score, value FROM records"
                                              " WHERE key = %s", (key,)).fetchone()
                            if row:
                                new.execute(UPSERT, row)
                                old.execute("DELETE FROM records WHERE key = %s", (key,))
                                self.state["moved"] += 1
                        time.sleep(0.002)
            self.active, self.target = self.target, None
            self.state["state"] = "done"
        except ShardDown as down:
            self.state = {**self.state, "state": "failed", "error": f"{down.shard} is down"}


PLACEMENT = Placement()


def parse_record(key, body):
    if not KEY.fullmatch(key) or not isinstance(body, dict):
        return None
    owner, score, value = body.get("owner"), body.get("score"), body.get("value")
    if (not isinstance(owner, str) or not owner or type(score) is not int
            or not -2**31 <= score < 2**31 or not isinstance(value, str)):
        return None
    return {"key": key, "owner": owner, "score": score, "value": value}


def page_of(query_string):
    args = {name: values[-1] for name, values in parse_qs(query_string).items()}
    try:
        limit, offset = int(args.get("limit", 20)), int(args.get("offset", 0))
    except ValueError:
        return None
    if not args.get("owner") or not 1 <= limit <= 100 or offset < 0:
        return None
    return args["owner"], limit, offset


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        try:
            return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        except ValueError:
            return None

    def serve(self, work):
        try:
            self.answer(*work())
        except ShardDown as down:
            self.answer(503, {"error": "shard unavailable", "shard": down.shard})

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.answer(200, {"ok": True})
        elif url.path == "/admin/rebalance":
            self.answer(200, PLACEMENT.state)
        elif url.path == "/records":
            page = page_of(url.query)
            if page is None:
                self.answer(400, {"error": "owner, limit 1-100 and offset >= 0 expected"})
                return

            def listing():
                records, total = PLACEMENT.listing(*page)
                return 200, {"records": records, "total": total}
            self.serve(listing)
        elif url.path.startswith("/records/"):
            key = unquote(url.path[len("/records/"):])

            def read():
                record = PLACEMENT.read(key)
                return (200, record) if record else (404, {"error": "no such record"})
            self.serve(read)
        else:
            self.answer(404, {"error": "no such route"})

    def do_PUT(self):
        path = urlsplit(self.path).path
        if not path.startswith("/records/"):
            self.answer(404, {"error": "no such route"})
            return
        record = parse_record(unquote(path[len("/records/"):]), self.body())
        if record is None:
            self.answer(400, {"error": "expected {owner, score, value} and a valid key"})
            return

        def write():
            PLACEMENT.write(record)
            return 200, record
        self.serve(write)

    def do_POST(self):
        if urlsplit(self.path).path != "/admin/shards":
            self.answer(404, {"error": "no such route"})
            return
        body = self.body()
        name = body.get("name") if isinstance(body, dict) else None

        def add():
            if not PLACEMENT.add(name):
                return 400, {"error": f"{name} is not a spare shard"}
            return 202, PLACEMENT.state
        self.serve(add)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    for name in PLACEMENT.active:
        query(name, SCHEMA)
    server = ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler)  # noqa: S104 - inside the sandbox
    server.daemon_threads = True
    server.serve_forever()
