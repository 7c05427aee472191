"""What a result shows of a submission past a given check row: the rows, the summary's counts,
and once the grade is over the outline, metrics and charts. The result page, its live polls and
the workspace's result panel render the same partials from it."""

from __future__ import annotations

from operator import attrgetter

from labs.results import outline
from webapp.db import get_session
from webapp.grading import service
from webapp.grading.charts import drawable
from webapp.models import Submission

POLL_MS = 300


def live_state(submission: Submission, after: int) -> dict[str, object]:
    """What the result page shows past row `after`. Once the grade is over, the rows are
    also outlined (each check that did not run sits with the check or cause that stopped it,
    which the summary states once at the top) and metrics name their check by its title."""
    session = get_session()
    rows = service.current_checks(session, submission, after)
    last = rows[-1].position if rows else after  # positions run 0, 1, 2... per attempt
    details = service.details_of(submission)
    charts, other_charts = drawable(details.get("charts", []))
    entries = None
    if not submission.in_flight:
        every = rows if after < 0 else service.current_checks(session, submission)
        entries = outline(every, id_of=attrgetter("check_id"))
        titles = {row.check_id: row.name for row in every}
        details["metrics"] = [{**metric, "check": titles.get(metric.get("check"),
                                                              metric.get("check"))}
                              for metric in details.get("metrics", [])]
    return {"rows": rows, "done": last + 1, "last": last, "details": details,
            "entries": entries, "charts": charts, "other_charts": other_charts,
            "poll_ms": POLL_MS}
