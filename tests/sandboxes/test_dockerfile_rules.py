"""A learner's Dockerfile is read before any build: what the offline build allows passes, and
everything that would reach past the submission is refused naming its line."""

from __future__ import annotations

import pytest

from sandboxes.docker.dockerfile import (
    MAX_INSTRUCTIONS,
    DockerfileRefused,
    check_dockerfile,
    instructions,
)

BASE = "archlab/runtime:lab"
GOOD = f"""\
# syntax=docker/dockerfile:1
# the service, as it ships
FROM {BASE} AS build
WORKDIR /build
COPY src/ ./src/
RUN python3 -m zipapp src --output /build/app.pyz \\
 && python3 -m compileall -q /build

FROM build AS checked
RUN python3 /build/app.pyz --self-test

FROM {BASE}
ARG RELEASE=dev
ENV PYTHONUNBUFFERED=1 \\
    RELEASE=$RELEASE
LABEL org.opencontainers.image.title="messages"
WORKDIR /srv/app
COPY --from=build --chown=root:root /build/app.pyz ./
COPY --from=1 /build/app.pyz ./checked.pyz
USER 10001:10001
EXPOSE 8000
ENTRYPOINT ["python3"]
CMD ["app.pyz"]
"""


def refusal(text: str) -> str:
    with pytest.raises(DockerfileRefused) as caught:
        check_dockerfile(text, BASE)
    return str(caught.value)


def test_a_dockerfile_of_allowed_instructions_passes() -> None:
    check_dockerfile(GOOD, BASE)


def test_continued_lines_are_one_instruction_at_their_first_line() -> None:
    found = instructions(GOOD)
    assert [(i.line, i.keyword) for i in found][:5] == [
        (3, "FROM"), (4, "WORKDIR"), (5, "COPY"), (6, "RUN"), (9, "FROM")]
    assert found[3].arguments.split()[-3:] == ["compileall", "-q", "/build"]


@pytest.mark.parametrize(("line", "why"), [
    ("ADD https://example.org/x.tgz /x", "Dockerfile:3: ADD is not available here: use COPY"),
    ("VOLUME /data", "Dockerfile:3: VOLUME is not available here"),
    ("STOPSIGNAL SIGKILL", "Dockerfile:3: STOPSIGNAL is not available here: the container is "
     "stopped with SIGTERM"),
    ("HEALTHCHECK CMD true", "Dockerfile:3: HEALTHCHECK is not available here"),
    ("COPY --from=nginx:latest /etc/nginx /x", "Dockerfile:3: COPY --from=nginx:latest "
     "cannot be built here: --from must name an earlier stage of this Dockerfile (there is "
     "none), never an image"),
    ("FROM debian:bookworm", "Dockerfile:3: FROM debian:bookworm cannot be built here"),
    ("RUN --mount=type=cache,target=/root/.cache pip install x", "Dockerfile:3: RUN --mount "
     "is not available here (a BuildKit option"),
    ("EXPOSES 8000", "Dockerfile:3: unknown instruction EXPOSES"),
])
def test_an_instruction_the_offline_build_cannot_do_is_refused_at_its_line(
        line: str, why: str) -> None:
    assert refusal(f"FROM {BASE}\nCOPY . /app\n{line}\nCMD [\"python3\", \"app.py\"]\n"
                   ).startswith(why)


@pytest.mark.parametrize(("first", "why"), [
    ("FROM python:3.11-slim", "Dockerfile:1: FROM python:3.11-slim cannot be built here: there "
     "is no registry, so every stage starts FROM archlab/runtime:lab or an earlier stage"),
    ("FROM --platform=linux/arm64 archlab/runtime:lab", "Dockerfile:1: FROM --platform="
     "linux/arm64 is not available here"),
    ("FROM $BASE", "Dockerfile:1: FROM $BASE cannot be built here"),
    ("FROM python:3.11-slim AS build", "Dockerfile:1: FROM python:3.11-slim cannot be built"),
    ("FROM archlab/runtime:0dcdfc06ebb4", "Dockerfile:1: FROM archlab/runtime:0dcdfc06ebb4 "
     "cannot be built here"),
])
def test_only_the_lab_base_image_can_be_built_from(first: str, why: str) -> None:
    assert refusal(f"{first}\nCMD [\"python3\"]\n").startswith(why)


def test_stages_build_from_the_base_or_an_earlier_stage_only() -> None:
    assert refusal(f"FROM {BASE}\nFROM later AS x\nFROM {BASE} AS later\n").startswith(
        "Dockerfile:2: FROM later cannot be built here: there is no registry, so every stage "
        f"starts FROM {BASE} or an earlier stage")
    assert refusal(f"FROM {BASE} AS a\nCOPY --from=b /x /x\nFROM {BASE} AS b\n").startswith(
        "Dockerfile:2: COPY --from=b cannot be built here: --from must name an earlier stage")
    assert refusal(f"FROM {BASE} AS a\nFROM {BASE}\nCOPY --from=1 /x /x\n").startswith(
        "Dockerfile:3: COPY --from=1 cannot be built here")
    four = "".join(f"FROM {BASE} AS s{n}\n" for n in range(4))
    assert refusal(four) == "Dockerfile:4: more than 3 stages (FROM lines)"
    assert refusal(f"FROM {BASE} AS\n").startswith(
        f"Dockerfile:1: expected FROM {BASE} [AS name], got FROM {BASE} AS")


def test_a_dockerfile_without_from_or_without_instructions_says_so() -> None:
    assert refusal("# nothing yet\n\n") == ("Dockerfile: has no instructions; start with "
                                            f"FROM {BASE}")
    assert refusal("ARG X=1\nCMD [\"python3\"]\n") == ("Dockerfile: has no FROM; start with "
                                                     f"FROM {BASE}")


def test_the_escape_directive_is_refused_where_it_stands() -> None:
    assert refusal(f"# escape=`\nFROM {BASE}\n").startswith(
        "Dockerfile:1: the escape parser directive is not available here")


def test_size_and_instruction_count_are_capped() -> None:
    many = f"FROM {BASE}\n" + "LABEL x=1\n" * MAX_INSTRUCTIONS
    assert refusal(many) == (f"Dockerfile:{MAX_INSTRUCTIONS + 1}: more than "
                             f"{MAX_INSTRUCTIONS} instructions")
    assert refusal(f"FROM {BASE}\n# {'x' * 70_000}\n") == "Dockerfile: larger than 64 KiB"
