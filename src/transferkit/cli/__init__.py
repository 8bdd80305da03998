"""Command-line interface: a thin click layer over the Python API, one module per command group.

Every command catches :class:`~transferkit.exceptions.TransferkitError` and
prints its message (no traceback) with exit code 1.
"""

from __future__ import annotations

import click

from transferkit.cli.db import db
from transferkit.cli.demo import demo
from transferkit.cli.registry import company, network, participant, pilot
from transferkit.cli.report import report
from transferkit.cli.serve import serve_command
from transferkit.cli.setup import setup
from transferkit.cli.templates import templates

__all__ = ["main"]


@click.group()
@click.version_option(package_name="transferkit")
def main() -> None:
    """transferkit: reflection loops, workshop sheets and pilot evaluation for SMEs."""


for _command in (
    demo,
    setup,
    network,
    company,
    pilot,
    participant,
    templates,
    db,
    report,
    serve_command,
):
    main.add_command(_command)
