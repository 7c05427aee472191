"""Users and orders: the reference REST API of the chapter-4 lab.

Run with `python3 app.py`; it listens on $HOST:$PORT (default 0.0.0.0) and keeps its data in the
PostgreSQL database at $DATABASE_URL, creating its tables at start-up.
"""

import os

import orders  # noqa: F401  (registers the order routes on the blueprint)
import users  # noqa: F401  (registers the user routes on the blueprint)
from api import api
from db import close_db, create_schema, get_db
from envelope import ApiError, ok
from flask import Flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed


def create_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(api)
    app.teardown_appcontext(close_db)

    @app.get("/healthz")
    def healthz():
        get_db().execute("SELECT 1")
        return ok({"status": "ok"})

    @app.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error.response()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Flask's own 404/405/... answers, in the envelope."""
        headers = {}
        code = (error.name or "error").lower().replace(" ", "_")
        if isinstance(error, MethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
        return ApiError(error.code or 500, code, error.description or error.name,
                        headers=headers).response()

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return ApiError(500, "internal_error", "something went wrong on our side").response()

    return app


if __name__ == "__main__":
    create_schema()
    create_app().run(host=os.environ.get("HOST", "0.0.0.0"),
                     port=int(os.environ.get("PORT", "8000")), threaded=True)
