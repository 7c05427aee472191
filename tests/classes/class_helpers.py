"""Helpers of the class tests: create a class and set a due date the way the pages do."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.webapp.conftest import csrf_token

CLASS_PAGE = re.compile(r"/instructor/classes/(\d+)$")


def create_class(instructor: FlaskClient, name: str = "Backend 2026",
                 timezone: str = "Europe/Paris", counts: str = "best") -> tuple[int, str]:
    """Create a class through the form; returns its id and join code."""
    response = instructor.post("/instructor/classes", data={
        "csrf_token": csrf_token(instructor, "/instructor/classes"), "name": name,
        "timezone": timezone, "counts": counts})
    assert response.status_code == 303, response.get_data(as_text=True)
    cohort_id = int(CLASS_PAGE.search(response.headers["Location"]).group(1))
    page = instructor.get(f"/instructor/classes/{cohort_id}").get_data(as_text=True)
    return cohort_id, re.search(r'class="join-code">(\w+)<', page).group(1)


def post_class_form(client: FlaskClient, cohort_id: int, action: str, prefix: str,
                    **fields: object):  # type: ignore[no-untyped-def]
    """POST one of the class page's forms (`prefix` is the form's field prefix)."""
    page = f"/instructor/classes/{cohort_id}"
    data = {f"{prefix}-{key}": value for key, value in fields.items()}
    data[f"{prefix}-csrf_token"] = csrf_token(client, page)
    return client.post(f"{page}/{action}", data=data, content_type="multipart/form-data")
