"""``transferkit db``: create, fill, export and erase in the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from transferkit.cli.common import DB_HELP, friendly_errors, open_store, write_atomically

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.templates import Template

__all__ = ["db"]


@click.group()
def db() -> None:
    """Create, fill and inspect the response store."""


@db.command("init")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_init(url: str | None) -> None:
    """Create the store's tables (safe to repeat)."""
    store = open_store(url)
    click.echo(f"Store ready: {store.info()['url']}")


@db.command("import-demo")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_import_demo(url: str | None) -> None:
    """Import the demo network (idempotent)."""
    from transferkit.datasets import import_demo

    counts = import_demo(open_store(url))
    click.echo(json.dumps(counts, indent=2))


@db.command("import")
@click.argument(
    "kind", type=click.Choice(["costs", "benefits", "indicators", "formats", "responses"])
)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="First delete the stored rows of this kind of every pilot (company, for formats) "
    "in the file, so that a row left out of a corrected file is gone too.",
)
@click.option("--template", default=None, help="responses: the template of the paper sheets.")
@click.option("--pilot", default=None, help="responses: pilot of every row without a pilot column.")
@click.option(
    "--loop", type=int, default=None, help="responses: loop of every row without a loop column."
)
@click.option("--phase", default=None, help="responses: phase of a loop template.")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_import(
    kind: str,
    file: Path,
    replace: bool,
    template: str | None,
    pilot: str | None,
    loop: int | None,
    phase: str | None,
    url: str | None,
) -> None:
    """Import a CSV file of costs, benefits, Kirkpatrick indicators or planned formats,
    or the answers of paper sheets (``responses``, CSV or XLSX, with --template).

    The columns are those of the demo datasets (costs: pilot_id, cost_item,
    amount_eur, note; benefits: pilot_id, benefit_item, amount_eur, note;
    indicators: pilot_id, level, indicator, value, unit; formats: company_id,
    participant, format, sessions, minutes_per_session). All rows or none.
    Rows whose key is stored already are replaced; with --replace, stored rows
    of the file's pilots (companies) that the file leaves out are deleted too.
    responses: one row per paper sheet, columns ``sheet`` (its number: importing
    again adds nothing), optionally participant, pilot, loop, phase, then the
    template's question ids; validated like the web sheet's answers.
    """
    store = open_store(url)
    if kind == "responses":
        from transferkit.datasets.paper import import_paper_answers
        from transferkit.templates import load_template

        if template is None:
            msg = "responses need --template (the template of the paper sheets)"
            raise click.UsageError(msg)
        n = import_paper_answers(
            store, load_template(template), file, pilot=pilot, loop=loop, phase=phase
        )
        click.echo(f"{n} new responses from paper sheets imported into {store.info()['url']}")
        return
    if template or pilot or loop is not None or phase:
        msg = "--template, --pilot, --loop and --phase are for `db import responses` only"
        raise click.UsageError(msg)
    from transferkit.datasets.importer import import_table

    n = import_table(store, kind, file, replace=replace)
    click.echo(f"{n} rows of {kind} imported into {store.info()['url']}")


@db.command("import-survey")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--structure",
    type=click.Path(path_type=Path),
    default=None,
    help="LimeSurvey: the survey structure (.lss or tab-separated .txt), needed with a .lsr file "
    "(a survey archive .lsa holds its own); "
    "KoboToolbox: the XLSForm (its repeat groups are reported).",
)
@click.option(
    "--template",
    required=True,
    help="The template whose question ids are the survey's question codes "
    "(built-in name or YAML file).",
)
@click.option(
    "--participant-column",
    default=None,
    help="The column with each respondent's pseudonymous code (e.g. LimeSurvey's token).",
)
@click.option("--pilot", default=None, help="Pilot of every response.")
@click.option("--loop", type=int, default=None, help="Loop of every response.")
@click.option("--phase", default=None, help="Phase of a loop template.")
@click.option(
    "--source",
    type=click.Choice(["limesurvey", "kobo"]),
    default=None,
    help="Which tool exported FILE (default: recognised from the file).",
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path),
    default=None,
    help="YAML file `source column or code: question id` where they differ.",
)
@click.option("--survey-id", default=None, help="LimeSurvey survey id, if neither file names it.")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_import_survey(
    file: Path,
    structure: Path | None,
    template: str,
    participant_column: str | None,
    pilot: str | None,
    loop: int | None,
    phase: str | None,
    source: str | None,
    mapping: Path | None,
    survey_id: str | None,
    url: str | None,
) -> None:
    """Import responses exported from LimeSurvey (survey archive .lsa, .lsr with --structure, or CSV/R with question codes)
    or KoboToolbox/ODK (CSV with ';' or ',', or XLSX), validated by the template like the web sheet.

    Columns belong to the questions whose ids are the survey's question codes
    (LimeSurvey) or names (KoboToolbox). Each response keeps the source's
    response id, so importing the same file again adds nothing. Incomplete and
    invalid responses are skipped and listed with their record number and reason;
    the others are stored.
    """
    from transferkit.exchange.survey_import import import_survey, read_mapping
    from transferkit.templates import load_template

    store = open_store(url)
    result = import_survey(
        store,
        load_template(template),
        file,
        structure=structure,
        source=source,
        participant_column=participant_column,
        pilot=pilot,
        loop=loop,
        phase=phase,
        mapping=read_mapping(mapping) if mapping is not None else None,
        survey_id=survey_id,
    )
    click.echo(f"{result.summary()}; store: {store.info()['url']}")
    for skipped in result.skipped:
        click.echo(f"skipped {skipped}", err=True)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)


@db.command("erase")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_erase(code: str, yes: bool, url: str | None) -> None:
    """Erase a participant and everything stored about them (a request under GDPR Art. 17).

    Removes their responses, planned formats and half-filled drafts; blanks the
    owner of action items that name the code. Aggregates of closed loops stay.
    """
    store = open_store(url)
    if not yes:
        click.confirm(
            f"Erase participant {code!r} and all their answers from {store.info()['url']}? "
            "This cannot be undone",
            abort=True,
        )
    removed = store.erase_participant(code)
    click.echo(f"Participant {code!r} erased: {removed} rows removed.")


EXPORT_SALT_ENV = "TRANSFERKIT_EXPORT_SALT"


@db.command("export")
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "sav", "dta", "r", "xlsx", "datapackage"]),
    default="csv",
    show_default=True,
    help="csv: one file, lists as JSON; sav (SPSS), dta (Stata), xlsx: one file with labels; "
    "r, datapackage: OUT is a folder (CSV, codebook, R script / datapackage.json). "
    "All but csv need --template.",
)
@click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Language of variable and value labels (not csv).",
)
@click.option(
    "--table",
    type=click.Choice(["responses", "format_plans"]),
    default="responses",
    show_default=True,
)
@click.option("--template", default=None, help="Only this template (built-in name or YAML file).")
@click.option("--pilot", default=None, help="Only this pilot.")
@click.option(
    "--free-text",
    type=click.Choice(["drop", "keep"]),
    default="drop",
    show_default=True,
    help="drop: remove answers written in people's own words (they can name people); "
    "keep: export them as written, after you have checked them.",
)
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_export(
    out: Path,
    fmt: str,
    lang: str,
    table: str,
    template: str | None,
    pilot: str | None,
    free_text: str,
    url: str | None,
) -> None:
    """Write a pseudonymised CSV for sharing: participant codes become salted hashes.

    With $TRANSFERKIT_EXPORT_SALT set, the same participant gets the same
    pseudonym in every export (keep the salt secret); without it, a random salt
    is drawn and exports cannot be linked. CSV: lists and records are written
    as JSON. Other formats: labelled codes, one 0/1 column per multi_choice
    option; what a format cannot hold is printed as a note.
    """
    import os

    chosen: str | Template | None = template
    if fmt != "csv" and (template is None or table != "responses"):
        msg = (
            f"--format {fmt} needs --template (its questions give the labels) and --table responses"
        )
        raise click.UsageError(msg)
    if template is not None and (fmt != "csv" or template.endswith((".yaml", ".yml"))):
        from transferkit.templates import load_template

        chosen = load_template(template)
    salt = os.environ.get(EXPORT_SALT_ENV) or None
    data = open_store(url).export_pseudonymized(
        chosen, pilot, salt, table=table, free_text=free_text
    )
    if data.empty:
        which = ", ".join(f"{k} {v!r}" for k, v in (("template", template), ("pilot", pilot)) if v)
        msg = (
            f"Nothing to export: no rows in {table}"
            + (f" for {which}" if which else "")
            + f"; {out} was not written. `transferkit db info` shows what the store holds."
        )
        raise click.ClickException(msg)
    linked = f"linkable (salt from ${EXPORT_SALT_ENV})" if salt else "not linkable to other exports"
    dropped = (
        "free text removed" if free_text == "drop" else "free text kept: check it before sharing"
    )
    if fmt != "csv":
        _export_format(data, chosen, out, fmt, lang)
        click.echo(f"{len(data)} rows written to {out} as {fmt} ({dropped}; pseudonyms {linked})")
        return
    for column in data.columns:
        if data[column].map(lambda v: isinstance(v, list | dict)).any():
            data[column] = data[column].map(
                lambda v: (
                    json.dumps(v, ensure_ascii=False, default=str)
                    if isinstance(v, list | dict)
                    else v
                )
            )
    from pandas.api.types import is_datetime64_any_dtype

    from transferkit.exchange.codebook import iso_utc

    for column in data.columns:  # times as ISO 8601 in UTC, as in the other formats
        if is_datetime64_any_dtype(data[column]):
            data[column] = iso_utc(data[column])
    write_atomically(out, data.to_csv(index=False))
    click.echo(f"{len(data)} rows written to {out} ({dropped}; pseudonyms {linked})")


def _export_format(data: pd.DataFrame, template: object, out: Path, fmt: str, lang: str) -> None:
    """Write ``data`` in ``fmt`` (not csv) and print the notes on what did not fit."""
    import warnings

    from transferkit import exchange
    from transferkit.templates import Template

    assert isinstance(template, Template)
    writer = {
        "sav": exchange.write_sav,
        "dta": exchange.write_dta,
        "r": exchange.write_r,
        "xlsx": exchange.write_xlsx,
        "datapackage": exchange.write_datapackage,
    }[fmt]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", exchange.ExchangeWarning)
        _, notes = writer(data, template, out, lang)
    for line in notes:
        click.echo(f"note: {line}", err=True)


@db.command("info")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_info(url: str | None) -> None:
    """Show the store URL (password hidden) and row counts."""
    click.echo(json.dumps(open_store(url).info(), indent=2, default=str))
