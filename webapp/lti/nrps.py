"""Names and Role Provisioning Services 2.0: read an LMS course's members from its
context_memberships_url (every page, following Link rel="next") and enrol its active
learners in the class the course maps to, making their accounts as a first launch would, so
a class's roster is whole before anyone launches. Instructors of the course are left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.orm import Session

from webapp.classes.cohorts import enrol
from webapp.lti import claims
from webapp.lti.ags import AgsClient, PassbackError
from webapp.lti.arrival import account_user
from webapp.models import LtiContext

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
    skipped: int = 0  # instructors, inactive members, entries without a user_id


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
    """Enrol the course's active learners in its class; RosterSyncError saying why not."""
    if context.cohort is None:
        raise RosterSyncError("the course maps to no class: choose its class first")
    if not context.memberships_url:
        raise RosterSyncError("no launch from this course has given its memberships URL "
                              "(the LMS must offer Names and Role Provisioning to archlab)")
    client = AgsClient(session, context.platform, http, scopes=(claims.NRPS_SCOPE,))
    try:
        found = members(client, context.memberships_url)
    except PassbackError as exc:
        raise RosterSyncError(str(exc)) from exc
    report = SyncReport()
    for member in found:
        if member is None or member.is_instructor or not member.active:
            report.skipped += 1
            continue
        user, made = account_user(session, context.platform.issuer, member.sub, member.name)
        added = enrol(session, context.cohort, user)
        (report.created if made else report.enrolled if added else report.already).append(
            member.name)
    session.commit()
    return report
