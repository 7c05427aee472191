"""Malformed labs, chapters and configuration are refused with one line naming file:line (or
the variable), by `archlab serve`, `archlab content check`, `archlab labs` and `archlab grade`:
never a traceback, never a site that starts and fails later.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from webapp import create_app
from webapp.cli import main
from webapp.config import ConfigError

REPO = Path(__file__).resolve().parents[2]
TOY_LAB = REPO / "tests" / "labs" / "toy_lab"
CHAPTER = """\
---
title: Toys
order: 1
minutes: 5
summary: A chapter about toys.
objectives:
  - Play
---
Some text.
"""


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A labs root with a copy of the toy lab and a content dir with one good chapter, both
    used by every archlab command through the environment."""
    shutil.copytree(TOY_LAB, tmp_path / "labs" / "toy")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "01-toys.md").write_text(CHAPTER)
    for name in ("REDIS_URL", "DATABASE_URL", "GRADING_WORKERS", "ARCHLAB_SANDBOX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(tmp_path / "labs"))
    monkeypatch.setenv("CONTENT_DIR", str(tmp_path / "content"))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'site.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def expect_one_line_error(result: Result, starts: str, words: str) -> None:
    """Exit 1 with `Error: <starts>...<words>...` on a single line and no traceback."""
    assert result.exit_code == 1, f"expected exit 1, got {result.exit_code}: {result.output}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"expected a clean refusal, got {result.exception!r}")
    assert "Traceback" not in result.output, result.output
    line = next((x for x in result.output.splitlines() if x.startswith("Error: ")), None)
    assert line is not None, f"expected an 'Error: ' line, got {result.output!r}"
    assert line.startswith(f"Error: {starts}"), f"expected {starts!r} first, got {line!r}"
    assert words in line, f"expected {words!r} in {line!r}"


def edit(path: Path, old: str, new: str) -> str:
    """Replace `old` (which must be there) in the file; returns the file's display path."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))
    return path.as_posix()


def test_serve_refuses_a_lab_toml_syntax_error_with_its_line(sources: Path) -> None:
    spec = edit(sources / "labs/toy/lab.toml", 'title = "Toy items"', 'title = "Toy items')
    expect_one_line_error(run("serve", "--port", "1"), f"{spec}:3: invalid TOML", "")


def test_labs_list_names_the_line_of_a_wrongly_typed_key(sources: Path) -> None:
    spec = edit(sources / "labs/toy/lab.toml", "time_limit = 60", 'time_limit = "60"')
    expect_one_line_error(run("labs", "list"), f"{spec}:7: grading.time_limit",
                          "must be a positive number, got '60'")


def test_content_check_names_a_malformed_lab_instead_of_crashing(sources: Path) -> None:
    spec = edit(sources / "labs/toy/lab.toml", "check_timeout = 10",
                "check_timeout = 10\nretries = 3")
    expect_one_line_error(run("content", "check"), f"{spec}:9: unknown key 'retries'",
                          "allowed: time_limit, check_timeout")


def test_grade_names_a_missing_required_key(sources: Path) -> None:
    spec = edit(sources / "labs/toy/lab.toml", 'command = ["python3", "app.py"]\n', "")
    result = run("grade", "toy", str(sources / "labs/toy/solution"), "--backend", "process")
    expect_one_line_error(result, f"{spec}:10: missing required key 'command' in [app]", "")


def test_grade_and_serve_name_the_line_where_checks_py_fails_to_import(sources: Path) -> None:
    checks = sources / "labs/toy/checks.py"
    edit(checks, "checks = Checks()\n", "checks = Checks()\nimport no_such_module\n")
    where = f"{checks.as_posix()}:6: cannot import: ModuleNotFoundError"
    result = run("grade", "toy-items", str(sources / "labs/toy/solution"), "--backend",
                 "process")
    expect_one_line_error(result, where, "no_such_module")
    expect_one_line_error(run("serve", "--port", "1"), where, "no_such_module")


@pytest.mark.parametrize(("mutant", "line", "words"), [
    ('description = "x"\ncaught_by = "health_answers\n', 2, "invalid TOML"),
    ('description = "x"\ncaught_by = 3\n[[replace]]\nfile = "app.py"\nold = "a"\nnew = "b"\n',
     2, "caught_by must be a non-empty string"),
    ('description = "x"\ncaught_by = "health_answers"\nbogus = 1\n[[replace]]\n'
     'file = "app.py"\nold = "a"\nnew = "b"\n', 3, "unknown keys ['bogus']"),
    ('description = "x"\ncaught_by = "health_answers"\n[[replace]]\nfile = "app.py"\n', 3,
     "[[replace]] #1 must have exactly the string keys file, old and new"),
])
def test_labs_verify_names_the_line_of_a_malformed_mutant(sources: Path, mutant: str,
                                                          line: int, words: str) -> None:
    path = sources / "labs/toy/mutants/broken.toml"
    path.write_text(mutant)
    result = run("labs", "verify", "--backend", "process")
    assert result.exit_code == 1, result.output
    assert f"{path.as_posix()}:{line}: " in result.output, result.output
    assert words in result.output.replace("\n", ""), result.output


def test_front_matter_yaml_errors_are_named_by_content_check_and_refused_by_serve(
        sources: Path) -> None:
    edit(sources / "content/01-toys.md", "minutes: 5", "minutes: [5")
    check = run("content", "check")
    assert check.exit_code == 1, check.output
    assert f"{Path('content/01-toys.md')}:" in check.output, check.output
    problem = next(x for x in check.output.splitlines() if "01-toys.md:" in x)
    expect_one_line_error(run("serve", "--port", "1"), problem, "")


def test_serve_starts_past_a_broken_link_which_hides_no_chapter(sources: Path,
                                                              monkeypatch) -> None:
    """Only problems that leave a chapter (or a lab) out stop the site; content check still
    reports the link."""
    edit(sources / "content/01-toys.md", "Some text.", "[next](02-missing.md)")
    served = []
    monkeypatch.setattr("webapp.cli.serve.serve_threaded",
                        lambda app, host, port, threads: served.append(port))
    monkeypatch.setattr("webapp.cli.serve.start_embedded_graders", lambda app, reloading: None)
    monkeypatch.setattr("webapp.cli.serve.exit_cleanly_on_sigterm", lambda: None)
    result = run("serve", "--port", "5123")
    assert (result.exit_code, served) == (0, [5123]), result.output
    assert run("content", "check").exit_code == 1


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("GRADING_WORKERS", "abc", "GRADING_WORKERS='abc': expected a positive whole number"),
    ("GRADING_LEASE_S", "0", "GRADING_LEASE_S='0': expected a positive number"),
    ("DATABASE_URL", "mongodb://ada:s3cret@db/archlab", "DATABASE_URL: unknown scheme "
     "mongodb:// in 'mongodb://ada:***@db/archlab'"),
    ("REDIS_URL", "localhost:6379", "REDIS_URL: unknown scheme localhost://"),
    ("ARCHLAB_SANDBOX", "vm", "ARCHLAB_SANDBOX='vm': expected one of auto, docker, process"),
    ("SESSION_COOKIE_SECURE", "maybe", "SESSION_COOKIE_SECURE='maybe': expected one of 1"),
])
def test_bad_environment_values_are_refused_naming_the_variable(
        sources: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
        words: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        create_app()
    assert str(caught.value).startswith(words), str(caught.value)
    assert "s3cret" not in str(caught.value)
    expect_one_line_error(run("serve", "--port", "1"), words, "")


def test_a_value_set_in_the_app_config_wins_over_a_bad_environment(
        sources: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADING_WORKERS", "abc")
    app = create_app({"GRADING_WORKERS": 3, "SECRET_KEY": "x"})
    assert app.config["GRADING_WORKERS"] == 3
