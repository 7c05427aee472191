"""The email API as a Flask blueprint: `python3 app.py`."""

import contextlib
import os
import uuid

import records
import redis
from flask import Blueprint, Flask, jsonify, request

SETTINGS = records.settings()
R = records.open_redis(SETTINGS["redis"], timeout=0.3)
api = Blueprint("api", __name__)


def error(status, text, **headers):
    return jsonify(error=text), status, headers


def unfinished():
    groups = {g["name"]: g for g in R.xinfo_groups(records.STREAM)}
    group = groups.get(records.GROUP)
    if group is None:
        return R.xlen(records.STREAM)
    lag = group["lag"]
    if lag is None:
        lag = len(R.xrange(records.STREAM, "(" + group["last-delivered-id"], "+"))
    return lag + group["pending"]


def invalid(body):
    if not isinstance(body, dict):
        return True
    to, subject, text = body.get("to"), body.get("subject"), body.get("body")
    if not isinstance(to, str) or not isinstance(subject, str) or not isinstance(text, str):
        return True
    name, at, domain = to.partition("@")
    return not (name and at and domain and "@" not in domain and subject.strip())


@api.post("/emails")
def post_email():
    body = request.get_json(silent=True)
    if invalid(body):
        return error(400, "expected {to: name@domain, subject: non-empty, body: string}")
    if unfinished() >= SETTINGS["limit"]:
        return error(503, "the queue is full", **{"Retry-After": "1"})
    email_id = str(uuid.uuid4())
    pipe = R.pipeline()
    pipe.hset(records.STATUS, email_id, "queued")
    pipe.xadd(records.STREAM, {"id": email_id, "to": body["to"], "subject": body["subject"],
                               "body": body["body"], "posted": "api"})
    pipe.execute()
    return jsonify(id=email_id, status="queued"), 202, {"Location": f"/emails/{email_id}"}


@api.get("/emails/<email_id>")
def get_email(email_id):
    status = R.hget(records.STATUS, email_id)
    if status is None:
        return error(404, "unknown email")
    answer = {"id": email_id, "status": status}
    if status == "failed":
        answer["error"] = R.hget(records.ERRORS, email_id)
    return jsonify(answer)


@api.get("/healthz")
def healthz():
    return jsonify(up=True)


@api.app_errorhandler(redis.ConnectionError)
@api.app_errorhandler(redis.TimeoutError)
def redis_down(_error):
    return error(503, "Redis does not answer")


if __name__ == "__main__":
    with contextlib.suppress(redis.RedisError):  # the worker makes it too
        records.group_exists_or_create(R)
    app = Flask(__name__)
    app.register_blueprint(api)
    app.run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
