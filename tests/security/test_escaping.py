"""Learner-provided text is escaped on every page that shows it: names and emails, file names,
check messages and evidence (the learner service's own answers) and the service's log, all
through a real grade of a hostile submission; the gradebook CSV neutralises spreadsheet
formulas."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest

from tests.grading.grading_helpers import TOY_LAB, finished, wait_for
from tests.security.conftest import TOY, Visitor, learner_sandboxes, security_app
from tests.security.route_table import fill
from tests.webapp.conftest import PASSWORD, AuthActions
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.grading.pool import EmbeddedPool
from webapp.models import ADMIN

SCRIPT = "<script>alert('xss')</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(", "<img src=x")  # either, unescaped in HTML, would run
ESCAPED = ("&lt;script&gt;alert(", "&lt;img src=x")
NAME = f"{SCRIPT}{IMG}"
EMAIL = '"><img/src/onerror=alert(1)>@example.org'
FORMULA_NAME = '=HYPERLINK("http://evil.example","x")'
FORMULA_EMAIL = "+1+1@example.org"


def hostile_app() -> str:
    """The toy solution, but every item's name is a payload and the log prints both."""
    source = (TOY_LAB / "solution" / "app.py").read_text()
    new_id, main = 'item["id"] = len(ITEMS) + 1', 'if __name__ == "__main__":'
    changes = {new_id: f'{new_id}\n        item["name"] = {IMG!r}',
               main: f"{main}\n    print({NAME!r}, flush=True)"}
    for old, new in changes.items():
        assert source.count(old) == 1, f"expected {old!r} once in the toy solution"
        source = source.replace(old, new)
    return source


@dataclass
class Stage:
    ada: Visitor
    grace: Visitor
    welcome: str
    submission: int
    regrade: int


@pytest.fixture(scope="module")
def stage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stage]:
    with learner_sandboxes():
        app = security_app(tmp_path_factory.mktemp("escaping"))
        with app.app_context():
            # an admin: her pages show every learner, in a class or not
            create_user(get_session(), "grace@example.org", "Grace", PASSWORD, ADMIN)
            create_user(get_session(), FORMULA_EMAIL, FORMULA_NAME, PASSWORD)
        ada = AuthActions(app.test_client())
        assert ada.register(EMAIL, name=NAME).status_code == 302, "expected Ada to register"
        welcome = ada.client.get("/").get_data(as_text=True)
        ada_visitor = Visitor(ada.client)
        grace = AuthActions(app.test_client())
        grace.login("grace@example.org")
        grace_visitor = Visitor(grace.client)
        pool = EmbeddedPool(app, workers=1).start()
        try:
            sent = ada_visitor.call("POST", f"/labs/{TOY}/submissions", data={
                "files": [(io.BytesIO(hostile_app().encode()), "app.py")]},
                content_type="multipart/form-data")
            assert sent.status_code == 303, f"expected the submission in, got {sent.status}"
            submission = int(sent.headers["Location"].rsplit("/", 1)[1])
            graded = wait_for(app, submission, finished, timeout=120, what="the grade")
            assert graded.score is not None and graded.score < graded.max_score
            regraded = grace_visitor.call("POST", f"/instructor/labs/{TOY}/regrades")
            regrade = int(regraded.headers["Location"].rsplit("/", 1)[1])
            wait_for(app, submission, finished, timeout=120, what="the regrade")
        finally:
            pool.stop()
        yield Stage(ada_visitor, grace_visitor, welcome, submission, regrade)


def assert_escaped(page: str, where: str, shown: tuple[str, ...] = ESCAPED) -> None:
    for raw in RAW:
        assert raw not in page, f"{where}: expected {raw!r} escaped, found it raw"
    for escaped in shown:
        assert escaped in page, f"{where}: expected the payload shown escaped ({escaped!r})"


def test_name_is_escaped_in_the_welcome_and_the_navigation(stage: Stage) -> None:
    assert_escaped(stage.welcome, "home page after registering")
    assert_escaped(stage.ada.call("GET", "/progress").get_data(as_text=True), "/progress nav")


def test_check_messages_evidence_and_log_are_escaped_on_the_result_page(stage: Stage) -> None:
    for visitor, who in ((stage.ada, "Ada"), (stage.grace, "the instructor")):
        page = visitor.call("GET", f"/submissions/{stage.submission}").get_data(as_text=True)
        assert_escaped(page, f"the result page as {who}")
        for part in ('class="check-message"', 'class="check-evidence"', 'class="log-tail"'):
            assert part in page, f"expected the result page to show {part}"
        live = visitor.call("GET", f"/submissions/{stage.submission}/live?attempt=0")
        assert_escaped(live.get_data(as_text=True), f"the live rows as {who}", ESCAPED[1:])


@pytest.mark.parametrize("path", ["/instructor/gradebook", "/instructor/gradebook/{ada}/toy-items",
                                  "/instructor/regrades/{regrade}"])
def test_instructor_pages_escape_learner_names(stage: Stage, path: str) -> None:
    url = path.format(ada=stage.ada.user_id(), regrade=stage.regrade)
    assert_escaped(stage.grace.call("GET", url).get_data(as_text=True), url)


def test_history_and_error_pages_show_nothing_raw(stage: Stage) -> None:
    history = stage.ada.call("GET", f"/labs/{TOY}/submissions").get_data(as_text=True)
    assert_escaped(history, "the history page", shown=())
    refused = stage.ada.call("POST", f"/labs/{TOY}/submissions", data={
        "files": [(io.BytesIO(b"x"), f"../{IMG}.py")]}, content_type="multipart/form-data")
    assert refused.status_code == 400, f"expected the bad name refused, got {refused.status}"
    assert_escaped(refused.get_data(as_text=True), "the refused upload's page", ESCAPED[1:])


def test_file_names_and_contents_travel_only_as_json(stage: Stage) -> None:
    saved = stage.ada.call("POST", f"/labs/{TOY}/draft/file",
                           json={"path": f"{SCRIPT}.py", "content": IMG})
    assert saved.mimetype == "application/json", f"expected JSON, got {saved.mimetype}"
    assert saved.headers["X-Content-Type-Options"] == "nosniff"
    assert saved.get_json()["files"][f"{SCRIPT}.py"] == IMG
    page = stage.ada.call("GET", f"/labs/{TOY}").get_data(as_text=True)
    assert_escaped(page, "the lab page", shown=())


def test_gradebook_csv_neutralises_formulas(stage: Stage) -> None:
    response = stage.grace.call("GET", "/instructor/gradebook.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    cells = [cell for row in rows[1:] for cell in row[:2]]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == [], f"expected formula-like cells neutralised, got {dangerous}"
    assert f"'{FORMULA_NAME}" in cells and f"'{FORMULA_EMAIL}" in cells, json.dumps(cells)


def test_names_in_urls_come_back_escaped(stage: Stage) -> None:
    """Every GET route's string parameters (lab ids, chapter slugs, file names) get a payload."""
    app = stage.ada.client.application
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
             and rule.arguments - {"submission_id", "user_id", "regrade_id"}]
    assert len(rules) > 5, "expected GET routes with string parameters"
    for rule in rules:
        url = fill(rule, dict.fromkeys(rule.arguments, quote(IMG, safe="")))
        for visitor in (stage.ada, stage.grace):
            page = visitor.call("GET", url).get_data(as_text=True)
            assert_escaped(page, f"GET {url}", shown=())
