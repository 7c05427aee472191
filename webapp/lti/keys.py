"""The tool's RSA key pair: made on first use, kept in the database (every worker host signs
AGS client assertions with it), published as a JWKS; the private half never leaves here."""

from __future__ import annotations

import json
import secrets
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import LtiToolKey

ALGORITHM = "RS256"


def _new_key(session: Session) -> LtiToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    key = LtiToolKey(kid=secrets.token_hex(8), private_pem=pem)
    session.add(key)
    session.commit()
    return key


def current_key(session: Session) -> LtiToolKey:
    """The newest key, made now when there is none. Two processes making one at once both
    succeed; the newest then signs and the JWKS lists both, so neither signature fails."""
    key = session.scalar(select(LtiToolKey).order_by(LtiToolKey.id.desc()).limit(1))
    return key if key is not None else _new_key(session)


def public_jwk(key: LtiToolKey) -> dict[str, Any]:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"}


def jwks(session: Session) -> dict[str, Any]:
    """Every key's public half (the current one made if needed), for /lti/jwks."""
    current_key(session)
    keys = session.scalars(select(LtiToolKey).order_by(LtiToolKey.id))
    return {"keys": [public_jwk(key) for key in keys]}


def sign(session: Session, claims: dict[str, Any]) -> str:
    """`claims` as a JWT signed with the current key (its kid in the header)."""
    key = current_key(session)
    return jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
