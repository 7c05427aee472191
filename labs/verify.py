"""Check a lab before learners see it: the solution and every alternative correct solution
score full marks, the starter does not, and every known mistake (a mutant of the solution) is
caught by the check it names. A lab the backend cannot grade (lab.toml `requires`) is
reported as such, not as a failure.

A mistake is named once: a mutant's grade must fail its caught_by check and no other (checks
kept from running by it do not count), except the checks its `also_fails` lists, contracts the
same mistake breaks independently. A second failure would tell the learner the same cause again.

Alternatives (labs/<lab>/alternatives/<name>/, written independently in other styles) catch
false negatives: a check that demands one way of doing right fails them. Each grade is
repeated `repeat` times, so a check that passes or fails by luck shows up.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from labs.answers import AnswerLog
from labs.catalog import alternative_dirs, load_checks, mutants_dir, solution_dir, starter_dir
from labs.checks import NOT_RUN, Checks
from labs.results import CheckResult, GradeResult, Status, Verdict
from labs.runner import grade
from labs.spec import Lab, display_path, key_line, toml_error

MIN_ALTERNATIVES = 2


class MutantError(ValueError):
    """A mutant file is malformed or does not apply to the solution; names the file."""


@dataclass(frozen=True)
class Replacement:
    file: str
    old: str
    new: str


@dataclass(frozen=True)
class Mutant:
    name: str
    path: Path
    description: str
    caught_by: str
    replacements: tuple[Replacement, ...]
    also_fails: tuple[str, ...] = ()  # other checks this one mistake fails on their own


def load_mutant(path: Path) -> Mutant:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()

    def at(*keys: str) -> str:  # `file:line` of the key a message is about
        return f"{display_path(path)}:{key_line(lines, keys)}"

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MutantError(toml_error(display_path(path), exc)) from exc
    unknown = sorted(set(data) - {"description", "caught_by", "also_fails", "replace"})
    if unknown:
        raise MutantError(f"{at(unknown[0])}: unknown keys {unknown} (allowed: description, "
                          "caught_by, also_fails, [[replace]])")
    for key in ("description", "caught_by"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise MutantError(f"{at(key)}: {key} must be a non-empty string")
    also_fails = data.get("also_fails", [])
    if not isinstance(also_fails, list) or not all(
            isinstance(each, str) and each for each in also_fails):
        raise MutantError(f"{at('also_fails')}: also_fails must be a list of check ids, e.g. "
                          'also_fails = ["other_check"]')
    if data["caught_by"] in also_fails or len(set(also_fails)) != len(also_fails):
        raise MutantError(f"{at('also_fails')}: also_fails lists a check twice or its "
                          f"caught_by ({data['caught_by']!r}): name each other check once")
    blocks = data.get("replace")
    if not isinstance(blocks, list) or not blocks:
        raise MutantError(f"{at('replace')}: needs at least one [[replace]] with file, old "
                          "and new")
    replacements = []
    for index, block in enumerate(blocks, start=1):
        if (not isinstance(block, dict) or set(block) != {"file", "old", "new"}
                or not all(isinstance(v, str) for v in block.values())):
            raise MutantError(f"{at('replace')}: [[replace]] #{index} must have exactly the "
                              "string keys file, old and new")
        replacements.append(Replacement(block["file"], block["old"], block["new"]))
    return Mutant(path.stem, path, data["description"], data["caught_by"], tuple(replacements),
                  tuple(also_fails))


def load_mutants(lab: Lab, checks: Checks) -> list[Mutant]:
    """The lab's mutants; each must name checks of the lab in caught_by and also_fails."""
    mutants = [load_mutant(path) for path in sorted(mutants_dir(lab).glob("*.toml"))]
    for mutant in mutants:
        for key, named in (("caught_by", mutant.caught_by),
                           *(("also_fails", each) for each in mutant.also_fails)):
            if named not in checks:
                raise MutantError(f"{display_path(mutant.path)}: {key} names no check: "
                                  f"{named!r} (checks: {', '.join(checks.ids())})")
    return mutants


def apply_mutant(mutant: Mutant, source: Path, destination: Path) -> None:
    """Copy `source` to `destination` and apply the mutant's replacements there."""
    shutil.copytree(source, destination)
    for replacement in mutant.replacements:
        target = destination / replacement.file
        where = f"{display_path(mutant.path)}: {replacement.file}"
        if not target.is_file():
            raise MutantError(f"{where}: no such file in the solution")
        text = target.read_text(encoding="utf-8")
        count = text.count(replacement.old)
        if count != 1:
            raise MutantError(f"{where}: `old` must occur exactly once, found {count} times: "
                              f"{replacement.old!r}")
        target.write_text(text.replace(replacement.old, replacement.new), encoding="utf-8")


@dataclass(frozen=True)
class CheckOutcome:
    """One check of one graded subject: how it ended, how long it took, what it heard."""

    id: str
    status: str
    message: str
    duration_s: float
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class VerifyRow:
    subject: str     # "solution", "alternative <name>", "starter", "mutant <name>", "alternatives"
    run: int
    expected: str
    outcome: str
    ok: bool
    checks: tuple[CheckOutcome, ...] = ()
    duration_s: float = 0.0
    cause: str = ""  # why the grade stopped early, if it did, and the log's decisive line
    counted: bool = True  # False: the sandbox failed, so the grade says nothing of the subject


@dataclass
class VerifyReport:
    lab_id: str
    rows: list[VerifyRow]
    not_gradable: str | None = None  # what the lab needs that this backend lacks
    caught_by: dict[str, str] = field(default_factory=dict)  # mutant name -> its check id
    check_names: dict[str, str] = field(default_factory=dict)  # check id -> title
    also_fails: dict[str, tuple[str, ...]] = field(default_factory=dict)  # mutant -> check ids

    @property
    def ok(self) -> bool:
        if self.not_gradable:
            return True  # nothing to disagree with: the lab says what it needs
        return bool(self.rows) and all(row.ok for row in self.rows)


@dataclass(frozen=True)
class Subject:
    """One graded row of a verify: who is graded (a mutant: the solution it changes), what it
    must get, and how its grade is judged."""

    name: str  # "solution", "alternative <name>", "starter", "mutant <name>"
    expected: str
    source: Path  # the folder graded (for a mutant: the solution, changed when prepared)
    judge: Callable[[Graded, int], VerifyRow]
    mutant: Mutant | None = None


def alternatives_row(lab: Lab) -> VerifyRow:
    """The first row: does the lab have enough alternative solutions (nothing is graded)."""
    alternatives = alternative_dirs(lab)
    names = ", ".join(path.name for path in alternatives) or "none"
    return VerifyRow("alternatives", 1, f"at least {MIN_ALTERNATIVES}",
                     f"{len(alternatives)}: {names}", len(alternatives) >= MIN_ALTERNATIVES)


def subjects(lab: Lab, mutants: list[Mutant]) -> list[Subject]:
    """What verify grades, in its order: solution, alternatives, starter, mutants."""
    return [Subject("solution", "full marks", solution_dir(lab),
                    partial(_expect_full_marks, "solution")),
            *(Subject(f"alternative {path.name}", "full marks", path,
                      partial(_expect_full_marks, f"alternative {path.name}"))
              for path in alternative_dirs(lab)),
            Subject("starter", "less than full marks", starter_dir(lab), _expect_less),
            *(Subject(f"mutant {m.name}", expected_of(m), solution_dir(lab),
                      partial(_expect_caught, m), m) for m in mutants)]


def expected_of(mutant: Mutant) -> str:
    """What a mutant's row expects: its check fails, and no other than its also_fails."""
    others = f"no other but {', '.join(mutant.also_fails)}" if mutant.also_fails else "no other"
    return f"{mutant.caught_by} fails, {others}"


def prepare(subject: Subject, scratch: Path) -> Path:
    """The folder to grade for `subject` (a mutant is applied to a copy under `scratch`);
    MutantError when a mutant does not apply."""
    if subject.mutant is None:
        return subject.source
    folder = scratch / subject.mutant.name
    apply_mutant(subject.mutant, subject.source, folder)
    return folder


def grade_subject(lab: Lab, backend: Any, checks: Checks, subject: Subject, folder: Path,
                  seed: int, run: int, session_id: str) -> VerifyRow:
    """Grade one subject (its prepared `folder`) with `seed`, and judge it. Subjects graded
    with the same seed send the same requests, so their answers compare (labs/answers.py)."""
    for attempt in range(1, INFRASTRUCTURE_TRIES + 1):
        log = AnswerLog(checks)  # one per grade: grades may run side by side
        heard = log.start()
        result = grade(lab, folder, backend=backend, checks=log.checks, seed=seed,
                       submission_id=session_id if attempt == 1 else f"{session_id}-t{attempt}")
        if result.verdict != Verdict.INFRASTRUCTURE_ERROR:
            break
    return subject.judge(Graded(result, heard), run)


# A grade whose sandbox failed (the engine, not the subject) does not count, and the site
# grades such a submission again; verify does the same once before it reports the failure.
INFRASTRUCTURE_TRIES = 2


def verify(lab: Lab, backend: Any, repeat: int = 1, checks: Checks | None = None,
           on_row: Callable[[VerifyRow], None] | None = None, jobs: int = 1,
           session_prefix: str | None = None) -> VerifyReport:
    """Grade solution, alternatives, starter and every mutant `repeat` times; report what
    disagreed (also a lab with fewer than MIN_ALTERNATIVES alternatives).

    Each grade's sandbox session is `<session_prefix>-<run>-<index>` (`index` counts the
    subjects from 0: solution, alternatives, starter, mutants), by default
    `verify-<lab id>`, so whoever started a verify can find what a dead one left.

    Every subject of one run is graded with the same seed, so a mutant's checks send the
    solution's requests and their answers can be compared (labs/answers.py). `jobs` > 1
    grades that many subjects side by side (each in its own sandbox); rows still come in
    order."""
    checks = checks if checks is not None else load_checks(lab)
    mutants = load_mutants(lab, checks)
    report = VerifyReport(lab.id, [], lab.needs_beyond(backend),
                          {m.name: m.caught_by for m in mutants},
                          {c.id: c.name for c in checks},
                          {m.name: m.also_fails for m in mutants if m.also_fails})
    if report.not_gradable:
        return report

    def add(row: VerifyRow) -> None:
        report.rows.append(row)
        if on_row is not None:
            on_row(row)

    add(alternatives_row(lab))
    seeds = random.SystemRandom()
    prefix = session_prefix or f"verify-{lab.id}"
    graded_subjects = subjects(lab, mutants)
    with tempfile.TemporaryDirectory(prefix="archlab-verify-") as scratch:
        folders = [prepare(subject, Path(scratch)) for subject in graded_subjects]
        for run in range(1, repeat + 1):
            seed = seeds.randrange(2**31)

            def graded(index: int, run: int = run, seed: int = seed) -> VerifyRow:
                return grade_subject(lab, backend, checks, graded_subjects[index],
                                     folders[index], seed, run, f"{prefix}-{run}-{index}")

            for row in _in_order(graded, len(graded_subjects), jobs):
                add(row)
    return report


def _in_order(graded: Callable[[int], VerifyRow], count: int,
              jobs: int) -> Iterator[VerifyRow]:
    """graded(0), graded(1), ... as they are needed, `jobs` of them running at a time (in
    this thread when jobs is 1, so a signal stops the grade in progress at once)."""
    if jobs <= 1:
        yield from (graded(index) for index in range(count))
        return
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="verify") as pool:
        futures = [pool.submit(graded, index) for index in range(count)]
        try:
            for future in futures:
                yield future.result()
        finally:  # stopped early: grades not begun never begin
            for future in futures:
                future.cancel()


@dataclass(frozen=True)
class Graded:
    """A grade and the answers each of its checks heard."""

    result: GradeResult
    heard: dict[str, tuple[str, ...]]

    def row(self, subject: str, run: int, expected: str, outcome: str, ok: bool) -> VerifyRow:
        checks = tuple(CheckOutcome(c.id, c.status.value, c.message, c.duration_s,
                                    self.heard.get(c.id, ())) for c in self.result.checks)
        return VerifyRow(subject, run, expected, outcome, ok, checks, self.result.duration_s,
                         ": ".join(part for part in (self.result.cause, self.result.cause_line)
                                   if part),
                         self.result.verdict != Verdict.INFRASTRUCTURE_ERROR)


def _score(result: GradeResult) -> str:
    note = "" if result.verdict == "graded" else f" ({result.verdict.value})"
    return f"{result.score}/{result.max_score}{note}"


def _failed_checks(result: GradeResult) -> str:
    """What stopped the grade, then each check that failed or was skipped, with its message;
    a blocked check is left out (its root is listed)."""
    stopped = [": ".join(part for part in (result.cause, result.cause_line) if part)]
    failed = [f"{c.id} {c.status.value}: {c.message}" for c in result.checks
              if c.status in (Status.FAILED, Status.SKIPPED)]
    return "; ".join(part for part in stopped + failed if part)


def _expect_full_marks(subject: str, graded: Graded, run: int) -> VerifyRow:
    result = graded.result
    ok = result.full_marks and result.verdict == "graded"
    outcome = _score(result) if ok else f"{_score(result)}: {_failed_checks(result)}"
    return graded.row(subject, run, "full marks", outcome, ok)


def _expect_less(graded: Graded, run: int) -> VerifyRow:
    result = graded.result
    ok = result.gradable and result.verdict != "rejected" and result.score < result.max_score
    return graded.row("starter", run, "less than full marks", _score(result), ok)


def also_failed(caught_by: str, allowed: tuple[str, ...],
                checks: Iterable[CheckResult | CheckOutcome]) -> list[tuple[str, str]]:
    """(id, message) of each check that failed besides `caught_by` and those a mutant's
    also_fails allows: the same mistake named again. Checks kept from running (skipped,
    blocked, a message starting with labs.checks.NOT_RUN) do not count."""
    return [(check.id, check.message) for check in checks
            if check.status == Status.FAILED and check.id != caught_by
            and check.id not in allowed and not check.message.startswith(NOT_RUN)]


def named_twice(extra: list[tuple[str, str]]) -> str:
    """"but B also failed ("<B's message>")": the checks that named a mutant's mistake again."""
    said = " and ".join(f'{check_id} ("{message}")' for check_id, message in extra)
    return f"but {said} also failed"


def _expect_caught(mutant: Mutant, graded: Graded, run: int) -> VerifyRow:
    result = graded.result
    mine = next((c for c in result.checks if c.id == mutant.caught_by), None)
    status = mine.status if mine else None
    extra = also_failed(mutant.caught_by, mutant.also_fails, result.checks)
    ok = result.gradable and status is Status.FAILED and not extra
    outcome = f"{mutant.caught_by} {status.value if status else 'missing'}; {_score(result)}"
    if mine and status is Status.FAILED and extra:  # both messages: the author compares them
        outcome = (f'{mutant.caught_by} failed ("{mine.message}"), {named_twice(extra)}; '
                   f"{_score(result)}")
    return graded.row(f"mutant {mutant.name}", run, expected_of(mutant), outcome, ok)
