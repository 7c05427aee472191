"""Assignment and Grade Services 2.0 client: an OAuth2 access token got with a client
assertion signed by the tool's key (RFC 7523), the line item of a link (made per lab when the
platform gave only its line items container) and a score posted to it."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session

from webapp.classes.deadlines import as_utc
from webapp.lti import claims, keys
from webapp.models import LtiPlatform, LtiResourceLink

TIMEOUT_S = 10
ASSERTION_LIFETIME_S = 300


class PassbackError(Exception):
    """The platform did not take the score; the message says which request failed and why."""


@dataclass(frozen=True)
class Score:
    """One learner's grade of one lab, as AGS's score service wants it."""

    user_id: str  # the platform's sub
    given: float
    maximum: float
    timestamp: datetime

    def body(self) -> dict[str, Any]:
        return {
            "userId": self.user_id, "scoreGiven": self.given, "scoreMaximum": self.maximum,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": as_utc(self.timestamp).isoformat(timespec="milliseconds"),
        }


def _answer(response: httpx.Response, what: str) -> httpx.Response:
    if response.is_success:
        return response
    raise PassbackError(f"{what} answered {response.status_code}: {response.text[:300]}")


def scores_url(lineitem: str) -> str:
    """The line item's scores endpoint: /scores after its path, its query kept."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class AgsClient:
    """Talks AGS to one platform for one batch of passbacks (one access token)."""

    def __init__(self, session: Session, platform: LtiPlatform,
                 http: httpx.Client | None = None,
                 scopes: tuple[str, ...] = (claims.SCORE_SCOPE, claims.LINEITEM_SCOPE)) -> None:
        self.session, self.platform, self.scopes = session, platform, scopes
        self.http = http or httpx.Client(timeout=TIMEOUT_S)
        self._token: str | None = None

    def token(self) -> str:
        """An access token for the client's scopes (asked once per client): AGS's score and
        line item scopes unless told otherwise (NRPS asks for its own)."""
        if self._token is None:
            now = int(time.time())
            assertion = keys.sign(self.session, {
                "iss": self.platform.client_id, "sub": self.platform.client_id,
                "aud": self.platform.auth_token_url, "iat": now,
                "exp": now + ASSERTION_LIFETIME_S, "jti": secrets.token_urlsafe(16)})
            try:
                response = self.http.post(self.platform.auth_token_url, data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": claims.ASSERTION_TYPE,
                    "client_assertion": assertion,
                    "scope": " ".join(self.scopes)})
            except httpx.HTTPError as exc:
                raise PassbackError(f"the token endpoint {self.platform.auth_token_url} "
                                    f"could not be reached: {exc}") from exc
            body = _answer(response, f"the token endpoint {self.platform.auth_token_url}").json()
            if not isinstance(body, dict) or not body.get("access_token"):
                raise PassbackError("the token endpoint answered without an access_token")
            self._token = str(body["access_token"])
        return self._token

    def get(self, url: str, accept: str) -> httpx.Response:
        return self._send("GET", url, headers={"Accept": accept})

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token()}", **kwargs.pop("headers", {})}
        try:
            response = self.http.request(method, url, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            raise PassbackError(f"{method} {url} could not be sent: {exc}") from exc
        return _answer(response, f"{method} {url}")

    def lineitem(self, link: LtiResourceLink, label: str, maximum: float) -> str:
        """The link's line item: the one the launch named, else the container's item for this
        link and lab, made now if there is none (and remembered on the link)."""
        if link.lineitem_url:
            return link.lineitem_url
        if not link.lineitems_url or not link.lab_id:
            raise PassbackError("the launch gave no line item and no line items URL")
        found = self._send("GET", link.lineitems_url,
                           params={"resource_link_id": link.resource_link_id,
                                   "resource_id": link.lab_id},
                           headers={"Accept": claims.LINEITEMS_TYPE}).json()
        items = [item for item in found if isinstance(item, dict) and item.get("id")] \
            if isinstance(found, list) else []
        if not items:
            made = self._send("POST", link.lineitems_url, content=_json({
                "label": label, "scoreMaximum": maximum, "resourceId": link.lab_id,
                "resourceLinkId": link.resource_link_id, "tag": "archlab"}),
                headers={"Content-Type": claims.LINEITEM_TYPE,
                         "Accept": claims.LINEITEM_TYPE}).json()
            items = [made] if isinstance(made, dict) and made.get("id") else []
        if not items:
            raise PassbackError(f"{link.lineitems_url} made no line item with an id")
        link.lineitem_url = str(items[0]["id"])
        self.session.commit()
        return link.lineitem_url

    def post_score(self, lineitem: str, score: Score) -> None:
        self._send("POST", scores_url(lineitem), content=_json(score.body()),
                   headers={"Content-Type": claims.SCORE_TYPE})


def _json(value: dict[str, Any]) -> bytes:
    return json.dumps(value).encode()
