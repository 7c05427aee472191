"""One lab folder as its tests see it: lab.toml, checks, README, mutants and alternatives.

Every lab's suite reads the same four things from its folder; naming the folder once here
keeps each suite to what is particular about its lab.
"""

from __future__ import annotations

from pathlib import Path

from labs.catalog import LABS_ROOT, alternative_dirs, load_checks, solution_dir
from labs.spec import load_lab
from labs.verify import Mutant, apply_mutant, load_mutants


class LabFolder:
    """labs/<folder>: its spec, its check registry, its README text, its mutants and its
    alternative correct solutions."""

    def __init__(self, folder: str, root: Path = LABS_ROOT) -> None:
        self.path = root / folder
        self.spec = load_lab(self.path)
        self.checks = load_checks(self.spec)
        self.readme = (self.path / "README.md").read_text(encoding="utf-8")

    def mutants(self) -> list[Mutant]:
        return load_mutants(self.spec, self.checks)

    def mutant_copy(self, mutant: Mutant, destination: Path) -> Path:
        """A copy of the solution with the mutant's replacements applied, at `destination`."""
        apply_mutant(mutant, solution_dir(self.spec), destination)
        return destination

    def alternatives(self) -> list[Path]:
        """The folders of the lab's alternative correct solutions (alternatives/<name>/)."""
        return alternative_dirs(self.spec)
