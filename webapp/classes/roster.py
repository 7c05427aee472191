"""Importing a class roster from CSV (`email,name` per line, an optional header line):
each row enrols an existing account or creates one. Every row is checked before anything is
written, and the whole import is one transaction: a bad row means nothing is imported, and
every bad row is reported by its line number. An existing account in other instructors'
classes only is not enrolled (reported instead): its learner joins with the class's code."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from webapp.auth.accounts import find_by_email, new_user
from webapp.auth.forms import EMAIL
from webapp.classes.cohorts import enrol, is_member
from webapp.classes.teaching import taught_elsewhere
from webapp.models import Cohort, User

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
MAX_NAME = 100
MAX_EMAIL = 254


class RosterErrors(ValueError):
    """The roster has bad rows; `problems` holds one "line N: ..." per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class RosterRow:
    line: int
    email: str
    name: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    enrolled: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)  # in classes the importer does not teach


def parse(data: bytes) -> list[RosterRow]:
    """The roster's rows, or RosterErrors naming every bad line."""
    if len(data) > MAX_BYTES:
        raise RosterErrors([f"the file is larger than {MAX_BYTES // 1024} KiB"])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise RosterErrors([f"line {line}: not UTF-8 text (save the CSV as UTF-8)"]) from exc
    rows, problems, seen = [], [], {}
    reader = csv.reader(io.StringIO(text))
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if not rows and not problems and cells[0].strip().lower() == "email":
                continue  # the header line
            row, problem = _row(line, cells)
            if problem is None and row.email in seen:
                problem = f"{row.email} is also on line {seen[row.email]}"
            if problem is not None:
                problems.append(f"line {line}: {problem}")
            else:
                seen[row.email] = line
                rows.append(row)
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: {exc}")
    if len(rows) + len(problems) > MAX_ROWS:
        problems.insert(0, f"a roster holds at most {MAX_ROWS} learners")
    if problems:
        raise RosterErrors(problems)
    if not rows:
        raise RosterErrors(["the file has no learners (expected lines of email,name)"])
    return rows


def _row(line: int, cells: list[str]) -> tuple[RosterRow, str | None]:
    email = cells[0].strip().lower()
    name = cells[1].strip() if len(cells) > 1 else ""
    row = RosterRow(line, email, name)
    if len(cells) > 2:
        return row, f"expected 2 columns (email,name), found {len(cells)}"
    if len(email) > MAX_EMAIL or not EMAIL.regex.match(email):
        return row, f"{email!r} is not an email address"
    if len(name) > MAX_NAME:
        return row, f"the name is longer than {MAX_NAME} characters"
    return row, None


def import_roster(session: Session, cohort: Cohort, data: bytes, importer: User
                  ) -> ImportReport:
    """Enrol every learner of the CSV `data` in `cohort`, creating missing accounts (with a
    random password nobody knows: the learner sets one by a password reset), except those in
    classes `importer` teaches none of. All or nothing."""
    rows = parse(data)
    report = ImportReport()
    try:
        for row in rows:
            user = find_by_email(session, row.email)
            if user is None:
                user = new_user(row.email, row.name, secrets.token_urlsafe(32))
                session.add(user)
                session.flush()
                enrol(session, cohort, user)
                report.created.append(row.email)
            elif not is_member(session, cohort, user) and taught_elsewhere(
                    session, importer, user.id):
                report.elsewhere.append(row.email)
            elif enrol(session, cohort, user):
                report.enrolled.append(row.email)
            else:
                report.already.append(row.email)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report
