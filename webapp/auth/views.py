"""/register, /login, /logout; the logged-in user is loaded into g.user for every request."""

from __future__ import annotations

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

from webapp.auth.accounts import AccountError, create_user, find_by_email
from webapp.auth.forms import LoginForm, RegisterForm
from webapp.auth.throttle import LoginThrottle
from webapp.db import get_session
from webapp.models import User

bp = Blueprint("auth", __name__)
THROTTLE = "archlab_login_throttle"


@bp.before_app_request
def load_logged_in_user() -> None:
    user_id = session.get("user_id")
    g.user = get_session().get(User, user_id) if user_id is not None else None


def safe_next(target: str | None) -> str:
    """Only same-site paths may be a redirect target after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return url_for("course.home")


def log_in(user: User) -> None:
    session.clear()  # a fresh session on login: no fixation of a pre-login session
    session["user_id"] = user.id


def throttle() -> LoginThrottle:
    return current_app.extensions.setdefault(THROTTLE, LoginThrottle())


@bp.route("/register", methods=["GET", "POST"])
def register():  # type: ignore[no-untyped-def]
    form = RegisterForm()
    if form.validate_on_submit():
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
        key = (form.email.data, request.remote_addr or "")
        wait = throttle().retry_after(key)
        if wait:
            minutes = -(-wait // 60)
            message = f"Too many failed logins for this email. Try again in {minutes} min."
            return render_template("auth/login.html", form=form, error=message), 429
        user = find_by_email(get_session(), form.email.data)
        if user is not None and user.check_password(form.password.data):
            throttle().succeeded(key)
            log_in(user)
            return redirect(safe_next(request.args.get("next")))
        throttle().failed(key)
        return render_template("auth/login.html", form=form, error="Wrong email or password.")
    return render_template("auth/login.html", form=form, error=None)


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("course.home"))
