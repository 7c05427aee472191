"""Everything that differs between deploys, read from the environment and nowhere else.

The same image runs in every environment; only these variables change. A missing or
malformed value stops the service at start with a message naming the variable, so a bad
deploy fails its readiness instead of serving with a guess.
"""

from dataclasses import dataclass


class SettingsError(ValueError):
    """A variable is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    database_url: str
    release: str
    max_message_length: int

    @classmethod
    def from_env(cls, environ):
        return cls(host=environ.get("HOST", "0.0.0.0"),
                   port=_positive_int(environ, "PORT"),
                   database_url=_required(environ, "DATABASE_URL"),
                   release=_required(environ, "RELEASE"),
                   max_message_length=_positive_int(environ, "MAX_MESSAGE_LENGTH"))


def _required(environ, name):
    value = environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is not set")
    return value


def _positive_int(environ, name):
    value = _required(environ, name)
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a positive whole number, got {value!r}")
    return int(value)
