"""/instructor/accounts: find a learner's account and give them a password-reset link.

The instructor never learns or sets the password: the site makes a single-use, expiring link
(the one a reset mail would carry) for the instructor to hand over, and the learner chooses
the new password there. Instructors' own accounts are left to `archlab users`.
"""

from __future__ import annotations

import os

from flask import abort, current_app, g, render_template, request, url_for
from sqlalchemy import func, select

from webapp.auth import resets
from webapp.auth.decorators import role_required
from webapp.classes.teaching import taught_learners, teaches_learner
from webapp.db import get_session
from webapp.instructor.views import bp
from webapp.models import INSTRUCTOR, LEARNER, User

LISTED = 200


def absolute_link(path: str) -> str:
    """`path` on SITE_URL when the operator set it, else on the address the instructor used."""
    base = current_app.config.get("SITE_URL") or os.environ.get("SITE_URL") or request.host_url
    return base.rstrip("/") + path


@bp.get("/accounts")
@role_required(INSTRUCTOR)
def accounts():  # type: ignore[no-untyped-def]
    query = request.args.get("q", "").strip().lower()
    found = select(User).where(User.role == LEARNER).order_by(User.email).limit(LISTED)
    taught = taught_learners(get_session(), g.user)
    if taught is not None:  # an instructor finds the learners of their classes
        found = found.where(User.id.in_(taught))
    if query:
        found = found.where(func.lower(User.email).contains(query, autoescape=True)
                            | func.lower(User.display_name).contains(query, autoescape=True))
    return render_template("instructor/accounts.html", learners=get_session().scalars(found).all(),
                           query=query, limit=LISTED)


@bp.post("/accounts/<int:user_id>/password-reset")
@role_required(INSTRUCTOR)
def password_reset(user_id: int):  # type: ignore[no-untyped-def]
    db = get_session()
    learner = db.get(User, user_id)
    if learner is None:
        abort(404, description="No such account.")
    if learner.role != LEARNER:
        abort(403, description="Instructors reset their own password with the forgot-password "
                               "page or `archlab users reset-password`.")
    if not teaches_learner(db, g.user, learner.id):
        abort(403, description="This learner is in none of the classes you teach.")
    lifetime = resets.lifetime(current_app.config)
    token = resets.issue(db, learner, lifetime)
    return render_template("instructor/reset_link.html", learner=learner,
                           link=absolute_link(url_for("auth.reset_password", token=token)),
                           minutes=int(lifetime.total_seconds() // 60))
