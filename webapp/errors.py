"""Error pages: HTML for people, JSON for /api clients and for scripts that ask for JSON (the
workspace's fetch calls), never a traceback.

Unhandled exceptions reach the HTTPException handler as InternalServerError (Flask logs the
traceback first), so one handler covers every status.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
JSON = "application/json"


def asks_for_json() -> bool:
    """A script's request that prefers JSON to HTML (fetch with Accept: application/json)."""
    return request.accept_mimetypes.best == JSON


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or asks_for_json()


def render_error(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    if wants_json():
        return jsonify(error=error.name, message=error.description, status=code), code
    return render_template("errors/error.html", error=error), code


def csrf_failed(error: CSRFError):  # type: ignore[no-untyped-def]
    error.description = (
        "The form's security token was missing or expired. Reload the page and try again."
    )
    return render_error(error)


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_failed)
    app.register_error_handler(HTTPException, render_error)
