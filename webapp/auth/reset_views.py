"""/password/forgot and /password/reset/<token>: a learner sets a new password from a link.

The link comes by email when the site has an SMTP server, else from an instructor
(/instructor/accounts) or the operator (`archlab users reset-password`). "Forgot" answers
the same page for every email, known or not, so it cannot be used to find accounts.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from webapp.auth import resets
from webapp.auth.accounts import find_by_email
from webapp.auth.forms import ForgotPasswordForm, NewPasswordForm
from webapp.auth.limits import auth_limits
from webapp.auth.mail import MailSettings, compose, send_later
from webapp.auth.views import bp, in_minutes
from webapp.db import get_session
from webapp.models import User

SENT = ("If an account exists for {email}, a link to set a new password is on its way there. "
        "It works once, for {minutes} minutes.")


def mail_link(settings: MailSettings, user: User) -> None:
    lifetime = resets.lifetime(current_app.config)
    token = resets.issue(get_session(), user, lifetime)
    link = settings.link(url_for("auth.reset_password", token=token))
    minutes = int(lifetime.total_seconds() // 60)
    body = (f"Hello {user.display_name},\n\nsomeone (we hope you) asked to reset the password "
            f"of your archlab account {user.email}.\nOpen this link to choose a new one; it "
            f"works once, for {minutes} minutes:\n\n{link}\n\nIf you did not ask, ignore this "
            "mail: your password stays as it is.\n")
    send_later(settings, compose(settings, user.email, "Reset your archlab password", body))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    settings = MailSettings.of(current_app.config)
    form = ForgotPasswordForm()
    if settings is None or not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form, can_mail=settings is not None)
    email, address = form.email.data, request.remote_addr or ""
    wait = auth_limits().reset_mail_wait(email, address)
    if wait:
        form.email.errors.append(f"Too many reset links asked for. Try again in "
                                 f"{in_minutes(wait)} min.")
        return render_template("auth/forgot.html", form=form, can_mail=True), 429
    auth_limits().reset_mail_asked(email, address)
    user = find_by_email(get_session(), email)
    if user is not None:
        mail_link(settings, user)
    minutes = int(resets.lifetime(current_app.config).total_seconds() // 60)
    return render_template("auth/forgot.html", form=form, can_mail=True,
                           sent=SENT.format(email=email, minutes=minutes))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    db = get_session()
    if resets.holder(db, token) is None:
        return render_template("auth/reset.html", form=None), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        if resets.redeem(db, token, form.password.data) is None:  # used meanwhile
            return render_template("auth/reset.html", form=None), 404
        flash("Your password is changed, and every browser logged in with the old one is "
              "logged out. Log in with the new one.")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
