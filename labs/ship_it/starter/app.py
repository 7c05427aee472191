"""The messages service, before it is ready to ship: `python3 app.py`.

It stores and lists messages in PostgreSQL, but it has no health endpoints, takes its
release and message limit from config.json (baked into the image), and dies with whatever
it is doing on SIGTERM. README.md says what to build.
"""

import json
import os

import psycopg
from flask import Flask, jsonify, request

with open("config.json") as config_file:
    CONFIG = json.load(config_file)

DATABASE_URL = os.environ["DATABASE_URL"]
SCHEMA = "CREATE TABLE IF NOT EXISTS messages (id bigserial PRIMARY KEY, text text NOT NULL)"

app = Flask(__name__)


def connect():
    conn = psycopg.connect(DATABASE_URL, autocommit=True)
    conn.execute(SCHEMA)
    return conn


@app.get("/version")
def version():
    return jsonify(release=CONFIG["release"])


@app.post("/messages")
def add_message():
    body = request.get_json(silent=True) or {}
    text = body.get("text")
    if not isinstance(text, str) or not text or len(text) > CONFIG["max_message_length"]:
        return jsonify(error="bad text"), 422
    with connect() as conn:
        row = conn.execute("INSERT INTO messages (text) VALUES (%s) RETURNING id",
                           (text,)).fetchone()
    return jsonify(id=row[0], text=text), 201


@app.get("/messages")
def list_messages():
    with connect() as conn:
        rows = conn.execute("SELECT id, text FROM messages ORDER BY id").fetchall()
    return jsonify(messages=[{"id": id_, "text": text} for id_, text in rows])


@app.get("/report")
def report():
    seconds = request.args.get("seconds", type=float)
    if seconds is None or not 0 < seconds <= 10:
        return jsonify(error="seconds must be in (0, 10]"), 422
    with connect() as conn:
        conn.execute("SELECT pg_sleep(%s)", (seconds,))
        count = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    return jsonify(messages=count)


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ["PORT"]),
            threaded=True)
