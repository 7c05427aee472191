"""Every lab README's "## Limits" table states the grader's clocks as the code sets them.

The rows' seconds are compared with lab.toml (the whole grade, one check, the start, the image
build), the engine (one answer, one readiness try, SIGTERM to SIGKILL) and the lab's checks
(how long a restarted app has, the grace of a graceful-shutdown check), and the messages a
learner sees when a limit is reached are the runner's own: the README and the code cannot
drift apart. Which stop and restart rows a lab needs is read from what its checks do to the
learner's programs (ctx.faults.stop/restart/reconfigure, wait_healthy).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from labs.catalog import LABS_ROOT, load_checks
from labs.checks import not_run
from labs.runner import HTTP_TIMEOUT, check_timed_out, time_limit_reached
from labs.scaffold import new_lab
from labs.spec import Lab, load_lab
from sandboxes.docker.backend import STOP_TIMEOUT as DOCKER_STOP_TIMEOUT
from sandboxes.process.service import STOP_TIMEOUT
from sandboxes.readiness import PROBE_S

LABS = sorted(path.parent for path in LABS_ROOT.glob("*/lab.toml"))
# A row is known by how its first column begins (the longer prefix first).
KINDS = (("The whole grade", "grade"), ("One check", "check"), ("Build", "build"),
         ("Start of your worker", "worker"), ("Start", "start"),
         ("One try of `GET /healthz`", "probe"), ("One answer", "answer"),
         ("Stop", "stop"), ("Restart", "restart"))
ROW = re.compile(r"^\| (.+?) \| (\d+(?:\.\d+)?) \| (.+) \|$", re.MULTILINE)
FAULT = re.compile(r'ctx\.faults\.(stop|restart|reconfigure)\("(\w+)"(?:, timeout=(\w+)\))?')
WAIT_HEALTHY = re.compile(r"wait_healthy\(ctx, (?:timeout=)?(\w+)\)")


def limits_section(readme: str) -> str:
    found = re.search(r"^## Limits\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    return found.group(1) if found else ""


def stated_rows(readme: str) -> tuple[dict[str, list[float]], dict[str, str], list[str]]:
    """The Limits table's seconds by row kind, each kind's text, and the labels of no kind."""
    seconds: dict[str, list[float]] = defaultdict(list)
    texts: dict[str, str] = {}
    unknown = []
    for label, value, text in ROW.findall(limits_section(readme)):
        kind = next((kind for prefix, kind in KINDS if label.startswith(prefix)), None)
        if kind is None:
            unknown.append(label)
            continue
        seconds[kind].append(float(value))
        texts[kind] = " ".join([texts.get(kind, ""), text])
    return seconds, texts, unknown


def checks_constants(lab: Lab) -> dict[str, Any]:
    """The names the lab's checks.py defines, as its checks see them (their module's globals:
    checks.py is loaded from its file, like the grader loads it)."""
    return next(iter(load_checks(lab))).function.__globals__


def expected_rows(folder: Path) -> dict[str, list[float]]:
    """The seconds each row kind must state for the lab in `folder`, from the code."""
    lab = load_lab(folder)
    constants = checks_constants(lab)
    source = (folder / "checks.py").read_text(encoding="utf-8")
    app = lab.app
    rows: dict[str, list[float]] = {"grade": [lab.grading.time_limit],
                                    "check": [lab.grading.check_timeout],
                                    "start": [app.ready.timeout], "answer": [HTTP_TIMEOUT]}
    if app.ready.http:
        rows["probe"] = [PROBE_S]
    if app.build:
        rows["build"] = [app.build.timeout]
    for service in lab.learner_services:
        if service.name == app.name:
            continue
        if service.ready.tcp:  # another instance of the app: "Start of each instance"
            assert service.ready.timeout == app.ready.timeout, service.name
        else:
            rows["worker"] = [service.ready.timeout]
    learners = {service.name for service in lab.learner_services}
    for operation, service, timeout in FAULT.findall(source):
        if service not in learners:
            continue
        rows.setdefault("stop", []).append(constants[timeout] if timeout else STOP_TIMEOUT)
        if operation == "reconfigure":  # started again and waited for as at the start
            rows.setdefault("restart", []).append(app.ready.timeout)
    for constant in WAIT_HEALTHY.findall(source):
        rows.setdefault("restart", []).append(constants[constant])
    return {kind: sorted(float(value) for value in values) for kind, values in rows.items()}


def limits_mismatches(folder: Path, readme: str) -> list[str]:
    """What the README's Limits table states wrong or leaves out for the lab in `folder`."""
    lab = load_lab(folder)
    stated, texts, unknown = stated_rows(readme)
    expected = expected_rows(folder)
    wrong = [f"a row the test does not know: {label!r}" for label in unknown]
    for kind in sorted(set(stated) | set(expected)):
        got, want = sorted(stated.get(kind, [])), expected.get(kind, [])
        if got != want:
            wrong.append(f"{kind} rows state {got} s, the code sets {want} s")
    quotes = {"grade": f"`{not_run(time_limit_reached(lab.grading.time_limit))}`",
              "check": f"`{check_timed_out(lab.grading.check_timeout)}`",
              "answer": f"`no answer within {HTTP_TIMEOUT:g}s:`"}
    wrong += [f"the {kind} row does not quote {quote}" for kind, quote in quotes.items()
              if quote not in texts.get(kind, "")]
    return wrong


def test_both_sandboxes_stop_a_program_alike() -> None:
    assert DOCKER_STOP_TIMEOUT == STOP_TIMEOUT


@pytest.mark.parametrize("folder", LABS, ids=lambda folder: folder.name)
def test_the_readme_states_the_limits_the_code_sets(folder: Path) -> None:
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert limits_section(readme), f"{folder.name}/README.md has no '## Limits' section"
    assert limits_mismatches(folder, readme) == []


def test_a_scaffolded_lab_starts_with_its_limits_stated(tmp_path: Path) -> None:
    folder = new_lab("greetings", "api-design", tmp_path)
    assert limits_mismatches(folder, (folder / "README.md").read_text(encoding="utf-8")) == []


def test_a_wrong_number_a_missing_row_or_an_unknown_row_is_named() -> None:
    sharding = LABS_ROOT / "sharding"
    readme = (sharding / "README.md").read_text(encoding="utf-8")
    time_limit = f"{load_lab(sharding).grading.time_limit:g}"
    wrong_limit = re.sub(rf"(\| The whole grade[^|]*\| ){time_limit} \|", r"\g<1>99 |", readme)
    assert wrong_limit != readme
    assert f"grade rows state [99.0] s, the code sets [{float(time_limit)}] s" in (
        limits_mismatches(sharding, wrong_limit))
    no_probe = re.sub(r"^\| One try of .*\n", "", readme, flags=re.MULTILINE)
    assert f"probe rows state [] s, the code sets [{PROBE_S}] s" in (
        limits_mismatches(sharding, no_probe))
    extra = readme.replace("| One check |", "| A nap | 3 | nothing |\n| One check |")
    assert limits_mismatches(sharding, extra) == ["a row the test does not know: 'A nap'"]


def test_a_restart_the_checks_wait_for_needs_its_row() -> None:
    saga = LABS_ROOT / "saga"
    no_restart = re.sub(r"^\| Restart: .*\n", "",
                        (saga / "README.md").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert limits_mismatches(saga, no_restart) == [
        "restart rows state [] s, the code sets [20.0] s"]
