"""Accounts: register, log in, log out, reset a password, and the decorators that guard other
areas' views."""

from webapp.auth import reset_views  # noqa: F401 - registers its views on bp
from webapp.auth.decorators import login_required, role_required
from webapp.auth.views import bp

__all__ = ["bp", "login_required", "role_required"]
