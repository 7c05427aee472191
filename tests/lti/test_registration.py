"""Registering an LMS: `archlab lti add-platform` and the instructor's /lti/platforms page,
which also shows the URLs to type into the LMS; a launch from the registered LMS then works."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from flask import Flask

from tests.grading.grading_helpers import logged_in
from tests.lti.launching import launch
from tests.support.lti_platform import FakePlatform, LaunchSpec
from tests.support.webapp_server import serving
from tests.webapp.conftest import csrf_token, log_in_instructor
from webapp.cli import main
from webapp.db import get_session
from webapp.lti.platforms import Registration, add_platform, all_platforms
from webapp.models import ADMIN

MOODLE = ["--name", "Moodle", "--issuer", "https://moodle.example.edu",
          "--client-id", "abc123", "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
          "--token-url", "https://moodle.example.edu/mod/lti/token.php",
          "--jwks-url", "https://moodle.example.edu/mod/lti/certs.php"]


@pytest.fixture
def site_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", "cli-test")
    return url


def test_add_platform_from_the_command_line(site_env: str):
    runner = CliRunner()
    added = runner.invoke(main, ["lti", "add-platform", *MOODLE, "--deployment-id", "1",
                                 "--deployment-id", "2"])
    assert added.exit_code == 0, added.output
    assert "registered Moodle" in added.output and "2 deployment(s)" in added.output
    listing = runner.invoke(main, ["lti", "platforms"]).output
    assert "https://moodle.example.edu" in listing and "deployments=1, 2" in listing
    again = runner.invoke(main, ["lti", "add-platform", *MOODLE, "--deployment-id", "1"])
    assert again.exit_code != 0 and "already registered" in again.output


def test_add_platform_refuses_plain_http_to_another_host(site_env: str):
    args = ["lti", "add-platform", *MOODLE, "--deployment-id", "1"]
    args[args.index("--jwks-url") + 1] = "http://moodle.example.edu/certs.php"
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code != 0
    assert "jwks_url: expected an https:// URL" in refused.output


def test_an_admin_registers_an_lms_on_the_page_and_it_launches(
        tool_app: Flask, platform: FakePlatform):
    client = logged_in(tool_app, "root@example.org", ADMIN)
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "/lti/login" in page and "/lti/launch" in page and "/lti/jwks" in page
    fields = platform.registration()
    fields["deployment_ids"] = "\n".join(fields["deployment_ids"])
    added = client.post("/lti/platforms", data={"csrf_token": csrf_token(client, "/lti/platforms"),
                                                **fields})
    assert added.status_code == 302
    assert platform.url in client.get("/lti/platforms").get_data(as_text=True)
    with serving(tool_app) as url:
        platform.connect_tool(url)
        answer = launch(httpx.Client(), platform, LaunchSpec(sub="learner-1"))
    assert answer.status_code == 302 and answer.headers["location"] == "/labs/toy-items"


def test_a_plain_instructor_sees_the_tool_urls_but_registers_no_lms(
        tool_app: Flask, platform: FakePlatform):
    with tool_app.app_context():
        add_platform(get_session(), Registration(**platform.registration()))
    client = tool_app.test_client()
    log_in_instructor(tool_app, client)
    page = client.get("/lti/platforms").get_data(as_text=True)
    assert "/lti/login" in page and "an admin of this site registers the LMS" in " ".join(
        page.split())
    assert platform.url not in page and "Register this LMS" not in page
    fields = {**platform.registration(), "client_id": "another", "deployment_ids": "1"}
    refused = client.post("/lti/platforms", data={
        "csrf_token": csrf_token(client, "/lti/platforms"), **fields})
    assert refused.status_code == 403
    with tool_app.app_context():
        assert [p.client_id for p in all_platforms(get_session())] == [
            platform.registration()["client_id"]]


def test_learners_cannot_register_an_lms(tool_app: Flask):
    client = logged_in(tool_app, "ada@example.org")
    assert client.get("/lti/platforms").status_code == 403
