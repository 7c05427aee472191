"""The grading tests' fixtures (app on a tmp database with the toy lab) for the soak's tests."""

from tests.grading.conftest import grading_env, labs_root, make_app

__all__ = ["grading_env", "labs_root", "make_app"]
