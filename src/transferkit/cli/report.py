"""``transferkit report``: make reports from the store (a thin layer over :mod:`transferkit.reports`).

Registered in :mod:`transferkit.cli` as the ``report`` group::

    transferkit report pilot P01 [P02 ...]
    transferkit report network [--company C03]
    transferkit report needs [--company C03]
    transferkit report protocol P01 --loop 2
    transferkit report all

Exit code 1 when a parameter is wrong or any report failed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import click

from transferkit.cli.common import DB_HELP, friendly_errors

if TYPE_CHECKING:
    from transferkit.reports import ReportResult
    from transferkit.store.values import JSONValue

__all__ = ["report"]

F = TypeVar("F", bound=Callable[..., object])


def _common(func: F) -> F:
    """Options every report command takes: --db, --lang, --out, --format."""
    func = click.option(
        "--format",
        "formats",
        default="html",
        show_default=True,
        metavar="FORMATS",
        help="Comma-separated: html, pdf (needs Chromium), docx, e.g. html,pdf,docx. "
        "The tables behind the figures are written as CSV and XLSX in any case.",
    )(func)
    func = click.option(
        "--out",
        "out_dir",
        default="reports",
        show_default=True,
        type=click.Path(file_okay=False),
        help="Folder for the reports.",
    )(func)
    func = click.option(
        "--lang",
        type=click.Choice(["de", "en"]),
        default="de",
        show_default=True,
        help="Language of the reports.",
    )(func)
    func = click.option("--db", default=None, help=DB_HELP)(func)
    return func


def _workers(func: F) -> F:
    return click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Reports made in parallel. Default: one per CPU core.",
    )(func)


def _params(db: str | None, lang: str, **extra: JSONValue) -> dict[str, JSONValue]:
    return {"db": db or "", "lang": lang, **extra}


def _files(result: ReportResult) -> str:
    """The report's HTML and its PDF and Word files, if made."""
    made = [result.html, *(result.exports.get(f) for f in ("pdf", "docx"))]
    return ", ".join(str(path) for path in made if path is not None)


def _one(kind: str, params: dict[str, JSONValue], out_dir: str, formats: str) -> None:
    from transferkit.reports import run_report

    result = run_report(kind, params, out_dir, formats=formats)
    click.echo(f"{result.title}: {_files(result)} ({result.seconds:.1f} s)")


@click.group("report")
def report() -> None:
    """Make reports (HTML without code; PDF, Word with --format) and key-figure JSON files
    from the store, with the tables behind the figures as CSV and XLSX."""


@report.command("pilot")
@click.argument("pilot_ids", nargs=-1, required=True)
@_common
@_workers
@friendly_errors
def report_pilot(
    pilot_ids: tuple[str, ...],
    db: str | None,
    lang: str,
    out_dir: str,
    formats: str,
    workers: int | None,
) -> None:
    """Report on one or more pilot projects, e.g. `transferkit report pilot P01`."""
    if len(pilot_ids) == 1:
        _one("pilot", _params(db, lang, pilot_id=pilot_ids[0]), out_dir, formats)
        return
    from transferkit.reports import ReportJob, run_batch

    jobs = [ReportJob("pilot", _params(db, lang, pilot_id=p)) for p in pilot_ids]
    batch = run_batch(jobs, out_dir, workers, formats=formats)
    for result in batch.results:
        if result.ok:
            click.echo(f"{result.title}: {_files(result)}")
    click.echo(batch.summary(), err=bool(batch.failures))
    if batch.failures:
        raise SystemExit(1)


@report.command("network")
@click.option(
    "--company",
    "company_id",
    default="",
    help="Company to benchmark anonymously against its peers, e.g. C03.",
)
@_common
@friendly_errors
def report_network(company_id: str, db: str | None, lang: str, out_dir: str, formats: str) -> None:
    """Report on all pilots of the network side by side."""
    _one("network", _params(db, lang, company_id=company_id), out_dir, formats)


@report.command("needs")
@click.option(
    "--company",
    "company_id",
    default="",
    help="Company whose needs to report, e.g. C03. Default: the whole network.",
)
@_common
@friendly_errors
def report_needs(company_id: str, db: str | None, lang: str, out_dir: str, formats: str) -> None:
    """Needs analysis of one company or the whole network."""
    _one("needs", _params(db, lang, company_id=company_id), out_dir, formats)


@report.command("protocol")
@click.argument("pilot_id")
@click.option("--loop", type=int, required=True, help="Number of the reflection loop, e.g. 2.")
@_common
@friendly_errors
def report_protocol(
    pilot_id: str, loop: int, db: str | None, lang: str, out_dir: str, formats: str
) -> None:
    """Protocol of one reflection loop session, to hand out afterwards."""
    _one("protocol", _params(db, lang, pilot_id=pilot_id, loop=loop), out_dir, formats)


@report.command("all")
@_common
@_workers
@friendly_errors
def report_all(db: str | None, lang: str, out_dir: str, formats: str, workers: int | None) -> None:
    """Every pilot report, the network and needs reports, and an index.html linking them."""
    from transferkit.reports import run_all

    index = run_all(db, out_dir, lang, workers=workers, formats=formats)
    click.echo(str(index))
