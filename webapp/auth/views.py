"""/register, /login, /logout (this browser or all of them); the logged-in user is loaded
into g.user for every request."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from webapp.auth import logins
from webapp.auth.accounts import AccountError, authenticate, create_user
from webapp.auth.decorators import login_required
from webapp.auth.forms import LoginForm, RegisterForm
from webapp.auth.limits import auth_limits
from webapp.db import get_session
from webapp.models import User

bp = Blueprint("auth", __name__)
UNSAFE_IN_NEXT = re.compile(r"[\x00-\x20\x7f\\]")


@bp.before_app_request
def load_logged_in_user() -> None:
    g.user = None
    if "user_id" in session:
        g.user = logins.user_of(get_session(), session["user_id"], session.get("login"),
                                logins.Lifetimes.of(current_app.config))
        if g.user is None:  # logged out (here or everywhere), lapsed, or from before logins
            session.clear()


def safe_next(target: str | None) -> str:
    """Only same-site paths may be a redirect target after login (no open redirect).

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so a slash, a
    tab and "/evil.example" mean //evil.example, another site: any whitespace, control
    character or backslash is refused.
    """
    if (target and target.startswith("/") and not target.startswith("//")
            and not UNSAFE_IN_NEXT.search(target) and not urlsplit(target).netloc):
        return target
    return url_for("course.home")


def log_in(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation of a pre-login session
    session["user_id"] = user.id
    session["login"] = logins.start(get_session(), user, logins.Lifetimes.of(current_app.config))


def in_minutes(seconds: int) -> int:
    return -(-seconds // 60)


@bp.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm()
    if form.validate_on_submit():
        address = request.remote_addr or ""
        wait = auth_limits().register_wait(address)
        if wait:
            form.email.errors.append(f"Too many new accounts from your address. "
                                     f"Try again in {in_minutes(wait)} min.")
            return render_template("auth/register.html", form=form), 429
        auth_limits().registered(address)
        try:
            user = create_user(
                get_session(), form.email.data, form.display_name.data, form.password.data
            )
        except AccountError:
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            log_in(user)
            flash(f"Welcome, {user.display_name}! Your progress is saved from now on.")
            return redirect(url_for("course.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr or ""
        wait = auth_limits().login_wait(email, address)
        if wait:
            message = f"Too many failed logins. Try again in {in_minutes(wait)} min."
            return render_template("auth/login.html", form=form, error=message), 429
        user = authenticate(get_session(), email, form.password.data)
        if user is not None:
            auth_limits().login_succeeded(email, address)
            log_in(user)
            return redirect(safe_next(request.args.get("next")))
        auth_limits().login_failed(email, address)
        return render_template("auth/login.html", form=form, error="Wrong email or password.")
    return render_template("auth/login.html", form=form, error=None)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    logins.end(get_session(), session.get("login"))
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("course.home"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():  # type: ignore[no-untyped-def]
    """End every login of this user: for a lost laptop or a cookie that may have leaked."""
    ended = logins.end_all(get_session(), g.user)
    session.clear()
    flash(f"You are logged out on every browser ({ended} login{'s' if ended != 1 else ''} ended).")
    return redirect(url_for("auth.login"))
