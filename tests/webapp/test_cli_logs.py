"""`archlab serve` and `archlab worker` print the web app's own log records (the janitor's
recoveries) once each, on stderr."""

from __future__ import annotations

import subprocess
import sys

PROGRAM = """
import logging
from webapp.cli.logs import show_webapp_logs
show_webapp_logs()
show_webapp_logs()
logging.getLogger("webapp.grading.janitor").info("re-queued submission 7")
logging.getLogger("webapp.grading.janitor").debug("looked at 3 leases")
"""


def test_webapp_records_from_info_up_are_printed_once() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          check=True)
    lines = done.stderr.splitlines()
    assert [line.split(" ", 2)[2] for line in lines if "janitor" in line] == [
        "INFO webapp.grading.janitor: re-queued submission 7"]
    assert "looked at 3 leases" not in done.stderr


JSON_PROGRAM = """
import logging
from webapp.cli.logs import show_webapp_logs
show_webapp_logs(log_format="json")
log = logging.getLogger("webapp.grading.job")
log.info("graded submission %s", 7, extra={"submission_id": 7, "verdict": "graded"})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("grading submission %s failed", 8)
"""


def test_json_logs_are_one_object_a_line_with_the_records_fields() -> None:
    import json

    done = subprocess.run([sys.executable, "-c", JSON_PROGRAM], capture_output=True, text=True,
                          check=True)
    graded, failed = (json.loads(line) for line in done.stderr.splitlines())
    assert {k: graded[k] for k in ("level", "logger", "message", "submission_id", "verdict")} == {
        "level": "INFO", "logger": "webapp.grading.job", "message": "graded submission 7",
        "submission_id": 7, "verdict": "graded"}
    assert graded["time"].endswith("+00:00")
    assert failed["level"] == "ERROR" and "ZeroDivisionError" in failed["exception"]
