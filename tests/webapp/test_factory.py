"""create_app's configuration: environment, documented defaults, and the generated secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from webapp import config


@pytest.fixture
def clean_env(monkeypatch):  # type: ignore[no-untyped-def]
    for name in ("DATABASE_URL", "SECRET_KEY", "CONTENT_DIR", "CONTENT_RELOAD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    return monkeypatch


def test_defaults_put_the_database_and_a_secret_key_in_the_instance_dir(tmp_path: Path, clean_env):
    settings = config.settings(tmp_path, {}, debug=False)
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/archlab.sqlite3"
    assert settings["CONTENT_DIR"] == config.REPO_ROOT / "content"
    assert settings["CONTENT_RELOAD"] is False
    assert settings["SESSION_COOKIE_SECURE"] is True
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert settings["SECRET_KEY"] == key_file.read_text() and len(settings["SECRET_KEY"]) == 64


def test_the_generated_secret_key_is_reused(tmp_path: Path, clean_env):
    first = config.settings(tmp_path, {}, debug=False)["SECRET_KEY"]
    assert config.settings(tmp_path, {}, debug=False)["SECRET_KEY"] == first


def test_environment_wins_over_defaults(tmp_path: Path, clean_env):
    clean_env.setenv("DATABASE_URL", "postgresql://db/archlab")
    clean_env.setenv("SECRET_KEY", "from-env")
    clean_env.setenv("CONTENT_DIR", "/srv/content")
    clean_env.setenv("CONTENT_RELOAD", "1")
    settings = config.settings(tmp_path, {}, debug=False)
    assert settings["DATABASE_URL"] == "postgresql://db/archlab"
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["CONTENT_DIR"] == Path("/srv/content")
    assert settings["CONTENT_RELOAD"] is True
    assert not (tmp_path / "secret_key").exists()


def test_debug_reloads_content_and_drops_the_secure_cookie_flag(tmp_path: Path, clean_env):
    settings = config.settings(tmp_path, {"DEBUG": True}, debug=False)
    assert settings["CONTENT_RELOAD"] is True
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_app_config_comes_from_test_config(app, content_dir):
    assert app.config["CONTENT_DIR"] == content_dir
    assert app.config["SECRET_KEY"] == "test-secret"
    assert app.config["TESTING"] is True
