"""The email API: `python3 app.py`.

POST /emails records the email, queues it on the Redis stream and answers 202 at once with
where to watch it; worker.py does the slow sending. While Redis does not answer, or the
backlog is full, the API says 503 quickly instead of hanging or piling up work.
"""

import logging
import os

import redis
from emails import BacklogFull, Emails, validation_problem
from flask import Flask, jsonify, request
from queue_config import API_TIMEOUT_S, Config, connect, ensure_group

RETRY_AFTER_S = 2


def problem(status, error, detail):
    response = jsonify(error=error, detail=detail)
    response.status_code = status
    return response


def create_app(emails):
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.post("/emails")
    def submit():
        body = request.get_json(silent=True)
        wrong = validation_problem(body)
        if wrong:
            return problem(400, "bad_request", wrong)
        try:
            email_id = emails.submit(body)
        except BacklogFull as full:
            response = problem(503, "backlog_full", str(full))
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
            return response
        response = jsonify(id=email_id, status="queued")
        response.status_code = 202
        response.headers["Location"] = f"/emails/{email_id}"
        return response

    @app.get("/emails/<email_id>")
    def show(email_id):
        email = emails.get(email_id)
        if email is None:
            return problem(404, "not_found", f"no email {email_id}")
        return jsonify(email)

    @app.errorhandler(redis.RedisError)
    def redis_unavailable(error):
        app.logger.warning("redis: %s", error)
        return problem(503, "queue_unavailable", "the queue does not answer; try again soon")

    return app


def main():
    logging.basicConfig(level=logging.INFO, format="api %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    config = Config.from_env()
    client = connect(config.redis_url, API_TIMEOUT_S)
    try:
        ensure_group(client)
    except redis.RedisError as error:  # the worker creates it too; serve anyway
        logging.warning("could not create the consumer group yet: %s", error)
    create_app(Emails(client, config.backlog_limit)).run(
        host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")),
        threaded=True)


if __name__ == "__main__":
    main()
