"""Serves on port 9999 instead of $PORT."""

import os

import honest

os.environ["PORT"] = "9999"
honest.serve()
