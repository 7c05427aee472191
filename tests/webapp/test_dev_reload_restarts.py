"""`archlab serve --dev` does not restart for an edit the site shows without one: werkzeug's
reloader watches every .py file under sys.path (the checkout, with its labs), so an author's
edit of a lab's checks.py, solution or starter restarted the whole dev server, ending live
Runs and cutting the grades and previews in flight (seen following docs/authoring.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug._reloader import _find_stat_paths

from labs.catalog import LABS_ROOT
from webapp.cli import main
from webapp.cli.serve import dev_reload_excludes

CHECKOUT = LABS_ROOT.parent


def watched(patterns: list[str], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """What werkzeug's stat reloader watches with the checkout on sys.path, as an editable
    install or PYTHONPATH puts it."""
    monkeypatch.setattr(sys, "path", [str(CHECKOUT)])
    return _find_stat_paths(set(), set(patterns))


def test_lab_files_read_afresh_are_not_watched_and_the_engine_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    everything = watched([], monkeypatch)
    kept = watched(dev_reload_excludes(LABS_ROOT), monkeypatch)
    lab_files = [LABS_ROOT / "rate_limiter" / "checks.py",
                 LABS_ROOT / "rate_limiter" / "solution" / "limiter.py",
                 LABS_ROOT / "rate_limiter" / "starter" / "app.py",
                 LABS_ROOT / "rate_limiter" / "alternatives" / "watch_multi" / "app.py",
                 LABS_ROOT / "saga" / "services" / "participant.py",
                 LABS_ROOT / "templates" / "lab" / "checks.py"]
    for path in lab_files:
        assert str(path) in everything  # what restarted the server before
        assert str(path) not in kept
    engine = [LABS_ROOT / "checks.py", LABS_ROOT / "verify.py", LABS_ROOT / "stubkit.py",
              LABS_ROOT / "saga" / "invariants.py", CHECKOUT / "webapp" / "cli" / "serve.py"]
    for path in engine:
        assert str(path) in kept  # imported once: an edit still needs the restart


def test_serve_dev_hands_the_patterns_to_the_reloader(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(drafts))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    monkeypatch.setenv("CONTENT_DIR", str(CHECKOUT / "content"))
    monkeypatch.setattr("webapp.cli.serve.start_embedded_graders", lambda app, reloading: None)
    monkeypatch.setattr("webapp.cli.serve.exit_cleanly_on_sigterm", lambda: None)
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(Flask, "run", lambda app, **options: runs.append(options))
    result = CliRunner().invoke(main, ["serve", "--dev", "--port", "5999"])
    assert result.exit_code == 0, result.output
    [options] = runs
    assert options["use_reloader"] is True
    assert options["exclude_patterns"] == dev_reload_excludes(LABS_ROOT, drafts)
    assert f"{drafts.resolve()}/*/checks.py" in options["exclude_patterns"]
