"""Registering an LMS (an LTI 1.3 platform): shared by the instructor page and
`archlab lti add-platform`."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from webapp.models import (
    LtiContext,
    LtiDeployment,
    LtiLearnerLink,
    LtiPlatform,
    LtiResourceLink,
    Teaching,
    User,
)


class RegistrationError(ValueError):
    """The platform cannot be registered as given; the message names the field."""


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def secure_url(url: str) -> bool:
    """An https URL, or plain http to this machine (a platform on a laptop, the tests')."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


@dataclass(frozen=True)
class Registration:
    """What the LMS's admin page shows for archlab's registration."""

    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: tuple[str, ...]

    def problems(self) -> list[str]:
        found = []
        for field in ("name", "issuer", "client_id"):
            if not getattr(self, field).strip():
                found.append(f"{field}: required")
        for field in ("issuer", "auth_login_url", "auth_token_url", "jwks_url"):
            if not secure_url(getattr(self, field).strip()):
                found.append(f"{field}: expected an https:// URL, got {getattr(self, field)!r}")
        if not [d for d in self.deployment_ids if d.strip()]:
            found.append("deployment_ids: give at least one deployment id")
        return found


def add_platform(session: Session, registration: Registration) -> LtiPlatform:
    """Store the platform and its deployments; RegistrationError for a bad field or an
    (issuer, client_id) already registered."""
    problems = registration.problems()
    if problems:
        raise RegistrationError("; ".join(problems))
    platform = LtiPlatform(
        name=registration.name.strip(), issuer=registration.issuer.strip(),
        client_id=registration.client_id.strip(),
        auth_login_url=registration.auth_login_url.strip(),
        auth_token_url=registration.auth_token_url.strip(),
        jwks_url=registration.jwks_url.strip(),
        deployments=[LtiDeployment(deployment_id=d.strip())
                     for d in dict.fromkeys(registration.deployment_ids) if d.strip()],
    )
    session.add(platform)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise RegistrationError(f"issuer {platform.issuer} with client_id {platform.client_id} "
                                "is already registered") from exc
    return platform


def all_platforms(session: Session) -> list[LtiPlatform]:
    return list(session.scalars(select(LtiPlatform).options(selectinload(LtiPlatform.deployments))
                                .order_by(LtiPlatform.id)))


def all_contexts(session: Session, viewer: User | None = None) -> list[LtiContext]:
    """Every LMS course that launched into archlab, with its platform and class; for a
    `viewer` who is no admin, only the courses mapped to classes they teach and the courses
    mapped to none that they came from (an LMS course is its instructors' to map)."""
    query = select(LtiContext).options(
        selectinload(LtiContext.platform), selectinload(LtiContext.cohort))
    if viewer is not None and not viewer.is_admin:
        taught = select(Teaching.cohort_id).where(Teaching.user_id == viewer.id)
        query = query.where(LtiContext.cohort_id.in_(taught) | (
            LtiContext.cohort_id.is_(None) & launched_by(viewer.id)))
    return list(session.scalars(query.order_by(LtiContext.platform_id, LtiContext.title)))


def launched_by(user_id: int) -> ColumnElement[bool]:
    """The LMS course is one that user `user_id` came from, through any of its links."""
    return exists().where(LtiLearnerLink.user_id == user_id,
                          LtiLearnerLink.resource_link_id == LtiResourceLink.id,
                          LtiResourceLink.platform_id == LtiContext.platform_id,
                          LtiResourceLink.context_id == LtiContext.context_id)


def launched_from(session: Session, user_id: int, context: LtiContext) -> bool:
    return session.scalar(select(LtiContext.id).where(
        LtiContext.id == context.id, launched_by(user_id))) is not None


def find_platform(session: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The platform registered for `issuer` (and `client_id` when the platform sent one);
    None when there is none, or several and no client_id tells them apart."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(session.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def has_deployment(platform: LtiPlatform, deployment_id: str) -> bool:
    return any(d.deployment_id == deployment_id for d in platform.deployments)
