"""The sharded record store: your shard router. Start here.

This app runs, answers /healthz and stores records, but all of them on the first shard:
nothing is routed, listed or rebalanced yet. Grade it as it is to see every check it fails,
then work through README.md. You may split the code into several modules.

Run it yourself (README.md, "Running it locally"):
  PORT=8000 SHARD_URLS=shard0=postgresql://...,shard1=...,shard2=... \
  SPARE_SHARD_URLS=shard3=postgresql://... python3 app.py
"""

import os

import psycopg
from flask import Flask, request
from psycopg.rows import dict_row

# The table every shard must have: the grader reads it directly (README.md, "The shards").
SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    key    text PRIMARY KEY,
    owner  text NOT NULL,
    score  integer NOT NULL,
    value  text NOT NULL
);
"""


def named_urls(variable: str) -> dict:
    """"shard0=url0,shard1=url1" from the environment as {"shard0": "url0", ...}."""
    pairs = [item.partition("=") for item in os.environ.get(variable, "").split(",") if item]
    return {name: url for name, _, url in pairs}


SHARDS = named_urls("SHARD_URLS")          # in use from the start
SPARES = named_urls("SPARE_SHARD_URLS")    # added later by POST /admin/shards

app = Flask(__name__)


def db(shard: str) -> psycopg.Connection:
    """A new connection for each use: simple and safe with threads."""
    return psycopg.connect(SHARDS[shard], autocommit=True, row_factory=dict_row)


def shard_for(key: str) -> str:
    # Every key goes to the first shard. Route it by a hash of the key instead, one that
    # moves few keys when a shard is added (README.md, "Routing").
    return next(iter(SHARDS))


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.put("/records/<key>")
def put_record(key: str):
    # Validate the body first: a missing or mistyped field is a 400 (README.md, "The API").
    body = request.get_json(force=True)
    record = {"key": key, "owner": body["owner"], "score": body["score"], "value": body["value"]}
    with db(shard_for(key)) as conn:
        conn.execute("INSERT INTO records (key, owner, score, value)"
                     " VALUES (%(key)s, %(owner)s, %(score)s, %(value)s)"
                     " ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner,"
                     " score = EXCLUDED.score, value = EXCLUDED.value", record)
    return record


@app.get("/records/<key>")
def get_record(key: str):
    with db(shard_for(key)) as conn:
        record = conn.execute("SELECT key, owner, score, value FROM records WHERE key = %s",
                              (key,)).fetchone()
    if record is None:
        return {"error": "not_found"}, 404
    return record


# Still to build (README.md has the exact contract for each):
#   GET /records?owner=&limit=&offset=   scatter-gather over every shard, merged and paged
#   503 for a key whose shard is down, with a short connect timeout
#   POST /admin/shards and GET /admin/rebalance: add shard3 and move keys while serving


if __name__ == "__main__":
    for name in SHARDS:
        with db(name) as conn:
            conn.execute(SCHEMA)
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")),
            threaded=True)
