"""/api/openapi.json: the OpenAPI description of the site's JSON endpoints."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from webapp.api_spec.spec import openapi
from webapp.grading.service import loadable_labs

bp = Blueprint("api_spec", __name__)


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi(sorted(lab.id for lab in loadable_labs())))
