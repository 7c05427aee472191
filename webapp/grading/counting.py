"""What counts for a learner now in each of their classes, as their own pages show it.

Per lab, for every class of the learner whose work the lab is (visibility.assigning), the
cell the class's gradebook holds for them: `gradebook.counted_cells` over the class's work
(`visibility.class_work`) under its deadlines and rule. The learner reads the very figure
their instructor reads, computed by the same code; nothing here decides what counts.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from webapp.classes.cohorts import cohorts_of, deadlines
from webapp.classes.deadlines import Deadline
from webapp.classes.visibility import assigning, class_work
from webapp.grading.gradebook import LAB, Cell, counted_cells
from webapp.models import Cohort, User


@dataclass(frozen=True)
class ClassCount:
    """What counts for the learner in one class for one lab: the gradebook's cell (None:
    nothing counts there yet) and their deadline there (None: the class does not date it)."""

    cohort: Cohort
    lab_id: str
    cell: Cell | None
    deadline: Deadline | None


def counts_for(session: Session, user: User, lab_ids: Collection[str],
               cohorts: Sequence[Cohort] | None = None) -> dict[str, list[ClassCount]]:
    """Lab id -> what counts in each class of `user` that assigns it (by class name; an
    empty list for a learner in no class). `cohorts`: all their classes (cohorts_of) when
    the caller has read them already. Queries: the classes (three, unless given), then one
    per class whatever the number of labs."""
    cohorts = cohorts_of(session, user) if cohorts is None else cohorts
    found: dict[str, list[ClassCount]] = {lab_id: [] for lab_id in lab_ids}
    for cohort in cohorts:
        labs = [lab_id for lab_id in found if cohort in assigning(cohorts, lab_id)]
        if not labs:
            continue
        cells = counted_cells(session, [user.id], labs, cohort, class_work(cohort))
        rules = deadlines(cohort, [user.id])
        for lab_id in labs:
            found[lab_id].append(ClassCount(cohort, lab_id, cells.get((user.id, LAB, lab_id)),
                                            rules.get((user.id, lab_id))))
    return found
