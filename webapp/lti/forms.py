"""The instructor's form for registering an LMS (Flask-WTF: it carries the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.lti.platforms import Registration


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def _field(label: str, description: str, length: int = 1000) -> StringField:
    return StringField(label, description=description, filters=[_stripped],
                       validators=[DataRequired(), Length(max=length)])


class PlatformForm(FlaskForm):
    name = _field("Name", "How archlab names this LMS, e.g. Moodle of Example University.", 200)
    issuer = _field("Issuer (platform ID)", "The LMS's iss, e.g. https://moodle.example.edu", 500)
    client_id = _field("Client ID", "The id the LMS gave archlab's registration.", 255)
    auth_login_url = _field("Authentication request URL",
                            "The LMS's OIDC auth endpoint, e.g. .../mod/lti/auth.php")
    auth_token_url = _field("Access token URL",
                            "The LMS's OAuth2 token endpoint, e.g. .../mod/lti/token.php")
    jwks_url = _field("Public keyset URL", "The LMS's JWKS, e.g. .../mod/lti/certs.php")
    deployment_ids = TextAreaField("Deployment IDs", description="One per line.",
                                   filters=[_stripped], validators=[DataRequired()])

    def registration(self) -> Registration:
        return Registration(
            name=self.name.data, issuer=self.issuer.data, client_id=self.client_id.data,
            auth_login_url=self.auth_login_url.data, auth_token_url=self.auth_token_url.data,
            jwks_url=self.jwks_url.data,
            deployment_ids=tuple(line.strip() for line in self.deployment_ids.data.splitlines()
                                 if line.strip()))
