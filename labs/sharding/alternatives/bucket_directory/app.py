"""Sharded record store in Flask, placed by a bucket directory and moved bucket by bucket.

Each shard is reached through one connection guarded by a lock (dropped when it fails, so
a restarted shard gets a fresh one). Records carry their bucket number in an extra column,
so a whole bucket is copied and deleted with one statement each.
"""

import logging
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
from directory import Directory, bucket_of
from flask import Flask, request

SCHEMA = """CREATE TABLE IF NOT EXISTS records (
    key text PRIMARY KEY, owner text NOT NULL, score integer NOT NULL, value text NOT NULL,
    bucket integer NOT NULL DEFAULT -1);
CREATE INDEX IF NOT EXISTS records_bucket ON records (bucket);
CREATE INDEX IF NOT EXISTS records_owner ON records (owner, score DESC, key)"""
VALID_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,200}")
log = logging.getLogger("store")


class Unavailable(Exception):
    pass


class Shard:
    def __init__(self, name, url):
        self.name, self.url = name, url
        self.lock = threading.Lock()
        self.conn = None

    def run(self, sql, params=(), many=False):
        with self.lock:
            try:
                if self.conn is None:
                    self.conn = psycopg.connect(self.url, autocommit=True, connect_timeout=3)
                cursor = self.conn.cursor()
                if many:
                    cursor.executemany(sql, params)
                    return []
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError as error:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                raise Unavailable(self.name) from error


def from_env(name):
    entries = [part.split("=", 1) for part in os.environ.get(name, "").split(",") if part]
    return {shard: Shard(shard, url) for shard, url in entries}


shards = from_env("SHARD_URLS")
spares = from_env("SPARE_SHARD_URLS")
directory = Directory(sorted(shards))
rebalance = {"state": "idle"}
scatter = ThreadPoolExecutor(max_workers=4)
app = Flask(__name__)


def as_record(row):
    return dict(zip(("key", "owner", "score", "value"), row, strict=True))


@app.errorhandler(Unavailable)
def unavailable(error):
    return {"error": "shard_unavailable", "shard": str(error)}, 503


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.put("/records/<key>")
def put(key):
    body = request.get_json(silent=True)
    if not VALID_KEY.fullmatch(key) or not isinstance(body, dict):
        return {"error": "bad request"}, 400
    owner, score, value = body.get("owner"), body.get("score"), body.get("value")
    if not (isinstance(owner, str) and owner and isinstance(value, str)
            and isinstance(score, int) and not isinstance(score, bool)
            and -(2**31) <= score <= 2**31 - 1):
        return {"error": "owner (text), score (integer) and value (text) expected"}, 400
    bucket = bucket_of(key)
    with directory.locks[bucket]:
        shards[directory.owner[bucket]].run(
            "INSERT INTO records (key, owner, score, value, bucket) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, score = excluded.score,"
            " value = excluded.value", (key, owner, score, value, bucket))
    return {"key": key, "owner": owner, "score": score, "value": value}, 200


@app.get("/records/<key>")
def get(key):
    bucket = bucket_of(key)
    with directory.locks[bucket]:
        rows = shards[directory.owner[bucket]].run(
            "SELECT key, owner, score, value FROM records WHERE key = %s", (key,))
    return as_record(rows[0]) if rows else ({"error": "not_found"}, 404)


@app.get("/records")
def listing():
    owner = request.args.get("owner")
    try:
        limit = int(request.args.get("limit", "20"))
        offset = int(request.args.get("offset", "0"))
    except ValueError:
        return {"error": "limit and offset must be integers"}, 400
    if not owner or not 1 <= limit <= 100 or offset < 0:
        return {"error": "owner, limit 1-100 and offset >= 0 expected"}, 400

    def ask(shard):
        top = shard.run("SELECT key, owner, score, value FROM records WHERE owner = %s"
                        " ORDER BY score DESC, key LIMIT %s", (owner, limit + offset))
        return top, shard.run("SELECT count(*) FROM records WHERE owner = %s", (owner,))[0][0]

    answers = list(scatter.map(ask, [shards[name] for name in directory.shards()]))
    merged = sorted((as_record(row) for top, _ in answers for row in top),
                    key=lambda r: (-r["score"], r["key"]))
    return {"records": merged[offset:offset + limit], "total": sum(n for _, n in answers)}


@app.post("/admin/shards")
def add_shard():
    name = (request.get_json(silent=True) or {}).get("name")
    if name not in spares or rebalance["state"] == "running":
        return {"error": f"{name!r} is not a spare shard"}, 400
    shard = spares.pop(name)
    shard.run(SCHEMA)
    shards[name] = shard
    rebalance.clear()
    rebalance.update(state="running", moved=0, buckets_moved=0)
    threading.Thread(target=move_buckets, args=(name,), daemon=True).start()
    return dict(rebalance), 202


@app.get("/admin/rebalance")
def rebalance_status():
    return dict(rebalance)


def move_buckets(new_shard):
    try:
        for bucket, donor in directory.handover(new_shard):
            with directory.locks[bucket]:
                rows = shards[donor].run(
                    "SELECT key, owner, score, value, bucket FROM records WHERE bucket = %s",
                    (bucket,))
                shards[new_shard].run(
                    "INSERT INTO records (key, owner, score, value, bucket)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING", rows, many=True)
                directory.owner[bucket] = new_shard
                shards[donor].run("DELETE FROM records WHERE bucket = %s", (bucket,))
            rebalance["moved"] += len(rows)
            rebalance["buckets_moved"] += 1
            time.sleep(0.01)
        rebalance["state"] = "done"
    except Unavailable as down:
        log.error("rebalance stopped: shard %s is down", down)
        rebalance["state"] = "failed"


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    for each in shards.values():
        each.run(SCHEMA)
    app.run(host="0.0.0.0", port=int(os.environ["PORT"]), threaded=True)  # noqa: S104 - inside the sandbox
