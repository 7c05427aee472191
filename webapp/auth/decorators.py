"""View guards: anonymous users go to the login page; the wrong role gets 403.

A script's request (htmx, or fetch asking for JSON) cannot follow a redirect to a login form:
it would swap the login page into a fragment or fail to parse it. Such requests get 401 with a
JSON reason instead, and htmx is told (HX-Redirect) to take the whole page to the login form.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, abort, g, jsonify, redirect, request, url_for

from webapp.errors import asks_for_json
from webapp.models import INSTRUCTOR, User

LOGIN_FIRST = "You are not logged in (or your session ended): log in and try again."


def is_script_request() -> bool:
    return bool(request.headers.get("HX-Request")) or asks_for_json()


def login_needed() -> Response:
    login = url_for("auth.login", next=request.full_path.rstrip("?"))
    if not is_script_request():
        return redirect(login)
    response = jsonify(error=LOGIN_FIRST, login=url_for("auth.login"))
    response.status_code = 401
    if request.headers.get("HX-Request"):
        response.headers["HX-Redirect"] = url_for("auth.login")
    return response


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(**kwargs: Any) -> Any:
        if g.user is None:
            return login_needed()
        return view(**kwargs)

    return wrapped


def has_role(user: User, role: str) -> bool:
    """An admin has the instructor role too (it teaches every class)."""
    return user.role == role or (role == INSTRUCTOR and user.is_admin)


def role_required(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(**kwargs: Any) -> Any:
            if not has_role(g.user, role):
                abort(403, description=f"This page is for {role}s only.")
            return view(**kwargs)

        return login_required(wrapped)

    return decorator
