"""LTI 1.3 launches from a fake LMS that follows the spec, over real HTTP: a launch signs the
platform's user in (made on first launch, by issuer and sub) with the role of the LTI roles
claim and opens the lab of the link; each broken id_token is refused with a page that says
what was wrong, and signs nobody in."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.lti.launching import launch, start_login
from tests.support.lti_platform import DROP, INSTRUCTOR, LTI, FakePlatform, LaunchSpec, new_key
from webapp.db import get_session
from webapp.lti.launch import STATE_COOKIE_PREFIX
from webapp.models import LtiAccount, LtiLearnerLink, LtiResourceLink, User


def users(app: Flask) -> list[User]:
    with app.app_context():
        return list(get_session().scalars(select(User)))


def test_a_learner_launch_signs_in_and_opens_the_lab_of_the_link(
        tool: str, tool_app: Flask, platform: FakePlatform):
    browser = httpx.Client()
    answer = launch(browser, platform, LaunchSpec(sub="learner-7", name="Ada Lovelace"))
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"] == "/labs/toy-items"
    lab = browser.get(f"{tool}/labs/toy-items")
    assert lab.status_code == 200
    assert "Ada Lovelace" in lab.text
    with tool_app.app_context():
        session = get_session()
        account = session.scalar(select(LtiAccount))
        assert (account.issuer, account.sub) == (platform.url, "learner-7")
        user = session.get(User, account.user_id)
        assert user.role == "learner" and user.email.endswith(".invalid")
        link = session.scalar(select(LtiResourceLink))
        assert (link.resource_link_id, link.context_id, link.lab_id) == (
            "link-1", "course-42", "toy-items")
        assert link.lineitem_url == f"{platform.url}/lineitems/1"
        learner = session.scalar(select(LtiLearnerLink))
        assert (learner.user_id, learner.resource_link_id, learner.sub) == (
            user.id, link.id, "learner-7")


def test_the_same_platform_user_comes_back_as_the_same_account(
        tool: str, tool_app: Flask, platform: FakePlatform):
    for _ in range(2):
        assert launch(httpx.Client(), platform, LaunchSpec(sub="learner-7")).status_code == 302
    assert launch(httpx.Client(), platform, LaunchSpec(sub="learner-8")).status_code == 302
    assert len(users(tool_app)) == 2


def test_an_instructor_launch_makes_an_instructor(tool: str, tool_app: Flask,
                                                  platform: FakePlatform):
    browser = httpx.Client()
    answer = launch(browser, platform, LaunchSpec(sub="teacher-1", roles=(INSTRUCTOR,)))
    assert answer.status_code == 302
    assert [user.role for user in users(tool_app)] == ["instructor"]
    assert browser.get(f"{tool}/instructor/").status_code == 200


def test_the_tool_publishes_its_public_key_only(tool: str):
    keys = httpx.get(f"{tool}/lti/jwks").json()["keys"]
    assert len(keys) == 1
    key = keys[0]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert key["kid"] and key["n"] and key["e"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key), "the private key must never show"
    assert httpx.get(f"{tool}/lti/jwks").json()["keys"] == keys  # one key, kept


def now() -> int:
    return int(time.time())


BROKEN_TOKENS = {
    "bad signature": ({"key": new_key()}, "signature does not verify"),
    "wrong aud": ({"claims": {"aud": "another-tool"}}, "addressed to another tool"),
    "expired": ({"claims": {"iat": now() - 7200, "exp": now() - 3600}}, "has expired"),
    "unknown deployment": ({"claims": {LTI + "deployment_id": "deployment-9"}},
                           "deployment &#39;deployment-9&#39; of Fake LMS is not registered"),
    "wrong iss": ({"claims": {"iss": "https://evil.example"}}, "iss is not"),
    "no nonce": ({"claims": {"nonce": DROP}}, "lacks the nonce claim"),
    "other message": ({"claims": {LTI + "message_type": "LtiSubmissionReviewRequest"}},
                      "not &#39;LtiSubmissionReviewRequest&#39;"),
    "no resource link": ({"claims": {LTI + "resource_link": DROP}}, "names no resource link"),
}


@pytest.mark.parametrize("case", BROKEN_TOKENS, ids=list(BROKEN_TOKENS))
def test_a_broken_id_token_is_refused_with_a_clear_page(
        case: str, tool: str, tool_app: Flask, platform: FakePlatform):
    tweak, reason = BROKEN_TOKENS[case]
    platform.next_token = tweak
    browser = httpx.Client()
    answer = launch(browser, platform, LaunchSpec(sub="learner-7"))
    assert answer.status_code == 400
    assert "LTI launch refused" in answer.text
    assert reason in answer.text
    assert users(tool_app) == [], "a refused launch must sign nobody in"
    assert browser.get(f"{tool}/labs/toy-items").status_code == 302  # to the login page


def test_a_replayed_launch_is_refused(tool: str, tool_app: Flask, platform: FakePlatform):
    browser = httpx.Client()
    action, fields = start_login(browser, platform, LaunchSpec(sub="learner-7"))
    assert browser.post(action, data=fields).status_code == 302
    replayer = httpx.Client()  # with the state cookie too, as a thief would copy it
    replayer.cookies.set(STATE_COOKIE_PREFIX + fields["state"], fields["state"])
    again = replayer.post(action, data=fields)
    assert again.status_code == 400
    assert "already used" in again.text


def test_a_nonce_of_an_earlier_launch_is_refused(tool: str, platform: FakePlatform):
    first = httpx.Client()
    _action, fields = start_login(first, platform, LaunchSpec(sub="learner-7"))
    old_nonce = jwt.decode(fields["id_token"], options={"verify_signature": False})["nonce"]
    platform.next_token = {"claims": {"nonce": old_nonce}}
    answer = launch(httpx.Client(), platform, LaunchSpec(sub="learner-7"))
    assert answer.status_code == 400
    assert "nonce is not the one archlab sent" in answer.text


def test_a_launch_this_browser_did_not_start_is_refused(tool: str, platform: FakePlatform):
    action, fields = start_login(httpx.Client(), platform, LaunchSpec(sub="learner-7"))
    answer = httpx.Client().post(action, data=fields)  # another browser: no state cookie
    assert answer.status_code == 400
    assert "did not start this launch" in answer.text


def test_a_login_from_an_unregistered_lms_is_refused(tool: str, platform: FakePlatform):
    hint = platform.start(LaunchSpec(sub="x")).rsplit("/", 1)[1]
    params = {**platform.login_params(hint), "iss": "https://unknown.example",
              "client_id": ""}
    answer = httpx.post(platform.tool_login, data=params)
    assert answer.status_code == 400
    assert "No LMS with issuer https://unknown.example is registered" in answer.text


def test_a_link_without_a_lab_is_chosen_by_the_instructor_once(
        tool: str, tool_app: Flask, platform: FakePlatform):
    spec = {"resource_link_id": "link-2", "custom": {}}
    learner = httpx.Client()
    first = launch(learner, platform, LaunchSpec(sub="learner-7", **spec))
    waiting = learner.get(f"{tool}{first.headers['location']}")
    assert "opens no lab yet" in waiting.text
    teacher = httpx.Client()
    answer = launch(teacher, platform, LaunchSpec(sub="t-1", roles=(INSTRUCTOR,), **spec))
    assert answer.headers["location"].startswith("/lti/links/")
    page = teacher.get(f"{tool}{answer.headers['location']}")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    chosen = teacher.post(f"{tool}{answer.headers['location']}",
                          data={"csrf_token": token, "lab_id": "toy-items"})
    assert chosen.headers["location"] == "/labs/toy-items"
    again = launch(learner, platform, LaunchSpec(sub="learner-7", **spec))
    assert again.headers["location"] == "/labs/toy-items"
    with tool_app.app_context():
        assert get_session().scalar(select(func.count()).select_from(LtiResourceLink)) == 1
