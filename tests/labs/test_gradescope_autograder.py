"""`archlab export gradescope`: the bundle's layout, and its run_autograder run end to end on
a fake /autograder (ARCHLAB_AUTOGRADER_ROOT) with the real process sandbox, writing a
results.json that Gradescope's documented format accepts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema_rs
import pytest
from click.testing import CliRunner
from fakes import TOY_LAB
from test_grade_reports import never_ready, with_blocked_check, with_skipped_check

from labs.autograder.run import failed_results
from labs.reports import FORMATS
from webapp.cli import main

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "tests/support/gradescope_results.schema.json").read_text())
validator = jsonschema_rs.validator_for(SCHEMA)


def assert_gradescope_accepts(document: dict) -> None:
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in validator.iter_errors(document)]
    assert not errors, errors


def export(lab: str, output: Path) -> str:
    result = CliRunner().invoke(main, ["export", "gradescope", lab, "-o", str(output)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("result", [with_skipped_check, with_blocked_check, never_ready])
def test_gradescope_reports_match_the_documented_format(result) -> None:
    assert_gradescope_accepts(json.loads(FORMATS["gradescope"](result())))
    assert_gradescope_accepts(json.loads(failed_results("the grader broke")))


def test_the_schema_refuses_what_gradescope_would_not_read() -> None:
    assert not validator.is_valid({"tests": [{"name": "no score anywhere"}]})
    assert not validator.is_valid({"score": 1, "tests": [{"score": 1, "status": "blocked"}]})
    assert not validator.is_valid({"score": 1, "visibility": "always"})


def test_the_zip_has_the_scripts_at_its_root_and_no_answers(tmp_path: Path) -> None:
    bundle = tmp_path / "rest-api.zip"
    assert "written to" in export("rest-api", bundle)
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert {"setup.sh", "run_autograder", "lab/lab.toml", "lab/checks.py",
            "archlab/pyproject.toml", "archlab/labs/runner.py"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [n for n in names if n.startswith(("lab/solution", "lab/mutants",
                                                  "lab/alternatives"))]
    assert not [n for n in names if n.startswith(("archlab/labs/rest_api",
                                                  "archlab/labs/cache_aside",
                                                  "archlab/webapp/static"))]


def test_setup_installs_the_lab_services_packages(tmp_path: Path) -> None:
    export("rest-api", tmp_path / "bundle")
    assert (tmp_path / "bundle/apt-packages.txt").read_text().split() == ["postgresql"]


def test_a_lab_that_needs_docker_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "gradescope", "ship-it", "-o",
                                       str(tmp_path / "b.zip")])
    assert result.exit_code == 1
    assert "requires docker" in result.output and not (tmp_path / "b.zip").exists()


@pytest.fixture
def autograder(tmp_path: Path) -> Path:
    """A fake /autograder after setup.sh: the bundle in source/, and a venv whose archlab is
    the bundle's copy (a .pth file stands in for setup.sh's offline-impossible pip install;
    the dependencies come from the project's environment)."""
    root = tmp_path / "autograder"
    export(str(TOY_LAB), root / "source")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")],
                   check=True)
    site = next((root / "venv/lib").glob("python3*/site-packages"))
    ours = [path for path in sys.path if path.endswith("site-packages")]
    (site / "archlab.pth").write_text("\n".join([str(root / "source/archlab"), *ours]) + "\n")
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path) -> dict:
    env = {**os.environ, "ARCHLAB_AUTOGRADER_ROOT": str(root)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run([root / "source/run_autograder"], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    document = json.loads((root / "results/results.json").read_text())
    assert_gradescope_accepts(document)
    return document


def test_run_autograder_grades_a_submission_zipped_with_its_folder(autograder: Path) -> None:
    shutil.copytree(TOY_LAB / "solution", autograder / "submission/my-project")
    document = run_autograder(autograder)
    assert document["score"] == 6, document["output"]
    assert all(t["status"] == "passed" for t in document["tests"])
    assert document["extra_data"]["lab_id"] == "toy-items"


def test_run_autograder_reports_the_failing_checks_of_a_starter(autograder: Path) -> None:
    shutil.copytree(TOY_LAB / "starter", autograder / "submission", dirs_exist_ok=True)
    document = run_autograder(autograder)
    assert 0 < document["score"] < 6
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    assert failed and all(t["score"] == 0 and t["output"] for t in failed)


def test_run_autograder_writes_results_even_when_the_grader_breaks(autograder: Path) -> None:
    (autograder / "source/lab/lab.toml").write_text("id = 'broken'\n")
    document = run_autograder(autograder)
    assert document["score"] == 0 and "The autograder itself failed" in document["output"]
