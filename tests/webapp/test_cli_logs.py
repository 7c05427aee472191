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
