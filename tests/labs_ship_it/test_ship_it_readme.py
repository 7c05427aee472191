"""The README is the learner's whole contract: its tables, limits and numbers are the ones
the grader, the sandbox's Dockerfile rules and lab.toml use."""

from __future__ import annotations

import random
import re
from types import SimpleNamespace

import pytest
from ship_it_lab import SHIP_IT

from labs.ship_it import checks
from sandboxes.docker import build, dockerfile
from sandboxes.images.recipe import APP_UID, BUILD_BASE
from tests.support import lab_contract

README = " ".join(SHIP_IT.readme.split())  # one line: phrases may wrap anywhere


def test_checks_add_up_to_100_points_with_hints() -> None:
    lab_contract.expect_100_points_with_hints(SHIP_IT, at_least=12)


def test_readme_grading_table_matches_the_checks() -> None:
    lab_contract.expect_readme_grades_the_checks(SHIP_IT)


def test_readme_documents_every_variable_the_app_gets() -> None:
    lab_contract.expect_readme_documents_the_app_env(SHIP_IT)
    for name, value in SHIP_IT.spec.app.env.items():
        if "${" not in value:
            assert f"| `{name}` | `{value}` |" in SHIP_IT.readme, name


def test_the_from_line_is_the_build_base_the_sandbox_makes() -> None:
    assert f"```dockerfile\nFROM {BUILD_BASE}\n```" in SHIP_IT.readme
    assert all(f"FROM {BUILD_BASE}\n" in (SHIP_IT.path / folder / "Dockerfile").read_text()
               for folder in ("solution", "starter"))
    assert f"uid and gid **{APP_UID}**" in README


def test_the_dockerfile_rules_are_the_sandboxes() -> None:
    allowed = re.search(r"Instructions you can use: (.*?), and comments", README).group(1)
    assert set(re.findall(r"`([A-Z]+)", allowed)) == dockerfile.ALLOWED
    refused = re.search(r"Refused, with the line named, (.*?)\. At most", README).group(1)
    named = set(re.findall(r"`([A-Z]+)`", re.sub(r"\([^)]*\)", "", refused)))
    assert named == set(dockerfile.REFUSED)
    assert "`COPY --from` an image" in refused and "`RUN --mount`" in refused
    assert f"at most {dockerfile.MAX_STAGES} stages" in README
    assert f"At most {dockerfile.MAX_INSTRUCTIONS} instructions" in README
    assert f"at most {build.MAX_CONTEXT_BYTES // build.MB} MiB" in README
    assert f"at most {build.MAX_GROWTH_BYTES // build.MB} MiB to the base image" in README
    assert f"The whole build has {SHIP_IT.spec.app.build.timeout:g} seconds" in README
    assert (f"{build.STEP_MEMORY // build.MB} MB of memory, at most "
            f"{build.MAX_STEP_PROCESSES} processes at once and at most "
            f"{build.MAX_GROWTH_BYTES // build.MB} MiB written") in README


@pytest.mark.parametrize("phrase", [
    f"**grace period of {checks.GRACE_S:g} seconds**",
    f"Answer within {checks.PROBE_TIMEOUT_S:g} seconds either way",
    f"Probes** answer within {checks.PROBE_TIMEOUT_S:g} seconds",
    f"503 within {checks.UNREADY_WITHIN_S:g} s of the database stopping",
    f"200 within {checks.READY_AGAIN_WITHIN_S:g} s of it starting again",
    f"with S between {checks.IN_FLIGHT_SECONDS[0]:g} and {checks.IN_FLIGHT_SECONDS[1]:g}",
    f"between {checks.MESSAGE_LIMITS[0]} and {checks.MESSAGE_LIMITS[1]}",
    f"within {SHIP_IT.spec.app.ready.timeout:g} seconds of the container starting",
    f"once port 8000 accepts connections again, within {SHIP_IT.spec.app.ready.timeout:g} "
    "seconds of the new container starting",
    f"{SHIP_IT.spec.app.limits['memory_mb']:g} MB of memory",
    f"{SHIP_IT.spec.app.limits['pids']:g} processes and threads",
    f"`/tmp` ({SHIP_IT.spec.app.limits['tmpfs_mb']:g} MB)",
    f"({checks.PROBE_TIMEOUT_S:g} s for a probe, below)",
    f"it looks for up to {checks.QUERY_SEEN_WITHIN_S:g} s after sending the request",
])
def test_the_numbers_the_grader_uses_are_in_the_readme(phrase: str) -> None:
    assert phrase in README


def test_readme_states_the_graders_waits_and_the_chapter_box_its_grace_period() -> None:
    lab_contract.expect_readme_states_the_graders_waits(SHIP_IT)
    lab_contract.expect_lab_box_says(SHIP_IT, f"within the {checks.GRACE_S:g} s grace period",
                                     "at least 2 replicas", f"`USER {APP_UID}:{APP_UID}`")


def test_the_lab_needs_docker_and_says_so() -> None:
    assert SHIP_IT.spec.requires == ("docker",)
    assert "only be graded on the Docker sandbox" in README
    assert "**not gradable here**" in README


def test_the_readme_says_texts_are_kept_as_sent_since_the_graders_have_spaces() -> None:
    """The grader's texts may start with a space or hold two in a row, and the text of one
    character over MAX_MESSAGE_LENGTH must be refused: an app that trims accepts it (and
    answers another text than it was sent), so the README says texts are kept as sent."""
    texts = [checks.random_text(SimpleNamespace(random=random.Random(seed)), 40)
             for seed in range(200)]
    assert any(text.startswith(" ") for text in texts)
    assert any("  " in text for text in texts)
    assert set("".join(texts)) <= set("abcdefghijklmnopqrstuvwxyz ")
    assert ("stored and answered exactly as sent: spaces count toward the length and are "
            "kept") in README
    assert "(lowercase letters and spaces, possibly a space first or two in a row)" in README
