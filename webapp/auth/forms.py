"""Registration and login forms (Flask-WTF: each carries the CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

EMAIL = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like ada@example.org."
)
MIN_PASSWORD = 8
PASSWORD_RULE = f"At least {MIN_PASSWORD} characters; a few unrelated words are easy to remember."


def normalise_email(value: str | None) -> str:
    return (value or "").strip().lower()


class NewPasswordForm(FlaskForm):
    """A new password twice, its rule shown under the field before any attempt fails."""

    password = PasswordField(
        "Password",
        description=PASSWORD_RULE,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD},
    )
    confirm = PasswordField(
        "Repeat password",
        validators=[DataRequired(), EqualTo("password", message="The passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(NewPasswordForm):
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


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[normalise_email],
        validators=[DataRequired(), Length(max=254), EMAIL],
        render_kw={"autocomplete": "email"},
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
