"""Security headers on every response, CSRF protection on every state-changing request, and
the client's real address behind TRUSTED_PROXIES reverse proxies (the login throttles key
on it; without the setting, X-Forwarded-For is ignored, since any client can send it).

The Content-Security-Policy allows scripts only from this origin: every script is a static
file (htmx, mermaid and our own glue), none inline. Styles additionally allow 'unsafe-inline'
because mermaid writes a <style> element and style attributes into each SVG it draws; style
injection cannot run code, and scripts stay locked down.
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

# The largest request the site reads: a 5 MiB upload with its multipart framing, or a 1 MiB
# file as JSON (escaping can grow text). Anything bigger is refused (413) before it is parsed.
MAX_REQUEST_BYTES = 8 * 1024 * 1024

csrf = CSRFProtect()


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def refuse_nameless_form_fields() -> None:
    """A multipart field whose name does not parse comes back named None, on which the CSRF
    check itself crashes (500); such a form is the client's mistake: 400 before that check."""
    if request.mimetype == "multipart/form-data" and None in request.form:
        abort(400, description="The form has a field without a readable name.")


def init_app(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # the client's address and scheme as the proxies in front of us saw them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if app.config.get("MAX_CONTENT_LENGTH") is None:  # Flask's default: no limit at all
        app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.before_request(refuse_nameless_form_fields)  # registered first: runs before CSRF
    csrf.init_app(app)
    app.after_request(add_security_headers)
