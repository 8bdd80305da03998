"""Command-line interface: a thin click layer over the Python API, one module per command group.

Every command catches :class:`~transferkit.exceptions.TransferkitError` and
prints its message (no traceback) with exit code 1. A command group's module is
imported only when the group is used (click's lazy-group pattern): ``transferkit
report pilot P99`` does not import the server, and answers with "did you mean" fast.
"""

from __future__ import annotations

import importlib

import click

__all__ = ["main"]

#: Command name → ``module:attribute`` of its click command, in the order ``--help`` lists them.
COMMANDS: dict[str, str] = {
    "demo": "transferkit.cli.demo:demo",
    "setup": "transferkit.cli.setup:setup",
    "network": "transferkit.cli.registry:network",
    "company": "transferkit.cli.registry:company",
    "pilot": "transferkit.cli.registry:pilot",
    "participant": "transferkit.cli.registry:participant",
    "templates": "transferkit.cli.templates:templates",
    "db": "transferkit.cli.db:db",
    "report": "transferkit.cli.report:report",
    "serve": "transferkit.cli.serve:serve_command",
}


class LazyGroup(click.Group):
    """A group whose commands are imported from :data:`COMMANDS` when first asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *sorted(set(super().list_commands(ctx)) - set(COMMANDS))]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), COMMANDS[cmd_name]
        return command


@click.group(cls=LazyGroup)
@click.version_option(package_name="transferkit")
def main() -> None:
    """transferkit: reflection loops, workshop sheets and pilot evaluation for SMEs."""
