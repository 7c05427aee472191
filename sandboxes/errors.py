"""What can go wrong in a sandbox, split by who is to blame."""

from __future__ import annotations


class SandboxError(RuntimeError):
    """The infrastructure failed (engine down, image missing...): the learner is not charged."""


class FaultUnsupported(Exception):
    """This backend cannot inject the requested fault (e.g. latency on local processes)."""


class ServiceNotReady(Exception):
    """A service did not come up: a verdict on the submission, with the tail of its log."""

    def __init__(self, name: str, log_tail: str = "", exit_code: int | None = None,
                 oom_killed: bool = False, reason: str = "") -> None:
        self.name = name
        self.log_tail = log_tail
        self.exit_code = exit_code
        self.oom_killed = oom_killed
        self.reason = reason
        super().__init__(f"service {name!r} did not become ready: {self.describe()}")

    def describe(self) -> str:
        if self.oom_killed:
            return "killed for going over its memory limit"
        if self.exit_code is not None:
            return f"exited with code {self.exit_code}"
        return self.reason or "no answer to its readiness probe in time"


class BuildFailed(ServiceNotReady):
    """The service's image did not build (or its Dockerfile was refused): a verdict on the
    submission; `log_tail` is the build's output, ending with the reason."""

    def __init__(self, name: str, reason: str, log_tail: str = "") -> None:
        super().__init__(name, log_tail=log_tail or reason, reason=reason)

    def describe(self) -> str:
        return f"its image did not build: {self.reason}"


class BackendUnsupported(SandboxError):
    """This backend cannot run the topology at all (e.g. the process backend and a service
    built from a Dockerfile): no retry helps, another backend is needed."""
