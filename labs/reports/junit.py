"""JUnit XML for CI dashboards: one testsuite per grade, one testcase per check.

A check that did not run (skipped, or blocked by a failed check it needs) is a `<skipped>`
case, so a CI dashboard counts one failure per mistake, not one per dependent check. What
stopped a grade (the app never became ready, crashed, ran out of time) is one `<error>` case
of its own, first, carrying the decisive log line and the log tail.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from labs.results import GradeResult, Status

# characters XML 1.0 forbids; a learner's log may contain them
NOT_RUN = (Status.SKIPPED, Status.BLOCKED)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str | None) -> str:
    return _NOT_XML.sub("?", text or "")


def render_junit(result: GradeResult) -> str:
    failures = sum(c.status is Status.FAILED for c in result.checks)
    skipped = sum(c.status in NOT_RUN for c in result.checks)
    errors = 1 if result.cause else 0
    counts = {"tests": str(len(result.checks) + errors), "failures": str(failures),
              "errors": str(errors), "skipped": str(skipped),
              "time": f"{result.duration_s:.3f}"}
    suites = ET.Element("testsuites", name="archlab", **counts)
    suite = ET.SubElement(suites, "testsuite", name=result.lab_id,
                          timestamp=result.started_at, **counts)
    properties = ET.SubElement(suite, "properties")
    for name, value in (("seed", result.seed), ("submission_id", result.submission_id),
                        ("verdict", result.verdict.value), ("gradable", result.gradable),
                        ("score", result.score), ("max_score", result.max_score)):
        ET.SubElement(properties, "property", name=name, value=xml_text(str(value)))
    if result.cause:
        stopped = ET.SubElement(suite, "testcase", classname=f"archlab.{result.lab_id}",
                                name=f"grade: {result.verdict.value}", time="0.000")
        error = ET.SubElement(stopped, "error", message=xml_text(result.cause),
                              type=result.verdict.value)
        error.text = xml_text("\n\n".join(part for part in (result.cause, result.cause_line,
                                                             result.log_tail) if part))
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname=f"archlab.{result.lab_id}",
                             name=xml_text(f"{check.id}: {check.name}"),
                             time=f"{check.duration_s:.3f}")
        if check.status is Status.FAILED:
            failure = ET.SubElement(case, "failure", message=xml_text(check.message),
                                    type="CheckFailed")
            failure.text = xml_text("\n\n".join(
                part for part in (check.message, check.evidence, check.hint and
                                  f"hint: {check.hint}") if part))
        elif check.status in NOT_RUN:
            ET.SubElement(case, "skipped", message=xml_text(check.message))
    ET.SubElement(suite, "system-out").text = xml_text(result.log_tail)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
