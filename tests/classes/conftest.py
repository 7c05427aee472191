"""The class tests run on the grading suite's app: the toy labs, the real process sandbox,
logged-in clients and the embedded pool."""

from tests.grading.conftest import (  # noqa: F401 - fixtures of this suite
    app,
    grading_env,
    instructor,
    labs_root,
    learner,
    make_app,
    pool,
)
