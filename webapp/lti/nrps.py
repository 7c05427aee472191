"""Names and Role Provisioning Services 2.0: read an LMS course's members from its
context_memberships_url (every page, following Link rel="next") and enrol its active
learners in the class the course maps to, making their accounts as a first launch would, so
a class's roster is whole before anyone launches. Instructors of the course are left out.

The sync also takes out of the class the learners of that LMS who are no longer active
members of the course (dropped, or Inactive): their submissions and grades stay, they just
stop being in the class. Learners who joined otherwise (join code, CSV, another LMS) stay;
so does a learner active in another course of the same LMS that maps to the class too."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.classes.cohorts import enrol
from webapp.lti import claims
from webapp.lti.ags import AgsClient, PassbackError
from webapp.lti.arrival import account_user
from webapp.models import Enrollment, LtiAccount, LtiContext, LtiPlatform, User

MAX_PAGES = 100  # a platform that links pages in a loop stops here


class RosterSyncError(Exception):
    """The roster could not be read; the message says from where and why."""


@dataclass(frozen=True)
class Member:
    sub: str
    name: str
    roles: tuple[str, ...]
    active: bool

    @property
    def is_instructor(self) -> bool:
        return bool(claims.INSTRUCTOR_ROLES.intersection(self.roles))


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)  # display names
    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # left the class: gone from the course
    skipped: int = 0  # instructors, inactive members, entries without a user_id
    kept_because: str | None = None  # why nobody was removed, when the sync could not tell

    @property
    def added(self) -> int:
        return len(self.created) + len(self.enrolled)


def _member(entry: Any) -> Member | None:
    if not isinstance(entry, dict) or not str(entry.get("user_id") or "").strip():
        return None
    roles = entry.get("roles") if isinstance(entry.get("roles"), list) else []
    name = str(entry.get("name") or " ".join(
        str(entry.get(part) or "") for part in ("given_name", "family_name")).strip()
        or entry["user_id"])
    return Member(str(entry["user_id"]).strip(), name[:100], tuple(str(r) for r in roles),
                  entry.get("status", "Active") == "Active")


def members(client: AgsClient, url: str) -> list[Member | None]:
    """Every entry of the membership container at `url` and its next pages (None for an
    entry without a user_id)."""
    found: list[Member | None] = []
    next_url: str | None = url
    for _ in range(MAX_PAGES):
        if next_url is None:
            return found
        response = client.get(next_url, claims.MEMBERSHIPS_TYPE)
        try:
            body = response.json()
        except ValueError as exc:
            raise RosterSyncError(f"{next_url} answered something other than JSON") from exc
        entries = body.get("members") if isinstance(body, dict) else None
        if not isinstance(entries, list):
            raise RosterSyncError(f"{next_url} answered without a members list")
        found.extend(_member(entry) for entry in entries)
        following = response.links.get("next", {}).get("url")
        next_url = str(httpx.URL(next_url).join(following)) if following else None
    raise RosterSyncError(f"{url} has more than {MAX_PAGES} pages of members")


def sync_roster(session: Session, context: LtiContext,
                http: httpx.Client | None = None) -> SyncReport:
    """Enrol the course's active learners in its class and take out of it the learners of
    this LMS who are no longer active in any of its courses mapped to the class;
    RosterSyncError saying why not."""
    if context.cohort is None:
        raise RosterSyncError("the course maps to no class: choose its class first")
    if not context.memberships_url:
        raise RosterSyncError("no launch from this course has given its memberships URL "
                              "(the LMS must offer Names and Role Provisioning to archlab)")
    report = SyncReport()
    # the other courses of this LMS (its issuer: the accounts' namespace) mapped to the class
    siblings = list(session.scalars(
        select(LtiContext).join(LtiPlatform, LtiPlatform.id == LtiContext.platform_id)
        .where(LtiPlatform.issuer == context.platform.issuer,
               LtiContext.cohort_id == context.cohort_id, LtiContext.id != context.id)))
    clients: dict[int, AgsClient] = {}  # one token per platform

    def client(course: LtiContext) -> AgsClient:
        if course.platform_id not in clients:
            clients[course.platform_id] = AgsClient(session, course.platform, http,
                                                    scopes=(claims.NRPS_SCOPE,))
        return clients[course.platform_id]

    try:
        found = members(client(context), context.memberships_url)
        staying = _active(found)
        for sibling in siblings:
            if not sibling.memberships_url:
                report.kept_because = (f"{sibling.title or sibling.context_id} maps to the "
                                       "class too and has given no memberships URL")
                break
            staying |= _active(members(client(sibling), sibling.memberships_url))
    except PassbackError as exc:
        raise RosterSyncError(str(exc)) from exc
    for member in found:
        if member is None or member.is_instructor or not member.active:
            report.skipped += 1
            continue
        user, made = account_user(session, context.platform.issuer, member.sub, member.name)
        added = enrol(session, context.cohort, user)
        (report.created if made else report.enrolled if added else report.already).append(
            member.name)
    if report.kept_because is None:
        report.removed = _remove_absent(session, context, staying)
    session.commit()
    return report


def _active(found: list[Member | None]) -> set[str]:
    return {member.sub for member in found if member is not None and member.active}


def _remove_absent(session: Session, context: LtiContext, staying: set[str]) -> list[str]:
    """Take out of the course's class its members with an account of this LMS whose sub is
    not in `staying` (no commit); their display names."""
    assert context.cohort is not None
    gone = session.execute(
        select(Enrollment, User.display_name)
        .join(User, User.id == Enrollment.user_id)
        .join(LtiAccount, LtiAccount.user_id == Enrollment.user_id)
        .where(Enrollment.cohort_id == context.cohort.id,
               LtiAccount.issuer == context.platform.issuer,
               LtiAccount.sub.not_in(staying))
        .order_by(User.display_name)).all()
    for enrollment, _ in gone:
        session.delete(enrollment)
    return [name for _, name in gone]
