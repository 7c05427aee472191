"""How long a learner's submission waits behind an instructor's lab preview on one grader.

    .venv/bin/python -m bench.preview_turns [--preview-lab rate-limiter]
        [--submit-lab rest-api] [--backend process|docker] [--runs 3]

One embedded worker (as `archlab serve` runs it with GRADING_WORKERS=1, or a class with one
`archlab worker` busy): a preview of --preview-lab is queued, and once its worker has stored
the solution's row (a grade of it is in flight) the reference of --submit-lab is submitted.
Prints, per run, the submission's queue wait (stored to claimed) and submit-to-score, how
many of the preview's rows were stored when it was submitted and when it was graded, and the
preview's own wall time; then the medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from flask import Flask

from bench.queue_site import POLL_S, queue_site, reference_files, submit_as, wait_graded
from labs.catalog import get_lab
from webapp.auth.accounts import create_user
from webapp.db import get_session
from webapp.grading import previews
from webapp.models import IN_FLIGHT, LabPreview, LabPreviewRow


def _progress(app: Flask, preview_id: int) -> tuple[str, int, int, float]:
    """(status, rows stored, rows planned, seconds from start to finish so far)."""
    with app.app_context():
        session = get_session()
        preview = session.get(LabPreview, preview_id)
        assert preview is not None
        stored = session.query(LabPreviewRow).filter_by(preview_id=preview_id).count()
        end = preview.finished_at or preview.started_at or preview.created_at
        return (preview.status, stored, len(json.loads(preview.planned)),
                (end - preview.created_at).total_seconds())


def one_run(backend: str, preview_lab: str, submit_lab: str, run: int) -> dict[str, float]:
    files = reference_files(submit_lab)
    with queue_site(backend, workers=1) as app:
        with app.app_context():
            session = get_session()
            author = create_user(session, f"author{run}@example.org", "author", "bench-pw-123",
                                 "instructor")
            learner = create_user(session, f"learner{run}@example.org", "learner",
                                  "bench-pw-123")
            preview_id = previews.start(session, app, get_lab(preview_lab), author).id
        while _progress(app, preview_id)[1] < 2:  # the alternatives and the solution rows
            time.sleep(POLL_S)
        at_submit = _progress(app, preview_id)[1]
        graded = wait_graded(app, [submit_as(app, learner, submit_lab, files)])[0]
        at_score = _progress(app, preview_id)[1]
        while (progress := _progress(app, preview_id))[0] in IN_FLIGHT:
            time.sleep(POLL_S)
        status, _, planned, preview_s = progress
    figures = {"queue_wait_s": graded.queue_wait_s, "submit_to_score_s": graded.submit_to_score_s,
               "rows_at_submit": at_submit, "rows_at_score": at_score, "rows": planned,
               "preview_s": preview_s}
    print(f"  run {run}: submission waited {graded.queue_wait_s:6.2f} s, scored after "
          f"{graded.submit_to_score_s:6.2f} s ({graded.verdict}); preview rows stored "
          f"{at_submit} -> {at_score} of {planned}; preview {status} in {preview_s:6.1f} s",
          flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preview-lab", default="rate-limiter")
    parser.add_argument("--submit-lab", default="rest-api")
    parser.add_argument("--backend", default="process", choices=("process", "docker"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"preview of {args.preview_lab} and a {args.submit_lab} submission on one "
          f"{args.backend} grader:")
    runs = [one_run(args.backend, args.preview_lab, args.submit_lab, run)
            for run in range(1, args.runs + 1)]
    for name in ("queue_wait_s", "submit_to_score_s", "preview_s"):
        values = [figures[name] for figures in runs]
        print(f"{name:18} median {statistics.median(values):6.2f}  max {max(values):6.2f}")


if __name__ == "__main__":
    main()
