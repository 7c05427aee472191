"""Deep linking from the fake LMS: an instructor picks a lab and the LMS receives a signed
LtiDeepLinkingResponse with one LTI resource link to it (custom lab=<id>, a line item), which
then launches learners into that lab; learners and LMSs that take no resource links are
refused."""

from __future__ import annotations

import re

import httpx
from flask import Flask

from tests.lti.launching import launch
from tests.support.lti_platform import (
    DEEP_LINKING_REQUEST,
    DL,
    INSTRUCTOR,
    FakePlatform,
    LaunchSpec,
)

PICKER = dict(sub="teacher-1", roles=(INSTRUCTOR,), message_type=DEEP_LINKING_REQUEST)


def test_an_instructor_adds_a_lab_to_the_course(tool: str, tool_app: Flask,
                                                platform: FakePlatform):
    teacher = httpx.Client()
    answer = launch(teacher, platform, LaunchSpec(**PICKER))
    assert answer.status_code == 302 and answer.headers["location"] == "/lti/deep-link"
    picker = teacher.get(f"{tool}/lti/deep-link")
    assert 'value="toy-items"' in picker.text
    token = picker.text.split('name="csrf_token" value="')[1].split('"')[0]
    page = teacher.post(f"{tool}/lti/deep-link", data={"csrf_token": token,
                                                       "lab_id": "toy-items"})
    assert page.status_code == 200
    assert f"form-action 'self' {platform.url}" in page.headers["Content-Security-Policy"]
    action = f"{platform.url}/deep-link-return"
    assert f'<form method="post" action="{action}">' in page.text
    response_jwt = re.search(r'name="JWT" value="([^"]+)"', page.text)
    assert response_jwt, "expected the signed response in the form to the LMS"
    received = httpx.post(action, data={"JWT": response_jwt.group(1)})
    assert received.status_code == 200, received.text
    assert platform.content_items == [{
        "type": "ltiResourceLink", "title": "Toy items", "url": f"{tool}/lti/launch",
        "custom": {"lab": "toy-items"},
        "lineItem": {"scoreMaximum": platform.content_items[0]["lineItem"]["scoreMaximum"],
                     "label": "Toy items", "resourceId": "toy-items"}}]
    assert platform.content_items[0]["lineItem"]["scoreMaximum"] > 0
    learner = launch(httpx.Client(), platform, LaunchSpec(
        sub="learner-7", resource_link_id="from-deep-link",
        custom=platform.content_items[0]["custom"]))
    assert learner.headers["location"] == "/labs/toy-items"
    assert teacher.get(f"{tool}/lti/deep-link").status_code == 400, "a pick is used once"


def test_a_learner_cannot_add_labs(tool: str, platform: FakePlatform):
    answer = launch(httpx.Client(), platform,
                    LaunchSpec(sub="learner-7", message_type=DEEP_LINKING_REQUEST))
    assert answer.status_code == 400 and "Only instructors add archlab labs" in answer.text


def test_an_lms_that_takes_no_resource_links_is_refused(tool: str, platform: FakePlatform):
    platform.next_token = {"claims": {DL + "deep_linking_settings": {
        "deep_link_return_url": f"{platform.url}/deep-link-return", "accept_types": ["file"]}}}
    answer = launch(httpx.Client(), platform, LaunchSpec(**PICKER))
    assert answer.status_code == 400 and "does not accept LTI resource links" in answer.text
