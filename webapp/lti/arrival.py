"""What a verified launch does in archlab: the user it signs in as (found or made by the
platform's (issuer, sub)), the resource link it came through (with its course and AGS
endpoints) and the lab that link opens."""

from __future__ import annotations

import hashlib
import secrets
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.classes.cohorts import enrol
from webapp.classes.teaching import add_teacher
from webapp.lti import claims
from webapp.lti.launch import Launch
from webapp.models import (
    INSTRUCTOR,
    LtiAccount,
    LtiContext,
    LtiLearnerLink,
    LtiResourceLink,
    User,
    utcnow,
)

LAB_PARAMETER = "lab"  # custom parameter naming the lab: lab=<lab id>


def user_for(session: Session, launch: Launch) -> User:
    """The archlab user linked to (issuer, sub), made on their first launch.

    A new user gets an address under .invalid (never an email we could send to or that a
    registration could claim) and an unusable password: they sign in through the LMS only.
    An Instructor (or content developer, administrator) launch makes them an instructor;
    a later learner launch does not take that back.
    """
    user, _ = account_user(session, launch.platform.issuer, launch.sub, launch.name)
    if launch.is_instructor and not user.is_instructor:  # never demotes an admin
        user.role = INSTRUCTOR
    session.commit()
    return user


def account_user(session: Session, issuer: str, sub: str, name: str) -> tuple[User, bool]:
    """The user of the platform's (issuer, sub), made now if new (no commit); True when made.
    Its display name follows the platform's."""
    account = session.scalar(select(LtiAccount).where(LtiAccount.issuer == issuer,
                                                      LtiAccount.sub == sub))
    if account is not None:
        user = session.get(User, account.user_id)
        assert user is not None  # the account's foreign key cascades
        user.display_name = name
        return user, False
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:20]
    host = urlsplit(issuer).hostname or "lms"
    user = User(email=f"lti-{digest}@{host}.invalid", display_name=name)
    user.set_password(secrets.token_urlsafe(32))
    session.add(user)
    session.flush()
    session.add(LtiAccount(issuer=issuer, sub=sub, user_id=user.id))
    return user, True


def resource_link_for(session: Session, launch: Launch) -> LtiResourceLink:
    """The launch's resource link, recorded or brought up to date (title, course, AGS
    endpoints, and the lab when the link carries custom lab=<id>)."""
    link_id = str(launch.resource_link["id"])
    link = session.scalar(select(LtiResourceLink).where(
        LtiResourceLink.platform_id == launch.platform.id,
        LtiResourceLink.resource_link_id == link_id))
    if link is None:
        link = LtiResourceLink(platform_id=launch.platform.id, resource_link_id=link_id,
                               ags_scopes="")
        session.add(link)
    link.deployment_id = launch.deployment_id
    link.title = _text(launch.resource_link.get("title"))
    link.context_id = _text(launch.context.get("id"))
    link.context_title = _text(launch.context.get("title") or launch.context.get("label"))
    custom_lab = _text(launch.custom.get(LAB_PARAMETER))
    if custom_lab:
        link.lab_id = custom_lab
    ags = launch.ags
    link.lineitem_url = _text(ags.get("lineitem")) or link.lineitem_url
    link.lineitems_url = _text(ags.get("lineitems"))
    scopes = ags.get("scope")
    link.ags_scopes = " ".join(str(s) for s in scopes) if isinstance(scopes, list) else ""
    link.updated_at = utcnow()
    session.commit()
    return link


def learner_link(session: Session, user: User, link: LtiResourceLink
                 ) -> LtiLearnerLink | None:
    """The record of `user` coming through `link`, if they did."""
    return session.scalar(select(LtiLearnerLink).where(LtiLearnerLink.user_id == user.id,
                                                       LtiLearnerLink.resource_link_id
                                                       == link.id))


def link_learner(session: Session, user: User, link: LtiResourceLink, sub: str) -> None:
    """Remember that `user` came through `link`: their grades of its lab go back through it."""
    found = learner_link(session, user, link)
    if found is None:
        session.add(LtiLearnerLink(user_id=user.id, resource_link_id=link.id, sub=sub))
    else:
        found.launched_at = utcnow()
    session.commit()


def context_for(session: Session, launch: Launch, user: User) -> LtiContext | None:
    """The LMS course of the launch, recorded (or its title updated); a learner launching
    from a course mapped to a class is enrolled in that class, an instructor teaches it."""
    context_id = _text(launch.context.get("id"))
    if context_id is None:
        return None
    context = session.scalar(select(LtiContext).where(
        LtiContext.platform_id == launch.platform.id, LtiContext.context_id == context_id))
    if context is None:
        context = LtiContext(platform_id=launch.platform.id, context_id=context_id)
        session.add(context)
    context.title = _text(launch.context.get("title") or launch.context.get("label"))
    context.memberships_url = (_text(launch.nrps.get("context_memberships_url"))
                               or context.memberships_url)
    if context.cohort is not None and user.is_instructor:
        add_teacher(session, context.cohort, user)  # the LMS says they teach the course
    elif context.cohort is not None:
        enrol(session, context.cohort, user)
    session.commit()
    return context


def can_pass_back(link: LtiResourceLink) -> bool:
    """The platform let archlab post scores for this link."""
    return claims.SCORE_SCOPE in link.ags_scopes.split() and bool(
        link.lineitem_url or link.lineitems_url)


def _text(value: object) -> str | None:
    text = "" if value is None else str(value).strip()
    return text[:500] or None
