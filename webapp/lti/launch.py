"""The LTI 1.3 launch: OIDC login initiation (state and nonce), then the id_token the
platform posts back, checked claim by claim. Every refusal is a LaunchError whose message
says what was wrong in the LMS's terms, for the error page."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from webapp.lti import claims
from webapp.lti.platforms import find_platform, has_deployment
from webapp.models import LtiLoginState, LtiPlatform, utcnow

STATE_TTL = timedelta(minutes=10)  # from login initiation to the id_token's arrival
CLOCK_LEEWAY_S = 60  # clocks of the LMS and archlab may differ this much
JWKS_TIMEOUT_S = 5
JWKS_LIFESPAN_S = 300
STATE_COOKIE_PREFIX = "lti-state-"


class LaunchError(Exception):
    """A login or launch archlab refuses; `str()` says why, for the person who launched."""


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's auth endpoint with our request
    state: str  # also set as this browser's cookie


@dataclass(frozen=True)
class Launch:
    """A verified launch (a resource link, or deep linking): who launched what, from where."""

    platform: LtiPlatform
    token: dict[str, Any] = field(repr=False)

    @property
    def sub(self) -> str:
        return str(self.token["sub"])

    @property
    def deployment_id(self) -> str:
        return str(self.token[claims.DEPLOYMENT_ID])

    @property
    def roles(self) -> list[str]:
        roles = self.token.get(claims.ROLES) or []
        return [str(role) for role in roles] if isinstance(roles, list) else []

    @property
    def is_instructor(self) -> bool:
        return bool(claims.INSTRUCTOR_ROLES.intersection(self.roles))

    @property
    def name(self) -> str:
        for key in ("name", "given_name"):
            value = self.token.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:100]
        return f"LMS user {self.sub[:12]}"

    def _object(self, claim: str) -> dict[str, Any]:
        value = self.token.get(claim)
        return value if isinstance(value, dict) else {}

    @property
    def resource_link(self) -> dict[str, Any]:
        return self._object(claims.RESOURCE_LINK)

    @property
    def context(self) -> dict[str, Any]:
        return self._object(claims.CONTEXT)

    @property
    def custom(self) -> dict[str, Any]:
        return self._object(claims.CUSTOM)

    @property
    def ags(self) -> dict[str, Any]:
        return self._object(claims.AGS_ENDPOINT)

    @property
    def nrps(self) -> dict[str, Any]:
        """The Names and Role Provisioning Service claim: context_memberships_url."""
        return self._object(claims.NRPS_SERVICE)

    @property
    def deep_linking(self) -> bool:
        return self.token.get(claims.MESSAGE_TYPE) == claims.DEEP_LINKING_REQUEST

    @property
    def deep_linking_settings(self) -> dict[str, Any]:
        return self._object(claims.DEEP_LINKING_SETTINGS)


def begin_login(session: Session, params: dict[str, str], launch_url: str,
                site_host: str) -> LoginRedirect:
    """Answer a platform's third-party login initiation: a fresh state and nonce, and the URL
    of the platform's auth endpoint to send the browser to."""
    for name in ("iss", "login_hint", "target_link_uri"):
        if not params.get(name):
            raise LaunchError(f"The LMS started a login without the {name} parameter.")
    platform = find_platform(session, params["iss"], params.get("client_id"))
    if platform is None:
        raise LaunchError(f"No LMS with issuer {params['iss']}"
                          + (f" and client_id {params['client_id']}" if params.get("client_id")
                             else "")
                          + " is registered in archlab: an instructor adds it under LTI.")
    if urlsplit(params["target_link_uri"]).netloc != site_host:
        raise LaunchError(f"The LMS asked to launch {params['target_link_uri']}, "
                          f"which is not on this site ({site_host}).")
    deployment = params.get("lti_deployment_id")
    if deployment and not has_deployment(platform, deployment):
        raise LaunchError(unknown_deployment(platform, deployment))
    session.execute(delete(LtiLoginState).where(LtiLoginState.created_at
                                                < utcnow() - timedelta(days=1)))
    state = LtiLoginState(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                          platform_id=platform.id)
    session.add(state)
    session.commit()
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": platform.client_id, "redirect_uri": launch_url,
        "login_hint": params["login_hint"], "state": state.state, "nonce": state.nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return LoginRedirect(platform.auth_login_url + separator + urlencode(query), state.state)


def unknown_deployment(platform: LtiPlatform, deployment: str) -> str:
    return (f"The deployment {deployment!r} of {platform.name} is not registered in archlab "
            f"(registered: {', '.join(d.deployment_id for d in platform.deployments)}).")


def _consume_state(session: Session, state: str) -> LtiLoginState:
    """Mark the login state used (once only, while fresh) and return it."""
    now = utcnow()
    used = session.execute(
        update(LtiLoginState)
        .where(LtiLoginState.state == state, LtiLoginState.used_at.is_(None),
               LtiLoginState.created_at > now - STATE_TTL)
        .values(used_at=now))
    session.commit()
    row = session.get(LtiLoginState, state)
    if row is None:
        raise LaunchError("This launch does not come from a login archlab started "
                          "(unknown state). Launch again from the LMS.")
    if used.rowcount != 1:  # type: ignore[attr-defined]
        if row.used_at is not None:
            raise LaunchError("This launch was already used: its state and nonce are "
                              "single-use. Launch again from the LMS.")
        raise LaunchError("This launch took longer than "
                          f"{int(STATE_TTL.total_seconds() // 60)} minutes. "
                          "Launch again from the LMS.")
    return row


_jwks_clients: dict[str, jwt.PyJWKClient] = {}
_jwks_lock = threading.Lock()


def _jwks_client(url: str) -> jwt.PyJWKClient:
    """One caching JWKS client per platform URL (keys refetched when a new kid appears)."""
    with _jwks_lock:
        if url not in _jwks_clients:
            _jwks_clients[url] = jwt.PyJWKClient(url, lifespan=JWKS_LIFESPAN_S,
                                                 timeout=JWKS_TIMEOUT_S)
        return _jwks_clients[url]


def _signing_key(platform: LtiPlatform, id_token: str) -> Any:
    try:
        return _jwks_client(platform.jwks_url).get_signing_key_from_jwt(id_token).key
    except jwt.exceptions.DecodeError as exc:
        raise LaunchError(f"The id_token is not a valid JWT ({exc}).") from exc
    except jwt.PyJWKClientConnectionError as exc:
        raise LaunchError(f"archlab could not fetch the keys of {platform.name} from "
                          f"{platform.jwks_url}: {exc}") from exc
    except jwt.PyJWKClientError as exc:
        raise LaunchError(f"The id_token is signed with a key {platform.name} does not publish "
                          f"at {platform.jwks_url} ({exc}).") from exc


def _decode(platform: LtiPlatform, id_token: str) -> dict[str, Any]:
    key = _signing_key(platform, id_token)
    try:
        token = jwt.decode(
            id_token, key, algorithms=["RS256"], audience=platform.client_id,
            issuer=platform.issuer, leeway=CLOCK_LEEWAY_S,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]})
    except jwt.ExpiredSignatureError as exc:
        raise LaunchError("The id_token has expired: launch again from the LMS (or check "
                          "that the clocks of the LMS and archlab agree).") from exc
    except jwt.InvalidAudienceError as exc:
        raise LaunchError(f"The id_token is addressed to another tool: its aud is not "
                          f"archlab's client_id {platform.client_id!r}.") from exc
    except jwt.InvalidIssuerError as exc:
        raise LaunchError(f"The id_token's iss is not {platform.issuer}.") from exc
    except jwt.InvalidSignatureError as exc:
        raise LaunchError(f"The id_token's signature does not verify with the key "
                          f"{platform.name} publishes at {platform.jwks_url}.") from exc
    except jwt.MissingRequiredClaimError as exc:
        raise LaunchError(f"The id_token lacks the {exc.claim} claim.") from exc
    except jwt.InvalidTokenError as exc:
        raise LaunchError(f"The id_token is invalid: {exc}.") from exc
    audience = token["aud"]
    if isinstance(audience, list) and len(audience) > 1 and token.get("azp") != platform.client_id:
        raise LaunchError(f"The id_token names several audiences and its azp is not "
                          f"archlab's client_id {platform.client_id!r}.")
    return token


def validate_launch(session: Session, form: dict[str, str], cookies: dict[str, str]) -> Launch:
    """The verified launch the platform posted (state, id_token), else LaunchError.

    Checks, in order: the platform sent no error; the state is one this browser started
    (its cookie), unused and fresh; the id_token's signature (the platform's JWKS), iss,
    aud, exp and iat; the nonce is the state's; the deployment is registered; the message
    is an LTI 1.3 resource link launch with a subject.
    """
    if form.get("error"):
        raise LaunchError(f"The LMS refused the login: {form['error']}"
                          + (f" ({form['error_description']})"
                             if form.get("error_description") else ""))
    state, id_token = form.get("state", ""), form.get("id_token", "")
    if not state or not id_token:
        raise LaunchError("The launch has no state or no id_token: launch from the LMS.")
    if cookies.get(STATE_COOKIE_PREFIX + state) != state:
        raise LaunchError("This browser did not start this launch (its state cookie is "
                          "missing). Launch again from the LMS, in a new window.")
    login = _consume_state(session, state)
    platform = session.get(LtiPlatform, login.platform_id)
    assert platform is not None  # the state's foreign key cascades
    token = _decode(platform, id_token)
    if not secrets.compare_digest(str(token["nonce"]), login.nonce):
        raise LaunchError("The id_token's nonce is not the one archlab sent for this launch.")
    deployment = token.get(claims.DEPLOYMENT_ID)
    if not isinstance(deployment, str) or not has_deployment(platform, deployment):
        raise LaunchError(unknown_deployment(platform, str(deployment)))
    kind = token.get(claims.MESSAGE_TYPE)
    if kind not in (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST):
        raise LaunchError(f"archlab accepts resource link launches "
                          f"({claims.RESOURCE_LINK_REQUEST}) and deep linking "
                          f"({claims.DEEP_LINKING_REQUEST}), not {kind!r}.")
    if token.get(claims.VERSION) != claims.LTI_VERSION:
        raise LaunchError(f"archlab speaks LTI {claims.LTI_VERSION}, the launch says "
                          f"{token.get(claims.VERSION)!r}.")
    launch = Launch(platform, token)
    if launch.deep_linking:
        if not launch.deep_linking_settings.get("deep_link_return_url"):
            raise LaunchError("The deep linking request names no deep_link_return_url.")
        if "ltiResourceLink" not in (launch.deep_linking_settings.get("accept_types") or []):
            raise LaunchError("The LMS does not accept LTI resource links (ltiResourceLink) "
                              "from deep linking, the only kind archlab offers.")
    elif not launch.resource_link.get("id"):
        raise LaunchError("The launch names no resource link (its resource_link claim "
                          "has no id).")
    return launch
