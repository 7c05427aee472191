"""Load and validate a lab's lab.toml into a `Lab`.

Instructors write lab.toml by hand, so every problem is reported as `file:line: message`
(TOML syntax errors carry their line; schema errors find the offending key's line by
scanning the file) and unknown keys are rejected rather than silently ignored.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUILTIN_KINDS = ("postgres", "redis", "process", "learner")
# Services whose code the learner writes: run from the submission folder, under its limits.
LEARNER_KINDS = ("app", "learner")
LIMIT_KEYS = ("memory_mb", "cpus", "pids", "file_size_mb", "tmpfs_mb", "nofile", "log_kb")
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
PLACEHOLDER_FIELDS = ("url", "host", "port")
# What a lab may require of the sandbox that grades it (a backend's `provides`), and what
# that is, for the learner told that this sandbox cannot grade the lab.
REQUIREMENTS = {"docker": "the Docker sandbox, which builds the submission's Dockerfile"}


@dataclass(frozen=True)
class TableKeys:
    """The keys one table of lab.toml may have (docs/authoring.md lists them from here)."""

    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()


# Every table of lab.toml, by where it stands; "<service>" is any name under [services].
SCHEMA = {
    "": TableKeys(("id", "title", "chapter", "grading", "app"), ("requires", "services")),
    "grading": TableKeys(("time_limit", "check_timeout")),
    "app": TableKeys((), ("command", "build", "ready", "env", "limits")),
    "services.<service>": TableKeys(("kind",), ("command", "ready", "env", "limits")),
    "*.ready": TableKeys(("timeout",), ("http", "tcp")),
    "app.build": TableKeys(("timeout",), ("dockerfile",)),
    "*.limits": TableKeys((), LIMIT_KEYS),
}


class LabSpecError(ValueError):
    """lab.toml is malformed; str() is `path:line: message`."""


@dataclass(frozen=True)
class Grading:
    time_limit: float
    check_timeout: float


@dataclass(frozen=True)
class ReadySpec:
    """How to tell a service is up: an HTTP path answering 2xx, or (http=None) an open port;
    tcp=False: it listens on no port and is up once it has run `timeout` seconds."""

    http: str | None
    timeout: float
    tcp: bool = True


@dataclass(frozen=True)
class BuildDef:
    """The app is the image built from `dockerfile` in the submission, within `timeout`."""

    dockerfile: str
    timeout: float


@dataclass(frozen=True)
class ServiceDef:
    """One service of the lab: the learner's `app`, another program of the learner's
    (kind "learner", e.g. a queue worker), a built-in store, or a lab stub process."""

    name: str
    kind: str
    command: tuple[str, ...] = ()
    ready: ReadySpec | None = None
    env: dict[str, str] = field(default_factory=dict)
    limits: dict[str, float] = field(default_factory=dict)
    build: BuildDef | None = None

    @property
    def is_learner_code(self) -> bool:
        return self.kind in LEARNER_KINDS


@dataclass(frozen=True)
class Lab:
    id: str
    title: str
    chapter: str
    root: Path
    grading: Grading
    app: ServiceDef
    services: tuple[ServiceDef, ...]
    requires: tuple[str, ...] = ()

    @property
    def spec_path(self) -> Path:
        return self.root / "lab.toml"

    def needs_beyond(self, backend: Any) -> str | None:
        """What this lab `requires` that `backend` does not provide (its `provides`), as
        words for the learner ("the Docker sandbox, which builds ..."), or None."""
        provides = getattr(backend, "provides", frozenset())
        missing = [each for each in self.requires if each not in provides]
        return REQUIREMENTS[missing[0]] if missing else None

    @property
    def learner_services(self) -> tuple[ServiceDef, ...]:
        """The services running the learner's code: `app` first, then kind "learner"."""
        return (self.app, *(s for s in self.services if s.is_learner_code))


def load_lab(lab_dir: Path) -> Lab:
    """Read `lab_dir/lab.toml`; raise LabSpecError naming file and line on any problem."""
    path = Path(lab_dir).resolve() / "lab.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LabSpecError(f"{display_path(path)}: cannot read: {exc.strerror}") from exc
    return _parsed(path, text, os.getcwd())


@functools.lru_cache(maxsize=64)
def _parsed(path: Path, text: str, cwd: str) -> Lab:
    """The Lab that `text` (lab.toml at `path`) describes. Cached by the text itself, so an
    edited lab.toml is read again while every page that names a lab does not parse them all
    (`cwd`: messages name the file relative to it). Lab is frozen, so sharing it is safe."""
    doc = _Document(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LabSpecError(toml_error(doc.display, exc)) from exc
    return doc.lab(data)


def toml_error(display: str, exc: tomllib.TOMLDecodeError) -> str:
    """`file:line: invalid TOML: reason` for a syntax error tomllib found in `display`."""
    line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
    return f"{display}:{line}: invalid TOML: {_first_clause(exc)}"


def display_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _first_clause(exc: tomllib.TOMLDecodeError) -> str:
    return getattr(exc, "msg", None) or re.sub(r"\s*\(at line.*\)$", "", str(exc))


class _Document:
    """The file being validated: knows how to point an error at a key's line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.display = display_path(path)
        self.lines = text.splitlines()

    def error(self, keys: tuple[str, ...], message: str) -> LabSpecError:
        return LabSpecError(f"{self.display}:{key_line(self.lines, keys)}: {message}")

    def lab(self, data: dict[str, Any]) -> Lab:
        self.check_keys(data, (), SCHEMA[""])
        requires = self.requires(data) if "requires" in data else ()
        grading = self.table(data, ("grading",))
        self.check_keys(grading, ("grading",), SCHEMA["grading"])
        services_table = self.table(data, ("services",)) if "services" in data else {}
        services = tuple(self.service(name, self.table(services_table, ("services", name)))
                         for name in services_table)
        app = self.service("app", self.table(data, ("app",)))
        if app.build is not None and "docker" not in requires:
            raise self.error(("app", "build"), "[app] build needs requires = [\"docker\"] at "
                             "the top level: only the Docker sandbox builds images")
        for service in (app, *services):
            self.check_placeholders(service, {s.name for s in services})
        return Lab(
            id=self.text(data, ("id",)),
            title=self.text(data, ("title",)),
            chapter=self.text(data, ("chapter",)),
            root=self.path.parent,
            grading=Grading(time_limit=self.positive(grading, ("grading", "time_limit")),
                            check_timeout=self.positive(grading, ("grading", "check_timeout"))),
            app=app,
            services=services,
            requires=requires,
        )

    def requires(self, data: dict[str, Any]) -> tuple[str, ...]:
        value = data["requires"]
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise self.error(("requires",), f"requires must be a list of strings, e.g. "
                             f"[\"docker\"], got {value!r}")
        for each in value:
            if each not in REQUIREMENTS:
                raise self.error(("requires",), f"unknown requirement {each!r} in requires "
                                 f"(known: {', '.join(REQUIREMENTS)})")
        return tuple(value)

    def service(self, name: str, table: dict[str, Any]) -> ServiceDef:
        keys = ("app",) if name == "app" else ("services", name)
        if name == "app":
            self.check_keys(table, keys, SCHEMA["app"])
            if "command" not in table and "build" not in table:
                raise self.error(keys, "missing required key 'command' in [app] (or a build: "
                                 "an image built from the submission's Dockerfile)")
            if "command" in table and "build" in table:
                raise self.error(keys, "[app] needs either a command or a build (an image "
                                 "built from the submission's Dockerfile), not both")
            kind = "app"
        else:
            self.check_keys(table, keys, SCHEMA["services.<service>"])
            kind = self.text(table, (*keys, "kind"))
            if kind not in BUILTIN_KINDS:
                raise self.error((*keys, "kind"), f"unknown kind {kind!r}; expected one of "
                                 + ", ".join(BUILTIN_KINDS))
            if kind in ("process", "learner") and "command" not in table:
                raise self.error(keys, f"[{'.'.join(keys)}] of kind {kind!r} needs a command")
        return ServiceDef(
            name=name,
            kind=kind,
            command=self.command(table, (*keys, "command")) if "command" in table else (),
            ready=self.ready(table, (*keys, "ready")) if "ready" in table else None,
            env=self.env(table, (*keys, "env")) if "env" in table else {},
            limits=self.limits(table, (*keys, "limits")) if "limits" in table else {},
            build=self.build(table, (*keys, "build")) if "build" in table else None,
        )

    def build(self, parent: dict[str, Any], keys: tuple[str, ...]) -> BuildDef:
        table = self.table(parent, keys)
        self.check_keys(table, keys, SCHEMA["app.build"])
        dockerfile = (self.text(table, (*keys, "dockerfile")) if "dockerfile" in table
                      else "Dockerfile")
        if "/" in dockerfile or dockerfile.startswith("."):
            raise self.error((*keys, "dockerfile"), f"build.dockerfile must be a file name at "
                             f"the top of the submission, got {dockerfile!r}")
        return BuildDef(dockerfile=dockerfile, timeout=self.positive(table, (*keys, "timeout")))

    def ready(self, parent: dict[str, Any], keys: tuple[str, ...]) -> ReadySpec:
        table = self.table(parent, keys)
        self.check_keys(table, keys, SCHEMA["*.ready"])
        http = self.text(table, (*keys, "http")) if "http" in table else None
        if http is not None and not http.startswith("/"):
            raise self.error((*keys, "http"), f"ready.http must be a path starting with '/', "
                             f"got {http!r}")
        tcp = table.get("tcp", True)
        if not isinstance(tcp, bool):
            raise self.error((*keys, "tcp"), f"ready.tcp must be true or false, got {tcp!r}")
        if http is not None and not tcp:
            raise self.error((*keys, "tcp"), "ready.http needs a port: drop http, or tcp = false")
        return ReadySpec(http=http, timeout=self.positive(table, (*keys, "timeout")), tcp=tcp)

    def env(self, parent: dict[str, Any], keys: tuple[str, ...]) -> dict[str, str]:
        table = self.table(parent, keys)
        return {name: self.text(table, (*keys, name)) for name in table}

    def limits(self, parent: dict[str, Any], keys: tuple[str, ...]) -> dict[str, float]:
        table = self.table(parent, keys)
        self.check_keys(table, keys, SCHEMA["*.limits"])
        return {name: self.positive(table, (*keys, name)) for name in table}

    def command(self, parent: dict[str, Any], keys: tuple[str, ...]) -> tuple[str, ...]:
        value = parent[keys[-1]]
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise self.error(keys, f"{'.'.join(keys)} must be a non-empty list of strings, "
                             f"e.g. [\"python3\", \"app.py\"], got {value!r}")
        return tuple(value)

    def check_placeholders(self, service: ServiceDef, names: set[str]) -> None:
        keys = ("app",) if service.name == "app" else ("services", service.name)
        for var, value in service.env.items():
            for ref in PLACEHOLDER.findall(value):
                target, _, attr = ref.partition(".")
                if target not in names or attr not in PLACEHOLDER_FIELDS:
                    raise self.error((*keys, "env", var), f"${{{ref}}} must name a service of "
                                     f"this lab and one of {', '.join(PLACEHOLDER_FIELDS)} "
                                     f"(services: {', '.join(sorted(names)) or 'none'})")

    def check_keys(self, table: dict[str, Any], keys: tuple[str, ...], allowed: TableKeys,
                   ) -> None:
        required, optional = allowed.required, allowed.optional
        where = f"[{'.'.join(keys)}]" if keys else "the top level"
        for name in table:
            if name not in required and name not in optional:
                names = ", ".join((*required, *optional))
                raise self.error((*keys, name), f"unknown key {name!r} in {where} "
                                 f"(allowed: {names})")
        for name in required:
            if name not in table:
                raise self.error(keys, f"missing required key {name!r} in {where}")

    def table(self, parent: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
        value = parent[keys[-1]]
        if not isinstance(value, dict):
            raise self.error(keys, f"{'.'.join(keys)} must be a table, got {value!r}")
        return value

    def text(self, parent: dict[str, Any], keys: tuple[str, ...]) -> str:
        value = parent[keys[-1]]
        if not isinstance(value, str) or not value.strip():
            raise self.error(keys, f"{'.'.join(keys)} must be a non-empty string, got {value!r}")
        return value

    def positive(self, parent: dict[str, Any], keys: tuple[str, ...]) -> float:
        value = parent[keys[-1]]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(keys, f"{'.'.join(keys)} must be a positive number, got {value!r}")
        return value


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGNMENT = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


def key_line(lines: list[str], keys: tuple[str, ...]) -> int:
    """1-based line where `keys` (or its nearest enclosing key or table) is written."""
    for depth in range(len(keys), 0, -1):
        line = _exact_key_line(lines, keys[:depth])
        if line:
            return line
    return 1


def _exact_key_line(lines: list[str], keys: tuple[str, ...]) -> int | None:
    table: tuple[str, ...] = ()
    for number, line in enumerate(lines, start=1):
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == keys:
                return number
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment and (*table, *_split_key(assignment.group(1))) == keys:
            return number
    return None


def _split_key(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in dotted.split("."))
