"""What run_autograder runs for one Gradescope submission: grade the submission with the
bundled lab on the process sandbox and write results/results.json.

Gradescope shows an error instead of feedback when results.json is missing, so every way
this can end writes one: a grade (whatever its verdict), or a zero naming what went wrong.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path

from labs.catalog import load_checks
from labs.reports.gradescope import render_gradescope
from labs.runner import grade
from labs.spec import load_lab
from sandboxes import get_backend


def submission_folder(submission: Path) -> Path:
    """The folder to grade: a learner who zipped their project folder (one folder and
    nothing else at the top) gets that folder graded, as if they had zipped its contents."""
    entries = [p for p in submission.iterdir() if p.name not in ("__MACOSX", ".DS_Store")]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return submission


def failed_results(why: str) -> str:
    """A results.json worth zero points that tells the learner why nothing was graded."""
    return json.dumps({"score": 0, "output": why, "visibility": "visible",
                       "stdout_visibility": "hidden", "tests": []}, indent=2) + "\n"


def run(root: Path) -> Path:
    """Grade root/submission against root/source/lab; return the results.json written."""
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    try:
        lab = load_lab(root / "source" / "lab")
        result = grade(lab, submission_folder(root / "submission"),
                       backend=get_backend("process"), checks=load_checks(lab))
        results.write_text(render_gradescope(result), encoding="utf-8")
    except Exception as exc:  # anything: Gradescope must still get a results.json
        traceback.print_exc()
        results.write_text(failed_results(
            f"The autograder itself failed ({exc.__class__.__name__}: {exc}); this is not "
            f"your submission's fault. Tell your instructor."), encoding="utf-8")
    return results


if __name__ == "__main__":
    written = run(Path(sys.argv[1]))
    print(f"archlab: wrote {written}")
