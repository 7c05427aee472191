"""The REST lab's reference solution never reaches a learner: not in the page, the draft, the
zip, a reset, nor any URL that tries to walk into the lab folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.workspace.workspace_helpers import Workspace

PROBES = [
    "/labs/rest-api/solution/app.py",
    "/labs/rest_api/solution/app.py",
    "/static/../labs/rest_api/solution/app.py",
    "/static/%2e%2e/%2e%2e/labs/rest_api/solution/app.py",
    "/labs/rest-api/draft/../solution/app.py",
    "/labs/..%2flabs%2frest_api%2fsolution/draft",
]


def solution_lines(labs_root: Path) -> list[str]:
    """Lines of the solution found neither in the starter nor in the README."""
    lab = labs_root / "rest_api"
    public = (lab / "README.md").read_text() + "".join(
        p.read_text() for p in (lab / "starter").rglob("*.py"))
    lines = {line.strip() for p in (lab / "solution").glob("*.py")
             for line in p.read_text().splitlines() if len(line.strip()) > 30}
    distinctive = sorted(line for line in lines if line not in public)
    assert len(distinctive) > 50, "expected the solution to have many lines of its own"
    return distinctive


def leaks(text: str, lines: list[str]) -> list[str]:
    return [line for line in lines if line in text]


def test_page_draft_zip_and_reset_show_only_the_starter(rest: Workspace, labs_root: Path) -> None:
    lines = solution_lines(labs_root)
    answers = {
        "page": rest.client.get("/labs/rest-api").get_data(as_text=True),
        "draft": rest.client.get("/labs/rest-api/draft").get_data(as_text=True),
        "zip": "".join(data.decode() for data in rest.download().values()),
        "reset": rest.post("/draft/reset").get_data(as_text=True),
    }
    for name, text in answers.items():
        assert leaks(text, lines) == [], f"the {name} leaks solution lines"
    assert set(rest.files()) == {"app.py"}


@pytest.mark.parametrize("url", PROBES)
def test_no_url_walks_into_the_lab_folder(rest: Workspace, labs_root: Path, url: str) -> None:
    response = rest.client.get(url)
    assert response.status_code in (404, 405), f"expected 404 for {url}, got {response.status_code}"
    assert leaks(response.get_data(as_text=True), solution_lines(labs_root)) == []


def test_a_draft_cannot_name_a_path_outside_itself(rest: Workspace) -> None:
    for path in ("../solution/app.py", "../../rest_api/solution/app.py"):
        assert rest.save(path, "x").status_code == 400
        rename = rest.post("/draft/rename", {"path": "app.py", "to": path})
        assert rename.status_code == 400
    assert set(rest.files()) == {"app.py"}
