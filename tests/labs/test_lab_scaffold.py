"""`archlab labs new`: the scaffolded lab verifies as generated on a real sandbox backend and
is linked from its chapter; ids and folders are never reused."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from course import load_course
from labs.catalog import LABS_ROOT, check_titles, get_lab, lab_ids, load_checks, mutants_dir
from labs.scaffold import LabScaffoldError, new_lab
from labs.spec import Lab
from labs.verify import verify
from labs.verify_findings import findings
from sandboxes import get_backend
from sandboxes.docker.backend import DockerBackend
from tests.labs.test_readmes_state_the_limits import limits_mismatches
from tests.support import lab_contract
from tests.support.lab_folder import LabFolder
from tests.support.runtime_image import runtime_image  # noqa: F401 - a fixture of this test
from webapp.cli import main


@pytest.fixture
def labs_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "labs"
    root.mkdir()
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", str(root))
    return root


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A course of one chapter, "scaling", that links no lab yet."""
    folder = tmp_path / "content"
    folder.mkdir()
    (folder / "07-scaling.md").write_text(
        "---\ntitle: Scaling\norder: 7\nslug: scaling\nminutes: 30\nsummary: One sentence.\n"
        "objectives: [Explain one thing]\n---\n## Start\n\nSome words.\n", encoding="utf-8")
    return folder


def new(content_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["labs", "new", *args, "--content-dir", str(content_dir)])
    return result.exit_code, result.output


def test_the_scaffold_verifies_green_on_the_process_backend(labs_root: Path,
                                                            content_dir: Path) -> None:
    chapter = content_dir / "07-scaling.md"
    code, output = new(content_dir, "greeter", "--chapter", "scaling", "--title", "Greetings")
    assert code == 0, output
    assert f"created {labs_root / 'greeter'}" in output
    lab = get_lab("greeter")
    assert (lab.title, lab.chapter) == ("Greetings", "scaling")
    assert (lab.root / "README.md").read_text().startswith("# Greetings\n")
    assert_verifies_green(lab, get_backend("process"))
    linked = load_course(content_dir, {"greeter": {}}).chapter("scaling")
    assert linked is not None and linked.lab == "greeter"
    assert "lab: greeter\n---\n" in chapter.read_text()


@pytest.mark.docker
@pytest.mark.slow
def test_the_scaffold_verifies_green_on_docker(labs_root: Path, content_dir: Path,
                                               runtime_image: str) -> None:  # noqa: F811
    assert new(content_dir, "greeter", "--chapter", "scaling")[0] == 0
    assert_verifies_green(get_lab("greeter"), DockerBackend(image=runtime_image))


def assert_verifies_green(lab: Lab, backend: Any) -> None:
    """The scaffold as generated: its stub service runs beside the app, the check that turns
    the stub's fault knob passes on the reference and catches the mutant that lacks the
    fallback, and every row of verify agrees."""
    assert [c.id for c in load_checks(lab)] == [
        "health_answers", "greeting_names_the_caller", "salutations_down_falls_back_to_hello"]
    assert [(s.name, s.kind, s.command) for s in lab.services if s.name != "app"] == [
        ("salutations", "process", ("python3", "services/salutations.py"))]
    assert len(list(mutants_dir(lab).glob("*.toml"))) == 2
    report = verify(lab, backend)
    assert report.ok, findings(report) or report.rows
    assert [row.subject for row in report.rows] == [
        "alternatives", "solution", "alternative asyncio_streams", "alternative wsgi",
        "starter", "mutant greeting_ignores_the_name", "mutant no_fallback_when_salutations_fail"]
    assert report.rows[4].outcome == "20/100"
    unfailing = report.rows[6].checks
    assert [(c.id, c.status) for c in unfailing] == [
        ("health_answers", "passed"), ("greeting_names_the_caller", "passed"),
        ("salutations_down_falls_back_to_hello", "failed")]


def test_a_second_lab_of_a_chapter_goes_to_extra_labs(labs_root: Path, content_dir: Path) -> None:
    assert new(content_dir, "first-lab", "--chapter", "scaling")[0] == 0
    code, output = new(content_dir, "second-lab", "--chapter", "scaling")
    assert code == 0, output
    assert "(extra_labs: second-lab)" in output
    chapter = load_course(content_dir, {"first-lab": {}, "second-lab": {}}).chapter("scaling")
    assert chapter is not None
    assert (chapter.lab, chapter.extra_labs) == ("first-lab", ("second-lab",))
    assert (labs_root / "second_lab" / "lab.toml").is_file()


def test_ids_chapters_and_folders_are_checked(labs_root: Path, content_dir: Path) -> None:
    code, output = new(content_dir, "x", "--chapter", "no-such-chapter")
    assert code == 2 and "no chapter with slug 'no-such-chapter'" in output
    code, output = new(content_dir, "Rate_Limiter", "--chapter", "scaling")
    assert code == 1 and "must be lowercase letters and digits in words joined by hyphens" in output
    assert new(content_dir, "greeter", "--chapter", "scaling")[0] == 0
    code, output = new(content_dir, "greeter", "--chapter", "scaling")
    assert code == 1 and "a lab with id 'greeter' exists already" in output
    with pytest.raises(LabScaffoldError, match='must not contain quotes'):
        new_lab("quoted", "scaling", labs_root, title='Say "hi"')


def test_the_chapter_checks_green_right_after_the_scaffold(labs_root: Path,
                                                           content_dir: Path) -> None:
    """docs/authoring.md, step 1: the new lab is linked and boxed, so `archlab content check`
    passes at once; a second lab of the chapter gets its own ```lab <id> box after the
    first, before the first section, and the chapter page shows both."""
    chapter = content_dir / "07-scaling.md"
    for lab_id in ("first-lab", "second-lab"):
        code, output = new(content_dir, lab_id, "--chapter", "scaling")
        assert code == 0, output
        assert f'wrote its "What you will build" box at {chapter}:' in output
        checked = CliRunner().invoke(main, ["content", "check", "--content-dir", str(content_dir)])
        assert checked.exit_code == 0, checked.output
    text = chapter.read_text()
    assert text.index("```lab\n- section: start\n") < text.index(
        "```lab second-lab\n- section: start\n") < text.index("## Start")
    assert "  checks: [health_answers, greeting_names_the_caller, " \
           "salutations_down_falls_back_to_hello]\n" in text
    course = load_course(content_dir, check_titles())
    assert course.problems == []
    page = course.chapter("scaling")
    assert page is not None
    assert 'id="what-you-will-build-second-lab"' in page.html


def test_a_chapter_without_sections_is_linked_and_told_what_box_to_write(
        labs_root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bare"
    folder.mkdir()
    (folder / "01-bare.md").write_text(
        "---\ntitle: Bare\norder: 1\nslug: bare\nminutes: 5\nsummary: One sentence.\n"
        "objectives: [Explain one thing]\n---\nNo sections yet.\n", encoding="utf-8")
    code, output = new(folder, "greeter", "--chapter", "bare")
    assert code == 0, output
    assert "has no '## ' section: before `archlab content check` passes, write its box, " \
           "a ```lab block" in output
    assert "```lab" not in (folder / "01-bare.md").read_text()


def test_the_scaffold_meets_the_course_readme_standard(labs_root: Path, content_dir: Path) -> None:
    """What every course lab's suite holds its README to (tests/support/lab_contract.py and
    the Limits table of tests/labs/test_readmes_state_the_limits.py), so a lab scaffolded into
    labs/ keeps the suite green and starts from the contract docs/authoring.md asks for."""
    assert new(content_dir, "greeter", "--chapter", "scaling")[0] == 0
    lab = LabFolder("greeter", root=labs_root)
    lab_contract.expect_100_points_with_hints(lab, at_least=3)
    lab_contract.expect_readme_grades_the_check_ids(lab)
    lab_contract.expect_readme_documents_the_app_env(lab)
    lab_contract.expect_readme_states_how_the_app_runs(lab)
    assert limits_mismatches(lab.path, lab.readme) == []


def test_drafts_outside_the_course_are_looked_up_before_the_course_labs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/authoring.md's drafts: ARCHLAB_LABS_ROOT=~/drafts:labs writes the new lab to
    ~/drafts and every lookup sees it and the course's labs. A drafts folder alone hid the
    course's labs: content check named every chapter's lab as missing."""
    drafts = tmp_path / "drafts"
    drafts.mkdir()
    content = shutil.copytree(LABS_ROOT.parent / "content", tmp_path / "content")
    monkeypatch.setenv("ARCHLAB_LABS_ROOT", f"{drafts}{os.pathsep}{LABS_ROOT}")
    code, output = new(content, "token-bucket", "--chapter", "scalability")
    assert code == 0, output
    assert f"created {drafts / 'token_bucket'}" in output
    assert {"token-bucket", "rate-limiter", "sharding"} <= set(lab_ids())
    assert get_lab("token-bucket").root == drafts / "token_bucket"
    assert get_lab("sharding").root == LABS_ROOT / "sharding"
    checked = CliRunner().invoke(main, ["content", "check", "--content-dir", str(content)])
    assert checked.exit_code == 0, checked.output
    code, output = new(content, "rate-limiter", "--chapter", "scalability")
    assert code == 1 and f"a lab with id 'rate-limiter' exists already in {LABS_ROOT}" in output
    assert not (drafts / "rate_limiter").exists()
