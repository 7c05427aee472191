"""`archlab grade` and `archlab labs` exit codes and outputs, on the fake sandbox."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import TOY_LAB, FakeBackend, submission_apps

from sandboxes import SandboxError
from webapp.cli import main


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> FakeBackend:
    fake = FakeBackend(submission_apps)
    monkeypatch.setattr("webapp.cli.grade.get_backend", lambda name: fake)
    return fake


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_full_marks_exit_0_with_live_lines(backend: FakeBackend) -> None:
    code, output = run("grade", str(TOY_LAB), str(TOY_LAB / "solution"), "--seed", "5")
    assert code == 0, output
    assert "✓ The service answers its health check  1/1" in output
    assert "Score: 6/6" in output


def test_missing_points_exit_1_unless_min_score_is_met(backend: FakeBackend) -> None:
    starter = str(TOY_LAB / "starter")
    assert run("grade", str(TOY_LAB), starter)[0] == 1
    assert run("grade", str(TOY_LAB), starter, "--min-score", "1")[0] == 0
    assert run("grade", str(TOY_LAB), starter, "--min-score", "2")[0] == 1


def test_infrastructure_errors_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(topology) -> dict:
        raise SandboxError("no engine")

    monkeypatch.setattr("webapp.cli.grade.get_backend", lambda name: FakeBackend(broken))
    code, output = run("grade", str(TOY_LAB), str(TOY_LAB / "solution"))
    assert code == 2
    assert "the sandbox failed" in output


def docker_only_toy_lab(tmp_path: Path) -> Path:
    """The toy lab, with lab.toml saying it needs the Docker sandbox."""
    lab = tmp_path / "lab"
    shutil.copytree(TOY_LAB, lab)
    spec = lab / "lab.toml"
    spec.write_text(spec.read_text().replace('chapter = "toys"',
                                             'chapter = "toys"\nrequires = ["docker"]'))
    return lab


def test_a_lab_the_sandbox_cannot_grade_exits_2_saying_why(backend: FakeBackend,
                                                           tmp_path: Path) -> None:
    lab = docker_only_toy_lab(tmp_path)
    code, output = run("grade", str(lab), str(lab / "solution"))
    assert code == 2
    flat = " ".join(output.split())
    assert "○ Not graded: this lab can only be graded on the Docker sandbox" in flat
    assert flat.count("the fake sandbox cannot grade it") == 1, "the cause is said once"
    assert "✗" not in output and "Score: 0" not in output, "not graded is no failure"
    assert "Not graded: no score out of 6" in flat
    code, output = run("grade", str(lab), str(lab / "solution"), "--format", "gradescope")
    assert "the fake sandbox cannot grade it" in json.loads(output)["output"]


def test_labs_verify_reports_a_lab_the_sandbox_cannot_grade_without_failing(
        backend: FakeBackend, tmp_path: Path) -> None:
    code, output = run("labs", "verify", str(docker_only_toy_lab(tmp_path)))
    assert code == 0, output
    assert ("- toy-items: not gradable on the fake sandbox: it needs the Docker sandbox, "
            "which builds the submission's Dockerfile") in " ".join(output.split())
    assert "mutant" not in output and backend.started == []


@pytest.mark.parametrize(("fmt", "parse"), [
    ("json", lambda text: json.loads(text)["score"]),
    ("gradescope", lambda text: json.loads(text)["score"]),
    ("junit", lambda text: ET.fromstring(text).find("testsuite").get("tests")),  # noqa: S314
])
def test_machine_formats_go_to_stdout_or_a_file(backend: FakeBackend, tmp_path: Path, fmt: str,
                                                parse) -> None:
    code, output = run("grade", str(TOY_LAB), str(TOY_LAB / "solution"), "--format", fmt)
    assert code == 0
    assert str(parse(output)) in ("6", "3")
    target = tmp_path / "report.out"
    code, _ = run("grade", str(TOY_LAB), str(TOY_LAB / "solution"), "--format", fmt,
                  "-o", str(target))
    assert code == 0 and parse(target.read_text()) == parse(output)


def test_an_unknown_lab_is_a_usage_error(backend: FakeBackend) -> None:
    code, output = run("grade", "no-such-lab", str(TOY_LAB / "solution"))
    assert code == 1 and "no lab named 'no-such-lab'" in output


def test_labs_verify_prints_a_table_and_fails_on_a_bad_lab(backend: FakeBackend,
                                                           tmp_path: Path) -> None:
    code, output = run("labs", "verify", str(TOY_LAB))
    assert code == 0, output
    assert "mutant forgets_items" in output and "✗" not in output
    assert "alternative path_segments" in output
    broken = tmp_path / "lab"
    broken.mkdir()
    (broken / "lab.toml").write_text((TOY_LAB / "lab.toml").read_text() + "bogus = 1\n")
    code, output = run("labs", "verify", str(broken))
    assert code == 1 and "unknown key 'bogus'" in output


def test_labs_list_shows_the_course_labs_with_their_points() -> None:
    result = CliRunner().invoke(main, ["labs", "list"], terminal_width=200)
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "rest-api" in line)
    assert "api-design" in row and "100" in row


def test_labs_verify_progress_lines_are_not_broken_when_piped(backend: FakeBackend,
                                                              tmp_path: Path) -> None:
    """A CI log or `| tee` is no terminal: rich wrapped a progress line at 80 columns,
    splitting 'failed; 3/6' from its mutant."""
    lab = shutil.copytree(TOY_LAB, tmp_path / "toy_lab")
    long_name = "forgets_every_item_it_was_given_before_anyone_reads_it_back"
    (lab / "mutants" / "forgets_items.toml").rename(lab / "mutants" / f"{long_name}.toml")
    code, output = run("labs", "verify", str(lab))
    assert code == 0, output
    assert f"✓ mutant {long_name} (run 1): item_can_be_read_back failed; 3/6\n" in output
