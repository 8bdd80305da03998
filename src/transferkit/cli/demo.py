"""``transferkit demo``: load the demo network, summarise it, build every report."""

from __future__ import annotations

from pathlib import Path

import click

from transferkit.cli.common import DB_HELP, friendly_errors, open_store

__all__ = ["demo"]


@click.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Folder for the reports.",
)
@click.option(
    "--reports/--no-reports",
    default=True,
    show_default=True,
    help="Also build every report (pilots, network, needs) and an index.html.",
)
@friendly_errors
def demo(db: str | None, lang: str, out: Path, reports: bool) -> None:
    """Load the demo network, summarise each pilot and build all reports."""
    from transferkit.datasets import import_demo
    from transferkit.reports.summary import pilot_summary_lines

    store = open_store(db)
    counts = import_demo(store)
    url = store.info()["url"]
    click.echo(f"Store: {url}")
    click.echo("Demo network loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    for line in pilot_summary_lines(store, lang=lang):
        click.echo(line)
    if reports:
        from transferkit.reports import run_all

        index = run_all(db or "", out, lang)
        click.echo(f"Reports: {Path(index).resolve()}")
