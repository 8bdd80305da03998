"""``transferkit setup``: a pilot set up from one workbook (networks, companies, pilots, participants)."""

from __future__ import annotations

from pathlib import Path

import click

from transferkit.cli.common import DB_HELP, friendly_errors, open_store

__all__ = ["setup"]


@click.group()
def setup() -> None:
    """Set up networks, companies, pilots and participants from a CSV or XLSX file."""


@setup.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@friendly_errors
def setup_template(out: Path) -> None:
    """Write an empty set-up workbook (XLSX): one sheet per kind and a help sheet."""
    from transferkit.datasets.setup import write_setup_workbook

    click.echo(f"Fill in and import with `transferkit setup import {write_setup_workbook(out)}`")


@setup.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def setup_import(file: Path, url: str | None) -> None:
    """Import FILE (XLSX with one sheet per kind, or CSV with a 'record' column); all or nothing."""
    from transferkit.datasets.setup import import_setup

    counts = import_setup(open_store(url), file)
    click.echo("Stored: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
