"""What every lab promises its learners, as named checks the lab suites call.

The checks add up to 100 points and each has a hint; the README's "What is graded" table
lists exactly the graded checks; its variables table names every variable the app gets; it
states the numbers the checks grade against (the app's limits, the grader's waits, each
lab's own bounds), and so does the chapter's "What you will build" box where it gives one.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.lab_folder import LabFolder

CONTENT = Path(__file__).resolve().parents[2] / "content"


def expect_100_points_with_hints(lab: LabFolder, at_least: int) -> None:
    checks = lab.checks
    assert checks.max_score == 100, f"expected 100 points, got {checks.max_score}"
    assert len(checks) >= at_least, f"expected at least {at_least} checks, got {len(checks)}"
    assert all(check.hint for check in checks), "expected a hint on every check"


def grading_rows(lab: LabFolder, row: str) -> list[tuple[str, str]]:
    """The (check, points) pairs that the `row` pattern finds below "## What is graded"."""
    section = lab.readme.split("## What is graded", 1)[1]
    return re.findall(row, section, flags=re.MULTILINE)


def expect_readme_grades_the_checks(lab: LabFolder) -> None:
    """The README's grading table rows are the checks' names and points, in order."""
    rows = grading_rows(lab, r"^\| (.+?) \| (\d+) \|$")
    assert rows == [(check.name, str(check.points)) for check in lab.checks]


def expect_readme_grades_the_check_ids(lab: LabFolder) -> None:
    """The README's grading table starts each row with a check's `id` and its points, in
    order (for a table with more columns, say what each check does)."""
    rows = grading_rows(lab, r"^\| `([a-z0-9_]+)` \| (\d+) \|")
    assert rows == [(check.id, str(check.points)) for check in lab.checks]


def expect_readme_documents_the_app_env(lab: LabFolder) -> None:
    """The README's variables table names PORT and every variable lab.toml gives the app."""
    documented = set(re.findall(r"^  \| `([A-Z_]+)` \|", lab.readme, flags=re.MULTILINE))
    assert documented == {"PORT", *lab.spec.app.env}


def readme_text(lab: LabFolder) -> str:
    """The README as one line of single-spaced words: a stated phrase may wrap anywhere."""
    return " ".join(lab.readme.split())


def expect_readme_says(lab: LabFolder, *phrases: str) -> None:
    """Every phrase (a number the grader uses, in its sentence) stands in the README."""
    text = readme_text(lab)
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"{lab.path.name}/README.md does not say {missing}"


CPUS = {0.5: "half a CPU", 1.0: "one CPU"}


def expect_readme_states_the_graders_waits(lab: LabFolder) -> None:
    """The README gives the grader's wait for one answer and each check's time, as the
    runner and lab.toml's [grading] set them."""
    from labs.runner import HTTP_TIMEOUT

    expect_readme_says(lab, f"waits at most {HTTP_TIMEOUT:g} s for each answer",
                       f"gives each check {lab.spec.grading.check_timeout:g} s in all")


def expect_readme_states_how_the_app_runs(lab: LabFolder) -> None:
    """The README names the address the sandbox gives the app (`$HOST`: 127.0.0.1 on the
    process backend, so never a fixed 0.0.0.0), the app's ready wait and its limits as
    lab.toml sets them, and the grader's waits."""
    app = lab.spec.app
    expect_readme_says(
        lab,
        "on address `$HOST` (the sandbox sets it), port `$PORT`",
        f"within {app.ready.timeout:g} seconds of starting",
        f"{app.limits['memory_mb']:g} MB of memory, {CPUS[app.limits['cpus']]}, "
        f"{app.limits['pids']:g} processes/threads",
    )
    assert 'host="0.0.0.0"' not in lab.readme, "the README listens on a fixed 0.0.0.0"
    expect_readme_states_the_graders_waits(lab)


def lab_box(lab: LabFolder) -> str:
    """The text of the chapter's ```lab block for this lab, as one line of words: the
    block fenced ```lab <id> anywhere, or the plain ```lab block of the chapter whose front
    matter names the lab."""
    for chapter in sorted(CONTENT.glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        own = re.search(rf"^```lab {re.escape(lab.spec.id)}\n(.*?)^```$", text,
                        flags=re.MULTILINE | re.DOTALL)
        main = re.search(r"^```lab\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
        if own is None and re.search(rf"^lab: {re.escape(lab.spec.id)}$", text, re.MULTILINE):
            own = main
        if own:
            return " ".join(own.group(1).split())
    raise AssertionError(f"no chapter has a ```lab block for {lab.spec.id}")


def expect_lab_box_says(lab: LabFolder, *phrases: str) -> None:
    """Every phrase (a number the grader uses) stands in the chapter's box for the lab."""
    box = lab_box(lab)
    missing = [phrase for phrase in phrases if phrase not in box]
    assert not missing, f"the chapter's lab box for {lab.spec.id} does not say {missing}"


def chapter_text(lab: LabFolder) -> str:
    """The text of the chapter that links the lab (front matter `lab:` or `extra_labs:`),
    as one line of words."""
    lab_id = re.escape(lab.spec.id)
    for chapter in sorted(CONTENT.glob("*.md")):
        text = chapter.read_text(encoding="utf-8")
        if re.search(rf"^(lab: {lab_id}|extra_labs: \[.*\b{lab_id}\b.*\])$", text,
                     flags=re.MULTILINE):
            return " ".join(text.split())
    raise AssertionError(f"no chapter links lab {lab.spec.id}")


def expect_chapter_says(lab: LabFolder, *phrases: str) -> None:
    """Every phrase (a number the grader uses, where the chapter teaches it) stands in the
    chapter that links the lab."""
    text = chapter_text(lab)
    missing = [phrase for phrase in phrases if phrase not in text]
    assert not missing, f"the chapter of lab {lab.spec.id} does not say {missing}"
