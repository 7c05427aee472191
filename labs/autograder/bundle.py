"""Build a Gradescope autograder bundle for one lab: setup.sh and run_autograder at the root
(Gradescope's documented layout), archlab's own packages to install, and the lab's folder
without its solution, mutants and alternatives (the bundle is a file an instructor uploads,
not a place for answers)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from labs.spec import Lab

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
# what `pip install archlab/` needs: the packaging files and the packages, minus what only
# the website serves and the course's labs (the bundle carries the one it grades)
PROJECT_FILES = ("pyproject.toml", "README.md")
PACKAGES = ("course", "labs", "sandboxes", "webapp")
NOT_PACKAGED = ("__pycache__", "*.pyc", "static")
LAB_ANSWERS = ("solution", "mutants", "alternatives", "__pycache__")
APT_PACKAGES = {"postgres": "postgresql", "redis": "redis-server"}
SCRIPTS = ("setup.sh", "run_autograder")


class CannotExport(ValueError):
    """This lab cannot run on Gradescope (the message says why)."""


def apt_packages(lab: Lab) -> list[str]:
    """Debian/Ubuntu packages of the lab's backing services (the process sandbox runs them)."""
    return sorted({APT_PACKAGES[s.kind] for s in lab.services if s.kind in APT_PACKAGES})


def build_bundle(lab: Lab, output: Path) -> Path:
    """Write the bundle for `lab` to `output`: a folder, or a zip when it ends in .zip."""
    if lab.requires:
        raise CannotExport(f"lab {lab.id} requires {', '.join(lab.requires)}; Gradescope's "
                           f"autograder containers have no Docker engine to build images in")
    if output.suffix == ".zip":
        with tempfile.TemporaryDirectory() as scratch:
            folder = _write_folder(lab, Path(scratch) / "bundle")
            _zip(folder, output)
        return output
    return _write_folder(lab, output)


def _write_folder(lab: Lab, folder: Path) -> Path:
    if folder.exists() and any(folder.iterdir()):
        raise CannotExport(f"{folder} is not empty")
    folder.mkdir(parents=True, exist_ok=True)
    for script in SCRIPTS:
        shutil.copy2(HERE / script, folder / script)
    (folder / "apt-packages.txt").write_text("".join(f"{p}\n" for p in apt_packages(lab)))
    project = folder / "archlab"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copy2(PROJECT / name, project / name)
    for package in PACKAGES:
        shutil.copytree(PROJECT / package, project / package,
                        ignore=_not_packaged(PROJECT / "labs"))
    shutil.copytree(lab.root, folder / "lab", ignore=shutil.ignore_patterns(*LAB_ANSWERS))
    return folder


def _not_packaged(labs_root: Path):
    """copytree's ignore: build leftovers, the site's static files and every lab folder."""
    patterns = shutil.ignore_patterns(*NOT_PACKAGED)

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(patterns(directory, names))
        if Path(directory) == labs_root:
            ignored |= {n for n in names if (labs_root / n / "lab.toml").is_file()}
        return ignored

    return ignore


def _zip(folder: Path, output: Path) -> None:
    """Zip the folder's contents (not the folder) with the executable bits kept."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, path.relative_to(folder).as_posix())
