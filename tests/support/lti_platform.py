"""A fake LMS that follows LTI 1.3 and AGS 2.0, served on 127.0.0.1 for the LTI tests.

It has its own RSA key and JWKS, starts launches the way an LMS page does (a form posted to
the tool's login initiation), answers the OIDC auth request with a form_post of a signed
id_token, issues access tokens only for a client assertion signed with the tool's published
key (RFC 7523), keeps the line items and scores it receives, and answers NRPS 2.0 with its
`members` in pages linked by Link rel="next". Tests steer it through
`next_token` (claims to change or drop, another signing key) and `score_failures`.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, abort, jsonify, request

from tests.support.webapp_server import serving

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_DATA = "opaque-to-the-tool-42"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MEMBERS_PER_PAGE = 2
DROP = object()  # a value in next_token["claims"] that removes the claim


@dataclass
class LaunchSpec:
    """Who launches which link of which course, as the LMS would put it in the id_token."""

    sub: str
    name: str = "Ada Lovelace"
    roles: tuple[str, ...] = (LEARNER,)
    resource_link_id: str = "link-1"
    resource_link_title: str = "Toy items lab"
    context_id: str = "course-42"
    context_title: str = "Backend architecture, spring"
    custom: dict[str, str] = field(default_factory=lambda: {"lab": "toy-items"})
    ags: str = "lineitem"  # "lineitem", "lineitems" (container only) or "none"
    message_type: str = "LtiResourceLinkRequest"  # or "LtiDeepLinkingRequest"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakePlatform:
    """The LMS. `url` is its issuer; the tool's URLs are set with `connect_tool`."""

    client_id = "archlab-at-fake-lms"
    deployment_id = "deployment-1"

    def __init__(self, url: str) -> None:
        self.url = url
        # A kid of its own: archlab caches a JWKS per URL, and a later test's LMS may be
        # given the same port (a new kid makes archlab fetch the keys again, as on rotation).
        self.key, self.kid = new_key(), f"platform-key-{secrets.token_hex(4)}"
        self.tool_login = self.tool_launch = self.tool_jwks = ""
        self.launches: dict[str, LaunchSpec] = {}
        self.next_token: dict[str, Any] = {}
        self.score_failures = 0
        self.tokens: dict[str, set[str]] = {}
        self.assertion_ids: set[str] = set()
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.scores: list[dict[str, Any]] = []  # {"lineitem", "content_type", "body"}
        self.content_items: list[dict[str, Any]] = []  # from deep linking responses
        self.members: list[dict[str, Any]] = []  # the NRPS members of every course...
        self.course_members: dict[str, list[dict[str, Any]]] = {}  # ...but these, by id
        self.member_pages: list[str] = []  # the membership URLs the tool fetched
        self.lock = threading.Lock()

    def connect_tool(self, tool_url: str) -> None:
        self.tool_login = f"{tool_url}/lti/login"
        self.tool_launch = f"{tool_url}/lti/launch"
        self.tool_jwks = f"{tool_url}/lti/jwks"

    def registration(self) -> dict[str, Any]:
        """What the LMS shows its admin for archlab's registration."""
        return {"name": "Fake LMS", "issuer": self.url, "client_id": self.client_id,
                "auth_login_url": f"{self.url}/auth", "auth_token_url": f"{self.url}/token",
                "jwks_url": f"{self.url}/jwks", "deployment_ids": (self.deployment_id,)}

    def start(self, spec: LaunchSpec) -> str:
        """The LMS page that launches `spec` (a form it posts to the tool's login URL)."""
        hint = secrets.token_hex(8)
        self.launches[hint] = spec
        return f"{self.url}/start/{hint}"

    def login_params(self, hint: str) -> dict[str, str]:
        return {"iss": self.url, "login_hint": hint, "target_link_uri": self.tool_launch,
                "lti_message_hint": f"msg-{hint}", "client_id": self.client_id,
                "lti_deployment_id": self.deployment_id}

    def id_token(self, spec: LaunchSpec, nonce: str) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.url, "aud": self.client_id, "sub": spec.sub, "iat": now,
            "exp": now + 300, "nonce": nonce, "name": spec.name,
            LTI + "message_type": "LtiResourceLinkRequest", LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_launch,
            LTI + "resource_link": {"id": spec.resource_link_id,
                                    "title": spec.resource_link_title},
            LTI + "roles": list(spec.roles),
            LTI + "context": {"id": spec.context_id, "title": spec.context_title},
            LTI + "custom": spec.custom,
            NRPS: {"context_memberships_url": f"{self.url}/courses/{spec.context_id}/members",
                   "service_versions": ["2.0"]},
        }
        if spec.message_type == DEEP_LINKING_REQUEST:
            for name in ("resource_link", "custom"):
                del claims[LTI + name]
            claims[LTI + "message_type"] = DEEP_LINKING_REQUEST
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"], "accept_multiple": False,
                "accept_presentation_document_targets": ["window"], "data": DEEP_LINKING_DATA}
        elif spec.ags != "none":
            endpoint: dict[str, Any] = {"scope": [SCORE_SCOPE, LINEITEM_SCOPE],
                                        "lineitems": f"{self.url}/lineitems"}
            if spec.ags == "lineitem":
                endpoint["lineitem"] = self.link_lineitem(spec)["id"]
            claims[AGS] = endpoint
        tweaks = self.next_token
        self.next_token = {}
        for name, value in tweaks.get("claims", {}).items():
            if value is DROP:
                claims.pop(name, None)
            else:
                claims[name] = value
        key = tweaks.get("key", self.key)
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})

    def link_lineitem(self, spec: LaunchSpec) -> dict[str, Any]:
        """The line item the LMS made with the link (once per link, as an LMS does)."""
        for item in self.lineitems.values():
            if item.get("resourceLinkId") == spec.resource_link_id:
                return item
        return self.add_lineitem({"label": spec.resource_link_title, "scoreMaximum": 100,
                                  "resourceLinkId": spec.resource_link_id})

    def add_lineitem(self, fields: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            item = {**fields, "id": f"{self.url}/lineitems/{len(self.lineitems) + 1}"}
            self.lineitems[item["id"]] = item
            return item

    def bearer_scopes(self) -> set[str]:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer ") or header[7:] not in self.tokens:
            abort(401, description="no valid bearer token")
        return self.tokens[header[7:]]

    def verify_assertion(self, assertion: str) -> None:
        key = jwt.PyJWKClient(self.tool_jwks).get_signing_key_from_jwt(assertion).key
        claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=f"{self.url}/token",
                            issuer=self.client_id,
                            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]})
        if claims["sub"] != self.client_id:
            raise jwt.InvalidTokenError("sub is not the client_id")
        if claims["jti"] in self.assertion_ids:
            raise jwt.InvalidTokenError("jti reused")
        self.assertion_ids.add(claims["jti"])

    def app(self) -> Flask:
        app = Flask("fake_lms")
        app.add_url_rule("/jwks", "jwks", lambda: jsonify(keys=[self.public_jwk()]))
        app.add_url_rule("/favicon.ico", "favicon", lambda: Response(status=204))
        app.add_url_rule("/start/<hint>", "start", self.page_start)
        app.add_url_rule("/auth", "auth", self.page_auth)
        app.add_url_rule("/token", "token", self.api_token, methods=["POST"])
        app.add_url_rule("/deep-link-return", "deep_link_return", self.page_deep_link_return,
                         methods=["POST"])
        app.add_url_rule("/courses/<context_id>/members", "members", self.api_members)
        app.add_url_rule("/lineitems", "lineitems", self.api_lineitems, methods=["GET", "POST"])
        app.add_url_rule("/lineitems/<int:number>/scores", "scores", self.api_scores,
                         methods=["POST"])
        return app

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def page_start(self, hint: str) -> Response:
        if hint not in self.launches:
            abort(404)
        return auto_post(self.tool_login, self.login_params(hint))

    def page_auth(self) -> Response:
        asked = request.args
        expected = {"scope": "openid", "response_type": "id_token",
                    "response_mode": "form_post", "prompt": "none",
                    "client_id": self.client_id, "redirect_uri": self.tool_launch}
        wrong = {k: asked.get(k) for k, v in expected.items() if asked.get(k) != v}
        spec = self.launches.get(asked.get("login_hint", ""))
        if wrong or spec is None or not asked.get("nonce") or not asked.get("state") \
                or asked.get("lti_message_hint") != f"msg-{asked.get('login_hint')}":
            return Response(f"bad auth request: {wrong or dict(asked)}", 400)
        token = self.id_token(spec, asked["nonce"])
        return auto_post(asked["redirect_uri"], {"id_token": token, "state": asked["state"]})

    def page_deep_link_return(self) -> Response:
        """Takes the tool's LtiDeepLinkingResponse (signed with its published key)."""
        response = request.form.get("JWT", "")
        try:
            key = jwt.PyJWKClient(self.tool_jwks).get_signing_key_from_jwt(response).key
            claims = jwt.decode(response, key, algorithms=["RS256"], audience=self.url,
                                issuer=self.client_id,
                                options={"require": ["exp", "iat", "iss", "aud", "nonce"]})
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            return Response(f"bad deep linking response: {exc}", 400)
        expected = {LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
                    LTI + "deployment_id": self.deployment_id, DL + "data": DEEP_LINKING_DATA}
        wrong = {k: claims.get(k) for k, v in expected.items() if claims.get(k) != v}
        if wrong:
            return Response(f"bad deep linking response: {wrong}", 400)
        self.content_items.extend(claims.get(DL + "content_items", []))
        titles = ", ".join(item.get("title", "?") for item in claims.get(DL + "content_items"))
        return Response(f"<!doctype html><title>Fake LMS</title><h1>Added: {html.escape(titles)}"
                        "</h1>", content_type="text/html")

    def api_token(self) -> Response:
        form = request.form
        if (form.get("grant_type") != "client_credentials"
                or form.get("client_assertion_type") != ASSERTION_TYPE):
            return jsonify(error="unsupported_grant_type"), 400
        try:
            self.verify_assertion(form.get("client_assertion", ""))
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            return jsonify(error="invalid_client", error_description=str(exc)), 401
        scopes = set(form.get("scope", "").split()) & {SCORE_SCOPE, LINEITEM_SCOPE, NRPS_SCOPE}
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scopes
        return jsonify(access_token=token, token_type="Bearer", expires_in=3600,
                       scope=" ".join(sorted(scopes)))

    def api_members(self, context_id: str) -> Response:
        """NRPS 2.0: the course's members, MEMBERS_PER_PAGE a page, the next page named by a
        Link rel="next" header."""
        if NRPS_SCOPE not in self.bearer_scopes():
            abort(403)
        if request.accept_mimetypes.best != MEMBERSHIPS_TYPE:
            return Response(f"expected Accept: {MEMBERSHIPS_TYPE}", 406)
        self.member_pages.append(request.full_path)
        page = request.args.get("page", default=0, type=int)
        start = page * MEMBERS_PER_PAGE
        members = self.course_members.get(context_id, self.members)
        body = {"id": request.base_url, "context": {"id": context_id},
                "members": members[start:start + MEMBERS_PER_PAGE]}
        response = Response(json.dumps(body), 200, content_type=MEMBERSHIPS_TYPE)
        if start + MEMBERS_PER_PAGE < len(members):
            response.headers["Link"] = f'<{request.base_url}?page={page + 1}>; rel="next"'
        return response

    def api_lineitems(self) -> Response:
        if LINEITEM_SCOPE not in self.bearer_scopes():
            abort(403)
        if request.method == "GET":
            filters = {"resource_link_id": "resourceLinkId", "resource_id": "resourceId",
                       "tag": "tag"}
            items = [i for i in self.lineitems.values()
                     if all(i.get(name) == request.args[arg] for arg, name in filters.items()
                            if arg in request.args)]
            return Response(jsonify(items).get_data(), 200, content_type=LINEITEMS_TYPE)
        if request.mimetype != LINEITEM_TYPE:
            return Response(f"expected {LINEITEM_TYPE}, got {request.mimetype}", 415)
        body = request.get_json(force=True)
        if not body.get("label") or not isinstance(body.get("scoreMaximum"), int | float):
            return Response("a line item needs a label and a numeric scoreMaximum", 400)
        item = self.add_lineitem(body)
        return Response(jsonify(item).get_data(), 201, content_type=LINEITEM_TYPE)

    def api_scores(self, number: int) -> Response:
        if SCORE_SCOPE not in self.bearer_scopes():
            abort(403)
        lineitem = f"{self.url}/lineitems/{number}"
        if lineitem not in self.lineitems:
            abort(404)
        with self.lock:
            if self.score_failures > 0:
                self.score_failures -= 1
                return Response("the gradebook is down for maintenance", 503)
        if request.mimetype != SCORE_TYPE:
            return Response(f"expected {SCORE_TYPE}, got {request.mimetype}", 415)
        self.scores.append({"lineitem": lineitem, "content_type": request.content_type,
                            "body": request.get_json(force=True)})
        return Response(status=204)


def auto_post(action: str, fields: dict[str, str]) -> Response:
    """An LMS page that posts `fields` to `action` as soon as it loads (form_post)."""
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return Response(
        f'<!doctype html><title>Fake LMS</title><form method="post" action="{html.escape(action)}">'
        f'{inputs}<button>Continue</button></form>'
        '<script>document.forms[0].submit()</script>', content_type="text/html")


@contextmanager
def fake_platform() -> Iterator[FakePlatform]:
    """A FakePlatform served on a free 127.0.0.1 port for the block."""
    holder: dict[str, FakePlatform] = {}
    with serving(_Dispatch(holder)) as url:  # type: ignore[arg-type]
        holder["platform"] = FakePlatform(url)
        yield holder["platform"]


class _Dispatch:
    """A WSGI app that serves the platform made after its port was known."""

    def __init__(self, holder: dict[str, FakePlatform]) -> None:
        self.holder = holder
        self.app: Flask | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.app is None:
            self.app = self.holder["platform"].app()
        return self.app(environ, start_response)
