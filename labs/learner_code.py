"""The learner's programs in a running session: which one died on its own, and their logs.

Most labs run one program of the learner's (`app`); a lab may add more of kind "learner" (a
queue worker next to its API). The grade runner and the workspace's Run ask the same two
questions of all of them, and name the program only when there is more than one.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from labs.explain import describe_status
from labs.spec import Lab
from labs.wording import quoted


@dataclass(frozen=True)
class Crash:
    service: str
    status: Any          # the sandbox's ServiceStatus
    message: str         # "the service crashed (exit code 1)", naming it if there are several


def first_crash(session: Any, lab: Lab, taken_down: Collection[str] = ()) -> Crash | None:
    """The first of the learner's programs that is down although no check took it down."""
    for service in lab.learner_services:
        if service.name in taken_down:
            continue
        status = session.status(service.name)
        message = describe_status(status, _who(lab, service.name))
        if message:
            return Crash(service.name, status, message)
    return None


def learner_logs(session: Any, lab: Lab, lines: int) -> str:
    """The last `lines` of the app's log; with several programs, each under its name."""
    services = lab.learner_services
    if len(services) == 1:
        return session.logs(services[0].name, lines=lines)
    return "\n".join(f"--- {service.name} ---\n{session.logs(service.name, lines=lines)}"
                     for service in services)


def _who(lab: Lab, name: str) -> str | None:
    return f"the service {quoted(name)}" if len(lab.learner_services) > 1 else None
