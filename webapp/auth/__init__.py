"""Accounts: register, log in, log out, and the decorators that guard other areas' views."""

from webapp.auth.decorators import login_required, role_required
from webapp.auth.views import bp

__all__ = ["bp", "login_required", "role_required"]
