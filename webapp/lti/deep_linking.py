"""Deep linking: an instructor, launched from the LMS's "add an activity" dialog, picks a
lab; archlab answers with a signed LtiDeepLinkingResponse holding one LTI resource link to
that lab (custom lab=<id>, and a line item so the LMS makes its gradebook column)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from labs.spec import Lab
from webapp.lti import claims, keys
from webapp.lti.arrival import LAB_PARAMETER
from webapp.lti.launch import Launch
from webapp.models import LtiPlatform

RESPONSE_LIFETIME_S = 600


@dataclass(frozen=True)
class Request:
    """What archlab must remember between the deep linking launch and the instructor's pick
    (kept in the signed session cookie)."""

    platform_id: int
    deployment_id: str
    return_url: str
    data: str | None

    @classmethod
    def of(cls, launch: Launch) -> Request:
        settings = launch.deep_linking_settings
        data = settings.get("data")
        return cls(launch.platform.id, launch.deployment_id,
                   str(settings["deep_link_return_url"]), None if data is None else str(data))

    def to_session(self) -> dict[str, Any]:
        return {"platform_id": self.platform_id, "deployment_id": self.deployment_id,
                "return_url": self.return_url, "data": self.data}

    @classmethod
    def from_session(cls, value: object) -> Request | None:
        if not isinstance(value, dict):
            return None
        try:
            return cls(int(value["platform_id"]), str(value["deployment_id"]),
                       str(value["return_url"]), value.get("data"))
        except (KeyError, TypeError, ValueError):
            return None


def content_item(lab: Lab, max_score: int, launch_url: str) -> dict[str, Any]:
    return {"type": "ltiResourceLink", "title": lab.title, "url": launch_url,
            "custom": {LAB_PARAMETER: lab.id},
            "lineItem": {"scoreMaximum": max_score, "label": lab.title, "resourceId": lab.id}}


def response_jwt(session: Session, platform: LtiPlatform, request: Request,
                 items: list[dict[str, Any]]) -> str:
    """The LtiDeepLinkingResponse for `items`, signed with the tool's key."""
    now = int(time.time())
    message: dict[str, Any] = {
        "iss": platform.client_id, "aud": platform.issuer, "iat": now,
        "exp": now + RESPONSE_LIFETIME_S, "nonce": secrets.token_urlsafe(16),
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE, claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: request.deployment_id, claims.CONTENT_ITEMS: items,
    }
    if request.data is not None:
        message[claims.DEEP_LINKING_DATA] = request.data
    return keys.sign(session, message)
