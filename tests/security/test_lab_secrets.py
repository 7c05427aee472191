"""Nobody, learner or instructor, reaches a lab's solution/, checks.py or mutants/ through any
route: every GET rule's parameters are filled with path tricks (../, encoded %2e%2e and %2f,
double encoding, backslashes, absolute paths), and file names the draft and the grader accept
are held to the same rule."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.security.conftest import REST_LAB, World

SECRET_PARTS = ("solution", "checks.py", "mutants")
REFUSED = (302, 308, 403, 404)


def tricks(labs_root: Path) -> list[str]:
    lab = labs_root / REST_LAB
    return [
        f"../{REST_LAB}/solution/app.py",
        f"../../labs/{REST_LAB}/checks.py",
        f"..%2f..%2flabs%2f{REST_LAB}%2fsolution%2fapp.py",
        f"%2e%2e/%2e%2e/labs/{REST_LAB}/checks.py",
        f"%252e%252e%252f{REST_LAB}%252fchecks.py",
        f"..\\..\\labs\\{REST_LAB}\\solution\\app.py",
        f"..%5c..%5clabs%5c{REST_LAB}%5cchecks.py",
        f"....//....//labs/{REST_LAB}/checks.py",
        str(lab / "solution" / "app.py"),
        str(lab / "checks.py"),
        f"{REST_LAB}/mutants/create_returns_200.toml",
        "rest-api/../rest_api/solution/app.py",
    ]


def secret_lines(lab: Path) -> list[str]:
    """Lines of the lab's secret files that its README and starter do not show anyway."""
    public = (lab / "README.md").read_text() + "".join(
        p.read_text() for p in (lab / "starter").rglob("*") if p.is_file())
    secret = [lab / "checks.py", *(lab / "solution").rglob("*.py"), *(lab / "mutants").glob("*")]
    lines = {line.strip() for path in secret for line in path.read_text().splitlines()
             if len(line.strip()) > 30}
    distinctive = sorted(line for line in lines if line not in public)
    assert len(distinctive) > 100, "expected the secret files to have many lines of their own"
    return distinctive


@pytest.fixture(scope="module")
def secrets(world: World) -> list[str]:
    return secret_lines(Path(world.app.config["LABS_ROOT"]) / REST_LAB)


def leaked(data: bytes, lines: list[str]) -> list[str]:
    text = data.decode("utf-8", errors="replace")
    return [line for line in lines if line in text]


def test_no_route_serves_a_secret_file_whatever_its_parameters(world: World,
                                                               secrets: list[str]) -> None:
    rules = [rule for rule in world.app.url_map.iter_rules()
             if rule.arguments and "GET" in (rule.methods or ())]
    assert len(rules) > 10, "expected many GET routes with parameters to play tricks with"
    for rule in rules:
        for trick in tricks(Path(world.app.config["LABS_ROOT"])):
            url = world.url(rule, **dict.fromkeys(rule.arguments, trick))
            for visitor in (world.anonymous, world.ada, world.grace):
                response = visitor.call("GET", url)
                assert leaked(response.data, secrets) == [], f"GET {url} leaks a secret file"
                assert response.status_code in REFUSED, (
                    f"GET {url}: expected 404 (or login, or 403), got {response.status}")


def test_the_rest_labs_workspace_shows_none_of_its_secrets(world: World,
                                                          secrets: list[str]) -> None:
    base = "/labs/rest-api"
    for method, path in (("GET", ""), ("GET", "/draft"), ("GET", "/draft.zip"),
                         ("POST", "/draft/reset")):
        response = world.ada.call(method, base + path)
        assert response.status_code == 200, f"{method} {base}{path}: got {response.status}"
        assert leaked(response.data, secrets) == [], f"{method} {base}{path} leaks"


@pytest.mark.parametrize("trick", ["../solution/app.py", "..\\checks.py", "/etc/passwd",
                                   "mutants/../../checks.py", "./checks.py", "a//b.py"])
def test_draft_and_grader_refuse_file_names_outside_the_submission(world: World,
                                                                   trick: str) -> None:
    base = "/labs/rest-api"
    saved = world.ada.call("POST", f"{base}/draft/file", json={"path": trick, "content": "x"})
    assert saved.status_code == 400, f"expected 400 saving {trick!r}, got {saved.status}"
    renamed = world.ada.call("POST", f"{base}/draft/rename", json={"path": "app.py", "to": trick})
    assert renamed.status_code == 400, f"expected 400 renaming to {trick!r}, got {renamed.status}"
    if "\\" in trick:
        return  # multipart quoting drops a lone backslash before the app sees the name
    submitted = world.ada.call("POST", f"{base}/submissions",
                               data={"files": [(io.BytesIO(b"x"), trick)]},
                               content_type="multipart/form-data")
    assert submitted.status_code == 400, (
        f"expected 400 submitting {trick!r}, got {submitted.status}")
