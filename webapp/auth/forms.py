"""Registration and login forms (Flask-WTF: each carries the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like ada@example.org."
)
MIN_PASSWORD = 8


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


class RegisterForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[normalise_email],
        validators=[DataRequired(), Length(max=254), EMAIL],
        render_kw={"autocomplete": "email"},
    )
    display_name = StringField(
        "Display name",
        filters=[lambda v: (v or "").strip()],
        validators=[DataRequired(), Length(max=100)],
        render_kw={"autocomplete": "nickname"},
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[normalise_email],
        validators=[DataRequired()],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Password", validators=[DataRequired()], render_kw={"autocomplete": "current-password"}
    )
