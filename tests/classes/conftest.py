"""The class tests run on the grading suite's app: the toy labs, the real process sandbox,
logged-in clients and the embedded pool."""

from pathlib import Path

import pytest

from tests.grading.conftest import (  # noqa: F401 - fixtures of this suite
    app,
    grading_env,
    instructor,
    labs_root,
    learner,
    make_app,
    pool,
)


@pytest.fixture(autouse=True)
def slow_items_titled(labs_root: Path) -> None:  # noqa: F811 - the fixture above
    """The slow twin of the toy lab gets its own title, so pages and CSV headers tell the two
    labs apart by title as they do real labs."""
    toml = labs_root / "slow_items" / "lab.toml"
    toml.write_text(toml.read_text().replace('title = "Toy items"', 'title = "Slow items"'))
