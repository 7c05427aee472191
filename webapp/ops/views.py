"""/healthz (the process answers: restart it if not), /readyz (its database and queue answer:
send it traffic), /metrics (Prometheus). No login, no session, nothing a learner owns."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from webapp.db import EXTENSION
from webapp.grading.metrics import queue_registry
from webapp.ops.readiness import readiness

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    checks = readiness(current_app)
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.get("/metrics")
def metrics() -> Response:
    shared = queue_registry(current_app.extensions[EXTENSION])
    body = generate_latest(REGISTRY) + generate_latest(shared)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)
