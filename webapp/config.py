"""Configuration from the environment (docs/architecture.md "Configuration"), read once per app."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
DEFAULT_DB_FILE = "archlab.sqlite3"
TRUE = ("1", "true", "yes", "on")


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in TRUE


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
    relaxed = debug or bool(overrides.get("DEBUG")) or bool(overrides.get("TESTING"))
    defaults: dict[str, Any] = {
        "DATABASE_URL": lambda: os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance_path / DEFAULT_DB_FILE}",
        "SECRET_KEY": lambda: load_secret_key(instance_path),
        "CONTENT_DIR": lambda: Path(os.environ.get("CONTENT_DIR") or REPO_ROOT / "content"),
        "CONTENT_RELOAD": lambda: env_flag("CONTENT_RELOAD", relaxed),
        "SESSION_COOKIE_SECURE": lambda: env_flag("SESSION_COOKIE_SECURE", not relaxed),
    }
    values = {key: overrides[key] if key in overrides else make() for key, make in defaults.items()}
    return {**overrides, **values}
