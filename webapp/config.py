"""Configuration from the environment (docs/architecture.md "Configuration"), read once per app.

A value the site cannot use stops it at start-up with one line naming the variable (a
ConfigError is a click error, so `archlab serve` prints it without a traceback) instead of
failing later inside a request or a worker.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
DEFAULT_DB_FILE = "archlab.sqlite3"
TRUE = ("1", "true", "yes", "on")
FALSE = ("0", "false", "no", "off", "")
URL_SCHEMES = {
    "DATABASE_URL": ("sqlite", "postgresql", "postgres", "postgresql+psycopg"),
    "REDIS_URL": ("redis", "rediss", "unix"),
}
CHOICES = {"ARCHLAB_SANDBOX": ("auto", "docker", "process")}
FLAGS = ("CONTENT_RELOAD", "SESSION_COOKIE_SECURE", "ARCHLAB_ALLOW_PROCESS_SANDBOX")
# Days a login lives: since its last request, and at most since it began.
LOGIN_DAYS = {"LOGIN_IDLE_DAYS": 14.0, "LOGIN_MAX_DAYS": 30.0}


class ConfigError(click.ClickException):
    """A setting holds a value the site cannot use; the message names the variable."""


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word not in TRUE + FALSE:
        raise ConfigError(f"{name}={value!r}: expected one of {', '.join(TRUE + FALSE[:-1])}")
    return word in TRUE


def env_number(name: str, raw: str, kind: type[int] | type[float]) -> int | float:
    """`raw` (the value of variable `name`) as a positive int or float, else ConfigError."""
    try:
        value = kind(raw.strip())
    except ValueError:
        value = None
    if value is None or value <= 0:
        what = "a positive whole number" if kind is int else "a positive number"
        raise ConfigError(f"{name}={raw!r}: expected {what}")
    return value


def env_count(name: str) -> int:
    """A whole number >= 0 from variable `name` (unset: 0), else ConfigError."""
    raw = os.environ.get(name, "0")
    return 0 if raw.strip() == "0" else int(env_number(name, raw, int))


def env_days(name: str) -> float:
    """Variable `name` as a positive number of days, else its default from LOGIN_DAYS."""
    raw = os.environ.get(name)
    return LOGIN_DAYS[name] if raw is None else float(env_number(name, raw, float))


def check_environment(overridden: dict[str, Any]) -> None:
    """ConfigError for the first variable (not overridden by the app's config) that is unusable."""
    from webapp.auth.mail import check_mail_environment
    from webapp.grading.settings import check_grading_environment

    for name, schemes in URL_SCHEMES.items():
        value = os.environ.get(name)
        if value and name not in overridden:
            scheme = urlsplit(value).scheme
            if scheme not in schemes:
                raise ConfigError(f"{name}: unknown scheme {scheme + '://' if scheme else '(none)'}"
                                  f" in {_without_password(value)!r}; expected "
                                  + ", ".join(f"{s}://" for s in schemes))
    for name, choices in CHOICES.items():
        value = os.environ.get(name)
        if value and name not in overridden and value not in choices:
            raise ConfigError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    for name in FLAGS:
        if name not in overridden:
            env_flag(name, False)
    if "TRUSTED_PROXIES" not in overridden:
        env_count("TRUSTED_PROXIES")
    for name in LOGIN_DAYS:
        if name not in overridden:
            env_days(name)
    check_grading_environment(overridden)
    check_mail_environment(overridden)


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def load_secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/secret_key (0600).

    Generating it on first start keeps sessions valid across restarts without asking a newcomer
    to invent a secret; the file is created with O_EXCL so two starting processes agree.
    """
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    path = instance_path / SECRET_KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def settings(instance_path: Path, overrides: dict[str, Any], debug: bool) -> dict[str, Any]:
    """The app's settings: `overrides` first, then the environment, then the defaults.

    Debug and testing apps default to reloading content and to cookies without the Secure
    flag (they are served over plain http on 127.0.0.1).
    """
    check_environment(overrides)
    relaxed = debug or bool(overrides.get("DEBUG")) or bool(overrides.get("TESTING"))
    defaults: dict[str, Any] = {
        "DATABASE_URL": lambda: os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance_path / DEFAULT_DB_FILE}",
        "SECRET_KEY": lambda: load_secret_key(instance_path),
        "CONTENT_DIR": lambda: Path(os.environ.get("CONTENT_DIR") or REPO_ROOT / "content"),
        "CONTENT_RELOAD": lambda: env_flag("CONTENT_RELOAD", relaxed),
        "SESSION_COOKIE_SECURE": lambda: env_flag("SESSION_COOKIE_SECURE", not relaxed),
        "TRUSTED_PROXIES": lambda: env_count("TRUSTED_PROXIES"),
        **{name: lambda name=name: env_days(name) for name in LOGIN_DAYS},
    }
    values = {key: overrides[key] if key in overrides else make() for key, make in defaults.items()}
    return {**overrides, **values}


def check_sources(app: Any) -> None:
    """ConfigError naming `file:line` of the first lab or chapter the site could not serve.

    `archlab serve` runs this before it listens: a lab.toml or checks.py that does not load, or
    a chapter left out for its front matter, is a deploy mistake to fix, not a page to hide.
    """
    problems = [*_lab_problems(app), *_chapter_problems(app)]
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise ConfigError(f"{problems[0]}{more}")


def _lab_problems(app: Any) -> list[str]:
    from labs.catalog import lab_dirs, load_checks
    from labs.spec import LabSpecError, load_lab
    from webapp.grading.settings import labs_root

    problems = []
    for folder in lab_dirs(labs_root(app)):
        try:
            load_checks(load_lab(folder))
        except LabSpecError as exc:
            problems.append(str(exc))
    return problems


def _chapter_problems(app: Any) -> list[str]:
    """Problems of chapter files the course left out (a broken link alone leaves none out)."""
    from course.problems import display_path
    from webapp.course.store import get_course

    content_dir = Path(app.config["CONTENT_DIR"])
    with app.app_context():
        course = get_course()
    loaded = {display_path(chapter.path, content_dir) for chapter in course.chapters}
    return [str(problem) for problem in course.problems if problem.path not in loaded]
