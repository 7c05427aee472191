"""The `archlab` command line: one entry point that wires course, labs, sandboxes and webapp.

Each command group lives in its own module here and is imported only when it is used, so
`archlab grade` does not pay for the web app and a broken area cannot break the others.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" of a click command or group in this package
COMMANDS: dict[str, str] = {
    "backup": "webapp.cli.backup:backup_command",
    "content": "webapp.cli.content:content",
    "grade": "webapp.cli.grade:grade",
    "labs": "webapp.cli.labs:labs",
    "sandbox": "webapp.cli.sandbox:sandbox",
    "serve": "webapp.cli.serve:serve",
    "worker": "webapp.cli.worker:worker",
    "users": "webapp.cli.users:users",
    "restore": "webapp.cli.backup:restore_command",
    "db": "webapp.cli.db:db",
    "export": "webapp.cli.export:export",
    "lti": "webapp.cli.lti:lti",
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if self._load(name, quiet=True) is not None)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name, quiet=False) if cmd_name in COMMANDS else None

    @staticmethod
    def _load(name: str, quiet: bool) -> click.Command | None:
        module_name, attribute = COMMANDS[name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if quiet and exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="archlab")
def main() -> None:
    """archlab: a course on backend architecture with live, graded labs."""
