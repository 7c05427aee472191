"""Which URLs can be shortened: absolute http(s) URLs with a host, at most MAX_LENGTH long."""

from urllib.parse import urlsplit

MAX_LENGTH = 2048


def invalid_reason(url) -> str | None:
    """Why `url` cannot be shortened, or None when it can."""
    if not isinstance(url, str):
        return '"url" must be a string'
    if len(url) > MAX_LENGTH:
        return f'"url" is longer than {MAX_LENGTH} characters'
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return '"url" must not contain spaces or control characters'
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return '"url" is not a URL'
    if parts.scheme not in ("http", "https"):
        return '"url" must start with http:// or https://'
    if not host:
        return '"url" has no host'
    return None
