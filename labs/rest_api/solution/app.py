"""Users and orders: the reference REST API of the chapter-4 lab.

Run with `python3 app.py`; it listens on $HOST:$PORT and keeps its data in the PostgreSQL
database at $DATABASE_URL, creating its tables at start-up.
"""

import os

import orders  # noqa: F401  (registers the order routes on the blueprint)
import users  # noqa: F401  (registers the user routes on the blueprint)
from api import api
from db import close_db, create_schema, get_db
from flask import Flask
from problems import Problem
from responses import json_response
from werkzeug.exceptions import HTTPException, MethodNotAllowed

# Flask's own errors (unknown route, wrong method, ...) as the problem kinds of README.md.
FRAMEWORK_PROBLEMS = {400: "malformed-request", 404: "not-found", 405: "method-not-allowed"}


def create_app() -> Flask:
    app = Flask(__name__)
    app.register_blueprint(api)
    app.teardown_appcontext(close_db)

    @app.get("/healthz")
    def healthz():
        get_db().execute("SELECT 1")
        return json_response({"status": "ok"})

    @app.errorhandler(Problem)
    def problem(error: Problem):
        return error.response()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """Flask's own 404/405/... answers, as problem details."""
        status = error.code or 500
        headers = {}
        if isinstance(error, MethodNotAllowed):
            headers["Allow"] = ", ".join(sorted(error.valid_methods or ()))
        kind = FRAMEWORK_PROBLEMS.get(status, "internal-error")
        return Problem(status, kind, error.description or error.name, headers).response()

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        app.logger.exception("unhandled error", exc_info=error)
        return Problem(500, "internal-error", "something went wrong on our side").response()

    return app


if __name__ == "__main__":
    create_schema()
    create_app().run(host=os.environ["HOST"], port=int(os.environ["PORT"]), threaded=True)
