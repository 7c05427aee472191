"""The email API before the queue: `python3 app.py`.

POST /emails sends the email right away, inside the request: the caller waits for the slow
mailer (and waits forever if it hangs), a failed send is lost, and a burst of requests is a
burst of threads stuck on the mailer. Your job (README.md): answer 202 at once, put the email
on the Redis stream `emails`, and let worker.py send it.
"""

import os
import uuid

import redis
import requests
from flask import Flask, jsonify, request

REDIS = redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)
MAILER_URL = os.environ["MAILER_URL"].rstrip("/")

app = Flask(__name__)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/emails")
def submit():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("to"), str) \
            or "@" not in body["to"] or not isinstance(body.get("subject"), str) \
            or not body["subject"] or not isinstance(body.get("body"), str):
        return jsonify(error="bad_request", detail="send {to, subject, body}"), 400
    email_id = uuid.uuid4().hex
    email = {"to": body["to"], "subject": body["subject"], "body": body["body"]}
    answer = requests.post(f"{MAILER_URL}/send", json=email,
                           headers={"Idempotency-Key": f"email-{email_id}"})
    status = "done" if answer.ok else "failed"
    REDIS.hset(f"email:{email_id}", mapping={**email, "status": status})
    return jsonify(id=email_id, status=status), 201


@app.get("/emails/<email_id>")
def show(email_id):
    email = REDIS.hgetall(f"email:{email_id}")
    if not email:
        return jsonify(error="not_found"), 404
    return jsonify(id=email_id, status=email["status"], to=email["to"],
                   subject=email["subject"])


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")),
            threaded=True)
