"""examples/ci/: the shell recipe grades a lab's reference on the real process sandbox and
leaves JUnit XML, a Markdown summary and the JSON result; the GitHub Actions workflow runs
that same recipe."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from fakes import TOY_LAB

REPO = Path(__file__).resolve().parents[2]
RECIPE = REPO / "examples/ci/grade.sh"
WORKFLOW = REPO / "examples/ci/github-actions.yml"


def run_recipe(*args: str, summary: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "ARCHLAB_SANDBOX": "process", "PYTHONPATH": str(REPO),
           "ARCHLAB": str(REPO / ".venv/bin/archlab")}
    if summary is not None:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
    return subprocess.run([RECIPE, *args], env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_the_recipe_grades_a_reference_into_junit_and_a_summary(tmp_path: Path) -> None:
    out, summary = tmp_path / "results", tmp_path / "step-summary.md"
    summary.write_text("earlier steps\n")
    done = run_recipe("rest-api", str(REPO / "labs/rest_api/solution"), str(out),
                      summary=summary)
    assert done.returncode == 0, done.stdout + done.stderr
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")  # noqa: S314 - our XML
    result = json.loads((out / "result.json").read_text())
    assert suite.get("name") == "rest-api"
    assert int(suite.get("tests")) == len(result["checks"]) >= 6
    assert (suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("0", "0", "0")
    assert result["score"] == result["max_score"] == 100
    assert "### rest-api: 100/100 points" in done.stdout
    assert summary.read_text().startswith("earlier steps\n### rest-api: 100/100 points")


def test_missing_points_fail_the_job_with_failures_in_the_junit(tmp_path: Path) -> None:
    done = run_recipe(str(TOY_LAB), str(TOY_LAB / "starter"), str(tmp_path))
    assert done.returncode == 1, done.stderr
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")  # noqa: S314
    failed = [case.get("name") for case in suite.iter("testcase")
              if case.find("failure") is not None]
    assert failed and int(suite.get("failures")) == len(failed)
    assert all(f"| ✗ | {name.split(': ', 1)[1]} |" in done.stdout for name in failed)
    env_min = {**os.environ, "MIN_SCORE": "1", "ARCHLAB_SANDBOX": "process",
               "PYTHONPATH": str(REPO), "ARCHLAB": str(REPO / ".venv/bin/archlab")}
    assert subprocess.run([RECIPE, str(TOY_LAB), str(TOY_LAB / "starter"), str(tmp_path / "c")],
                          env=env_min, capture_output=True, timeout=120).returncode == 0


def test_the_recipe_says_how_to_call_it() -> None:
    done = run_recipe("rest-api")
    assert done.returncode == 64 and "usage:" in done.stderr


def test_the_workflow_grades_with_the_recipe_and_keeps_the_reports() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    grading = next(run for run in runs if "grade.sh" in run)
    recipe = grading.split()[0].removeprefix("archlab/")
    assert (REPO / recipe) == RECIPE
    assert "archlab-results" in grading
    assert any("pip install ./archlab" in run for run in runs)
    kept = next(step for step in steps if step.get("uses", "").startswith(
        "actions/upload-artifact"))
    assert kept["if"] == "always()" and kept["with"]["path"] == "archlab-results/"
    assert workflow["jobs"]["grade"]["env"]["LAB"] in {
        p.parent.name.replace("_", "-") for p in (REPO / "labs").glob("*/lab.toml")}
