"""What a learner's Dockerfile may say before the Docker engine is asked to build it.

The build runs offline on the grading host with Docker's classic builder, so everything that
would reach past the submission is refused up front, naming the line: a `FROM` of anything
but the lab's base image or an earlier stage (the engine would try to pull it), `COPY --from`
an image (a pull too), `ADD` (URL downloads, archive unpacking), `VOLUME` (writable storage
outside /tmp's cap), BuildKit-only flags. `RUN` is allowed: build.py runs each step without
network and watches its time, memory, processes and disk. A refused Dockerfile is the
learner's mistake, reported like a failed build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64 * 1024
MAX_INSTRUCTIONS = 50
MAX_STAGES = 3

ALLOWED = frozenset({"FROM", "ARG", "ENV", "LABEL", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE",
                     "CMD", "ENTRYPOINT"})
REFUSED = {
    "ADD": "ADD is not available here: use COPY (ADD can download URLs and unpack archives)",
    "VOLUME": "VOLUME is not available here: the container's file system is read-only apart "
              "from /tmp",
    "STOPSIGNAL": "STOPSIGNAL is not available here: the container is stopped with SIGTERM, "
                  "as Kubernetes does",
    "HEALTHCHECK": "HEALTHCHECK is not available here: Kubernetes ignores it; probes belong "
                   "in the pod spec",
    "SHELL": "SHELL is not available here: RUN uses /bin/sh -c, and CMD should use the exec "
             "form",
    "ONBUILD": "ONBUILD is not available here: nothing is built FROM this image",
    "MAINTAINER": "MAINTAINER is deprecated: use LABEL",
}
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")


class DockerfileRefused(ValueError):
    """The Dockerfile asks for something this build does not do; str() is `file:line: why`."""


@dataclass(frozen=True)
class Instruction:
    line: int          # where the instruction starts (1-based)
    keyword: str       # upper case
    arguments: str     # continuation lines joined


def instructions(text: str) -> list[Instruction]:
    """The instructions of a Dockerfile, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comments inside a continued instruction are dropped, as Docker does
        if not pending:
            start = number
        continues = stripped.endswith("\\")
        pending.append(stripped[:-1] if continues else stripped)
        if not continues:
            found.append(_instruction(start, " ".join(pending)))
            pending = []
    if pending:
        found.append(_instruction(start, " ".join(pending)))
    return found


def _instruction(line: int, text: str) -> Instruction:
    keyword, _, arguments = text.partition(" ")
    return Instruction(line, keyword.upper(), arguments.strip())


def check_dockerfile(text: str, base_image: str, name: str = "Dockerfile") -> None:
    """Raise DockerfileRefused (`name:line: why`) unless every stage of the Dockerfile builds
    FROM `base_image` (or an earlier stage) with the instructions this offline build allows."""
    if len(text.encode()) > MAX_BYTES:
        raise DockerfileRefused(f"{name}: larger than {MAX_BYTES // 1024} KiB")
    _check_directives(text, name)
    found = instructions(text)
    if not found:
        raise DockerfileRefused(f"{name}: has no instructions; start with FROM {base_image}")
    if len(found) > MAX_INSTRUCTIONS:
        raise DockerfileRefused(f"{name}:{found[MAX_INSTRUCTIONS].line}: more than "
                                f"{MAX_INSTRUCTIONS} instructions")
    stages: list[str] = []  # names of the stages so far ("" for an unnamed one)
    for each in found:
        where = f"{name}:{each.line}"
        if each.keyword in REFUSED:
            raise DockerfileRefused(f"{where}: {REFUSED[each.keyword]}")
        if each.keyword not in ALLOWED:
            raise DockerfileRefused(f"{where}: unknown instruction {each.keyword}")
        if each.keyword == "FROM":
            stages.append(_stage(each, base_image, where, stages))
        elif each.keyword == "COPY":
            _check_copy_from(each.arguments, where, stages)
        elif each.keyword == "RUN" and each.arguments.startswith("--"):
            flag = each.arguments.split()[0].split("=")[0]
            raise DockerfileRefused(f"{where}: RUN {flag} is not available here (a BuildKit "
                                    "option; this build uses Docker's classic builder)")
    if not stages:
        raise DockerfileRefused(f"{name}: has no FROM; start with FROM {base_image}")


def _check_directives(text: str, name: str) -> None:
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE.match(raw.strip())
        if not match:
            return  # directives only stand before the first other line
        if match.group(1).lower() == "escape":
            raise DockerfileRefused(f"{name}:{number}: the escape parser directive is not "
                                    "available here: continue lines with \\")


def _stage(each: Instruction, base_image: str, where: str, stages: list[str]) -> str:
    """The new stage's name; refuses a FROM of anything but the base image or a stage."""
    if len(stages) == MAX_STAGES:
        raise DockerfileRefused(f"{where}: more than {MAX_STAGES} stages (FROM lines)")
    words = each.arguments.split()
    if words and words[0].startswith("--"):
        raise DockerfileRefused(f"{where}: FROM {words[0]} is not available here: write "
                                f"FROM {base_image}")
    image = words[0] if words else ""
    if image != base_image and image.lower() not in [s for s in stages if s]:
        raise DockerfileRefused(f"{where}: FROM {image or '(nothing)'} cannot be built here: "
                                f"there is no registry, so every stage starts FROM "
                                f"{base_image} or an earlier stage")
    if len(words) == 3 and words[1].upper() == "AS":
        return words[2].lower()
    if len(words) != 1:
        raise DockerfileRefused(f"{where}: expected FROM {base_image} [AS name], got "
                                f"FROM {each.arguments}")
    return ""


def _check_copy_from(arguments: str, where: str, stages: list[str]) -> None:
    match = re.search(r"(?:^|\s)--from=(\S+)", arguments)
    if match is None:
        return
    source = match.group(1).lower()
    earlier = [s for s in stages[:-1] if s]
    if source in earlier or (source.isdigit() and int(source) < len(stages) - 1):
        return
    raise DockerfileRefused(f"{where}: COPY --from={match.group(1)} cannot be built here: "
                            f"--from must name an earlier stage of this Dockerfile "
                            f"({', '.join(earlier) or 'there is none'}), never an image")
