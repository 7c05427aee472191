"""When Grade stops taking a learner's work: every class of theirs that dates the lab has
passed its deadline for them (their extension and the late window included), so a grade now
would count nowhere. Such a submission is refused before it is stored or queued; the
learner's draft is untouched, so nothing they wrote is lost. A learner in no class, or in
classes that do not date the lab, is never refused."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from webapp.classes.cohorts import LabDue, due_for
from webapp.classes.deadlines import Standing, as_utc, in_zone
from webapp.models import User, utcnow

SHOWN = "%a %d %b %Y, %H:%M %Z"


class GradingClosed(PermissionError):
    """The learner's deadlines for the lab have all passed; the message says which, for the
    page (HTTP 403)."""


def shown(moment: datetime, zone_name: str) -> str:
    """Fri 04 Dec 2026, 23:59 CET: a UTC time as the class's clock reads it."""
    return in_zone(moment, zone_name).strftime(SHOWN)


def penalty(percent: int) -> str:
    """A late penalty as a learner reads it: "25% off", or "no penalty" for a late window
    that costs nothing (never "0% off")."""
    return f"{percent}% off" if percent else "no penalty"


def closed(dues: Sequence[LabDue], now: datetime) -> bool:
    """True when there is a deadline and none of them takes a submission made at `now`."""
    return bool(dues) and all(d.deadline.standing(now) is Standing.TOO_LATE for d in dues)


def _last_moment(due: LabDue) -> str:
    deadline, zone_name = due.deadline, due.cohort.timezone
    mine = " (your extension)" if due.extended else ""
    if deadline.refuses_late_work:
        return (f"{due.cohort.name} was due {shown(deadline.due_at, zone_name)}{mine} "
                f"and does not accept late work")
    assert deadline.late_until is not None
    return (f"{due.cohort.name} was due {shown(deadline.due_at, zone_name)}{mine} and "
            f"accepted late work until {shown(deadline.late_until, zone_name)}")


def closed_message(dues: Sequence[LabDue]) -> str:
    return ("Grading is closed for this lab: " + "; ".join(_last_moment(d) for d in dues)
            + ". Nothing was submitted; your files stay in your workspace.")


def refuse_if_closed(session: Session, user: User, lab_id: str,
                     now: datetime | None = None) -> None:
    """GradingClosed when a submission of `lab_id` by `user` made `now` would count in none
    of their classes that date the lab."""
    moment = as_utc(now) if now is not None else utcnow()
    dues = due_for(session, user, lab_id)
    if closed(dues, moment):
        raise GradingClosed(closed_message(dues))
