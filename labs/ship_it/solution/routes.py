"""The HTTP API. Liveness says only that this process serves; readiness also needs the
database, and turns false as soon as shutdown begins."""

from flask import Flask, jsonify, request
from store import Unavailable

MAX_REPORT_SECONDS = 10


def create_app(settings, store, draining):
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        if draining.is_set():
            return jsonify(status="shutting down"), 503
        store.ping()
        return jsonify(status="ready")

    @app.get("/version")
    def version():
        return jsonify(release=settings.release)

    @app.post("/messages")
    def add_message():
        body = request.get_json(silent=True)
        text = body.get("text") if isinstance(body, dict) else None
        if not isinstance(text, str) or not text.strip():
            return jsonify(error="text must be a non-empty string"), 422
        if len(text) > settings.max_message_length:
            return jsonify(error=f"text is longer than {settings.max_message_length} "
                                 "characters"), 422
        return jsonify(store.add(text)), 201

    @app.get("/messages")
    def list_messages():
        return jsonify(messages=store.all())

    @app.get("/report")
    def report():
        seconds = request.args.get("seconds", type=float)
        if seconds is None or not 0 < seconds <= MAX_REPORT_SECONDS:
            return jsonify(error=f"seconds must be a number in (0, {MAX_REPORT_SECONDS}]"), 422
        return jsonify(messages=store.slow_count(seconds))

    @app.errorhandler(Unavailable)
    def database_unavailable(error):
        return jsonify(status="unavailable", error=f"the database is unreachable: {error}"), 503

    @app.after_request
    def close_while_draining(response):
        if draining.is_set():  # keep-alive clients reconnect to another instance
            response.headers["Connection"] = "close"
        return response

    return app
