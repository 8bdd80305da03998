"""Command-line interface: a thin click layer over the Python API.

Every command catches :class:`~transferkit.exceptions.TransferkitError` and
prints its message (no traceback) with exit code 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from transferkit.cli_common import DB_HELP, friendly_errors
from transferkit.exceptions import TransferkitError

__all__ = ["main"]

def _register_subcommands() -> None:
    """Attach the command groups that live beside their API modules."""
    from transferkit.cli_report import report
    from transferkit.serve import serve_command

    main.add_command(report)
    main.add_command(serve_command)


def _open_store(db: str | None) -> Any:
    from transferkit.store import Store

    return Store(db)


@click.group()
@click.version_option(package_name="transferkit")
def main() -> None:
    """transferkit: reflection loops, workshop sheets and pilot evaluation for SMEs."""


# --------------------------------------------------------------------- demo
@main.command()
@click.option("--db", default=None, help=DB_HELP)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("reports"), show_default=True,
    help="Folder for the reports.",
)
@click.option("--reports/--no-reports", default=True, show_default=True,
              help="Also build every report (pilots, network, needs) and an index.html.")
@friendly_errors
def demo(db: str | None, lang: str, out: Path, reports: bool) -> None:
    """Load the demo network, summarise each pilot and build all reports."""
    from transferkit.datasets import import_demo
    from transferkit.summary import pilot_summary_lines

    store = _open_store(db)
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


# ---------------------------------------------------------------- templates
@main.group()
def templates() -> None:
    """List, show and validate sheet and loop templates."""


@templates.command("list")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@friendly_errors
def templates_list(lang: str) -> None:
    """List the built-in templates."""
    from transferkit.templates import list_templates, load_template

    for name in list_templates():
        template = load_template(name)
        click.echo(f"{name:<28} v{template.version}  {template.kind:<5}  {template.title.get(lang)}")


@templates.command("show")
@click.argument("name_or_path")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@friendly_errors
def templates_show(name_or_path: str, lang: str) -> None:
    """Show the questions of a template (built-in name or YAML file)."""
    from transferkit.printable import template_to_text
    from transferkit.templates import load_template

    click.echo(template_to_text(load_template(name_or_path), lang=lang))


@templates.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def templates_validate(files: tuple[Path, ...]) -> None:
    """Check template files; print every problem with its line and a fix."""
    from transferkit.templates import load_template

    failed = 0
    for path in files:
        try:
            template = load_template(path)
        except TransferkitError as error:
            failed += 1
            click.echo(str(error), err=True)
        else:
            n = len(template.all_questions())
            click.echo(f"{path}: OK ({template.id} v{template.version}, {n} questions)")
    if failed:
        raise SystemExit(1)


# ----------------------------------------------------------------------- db
@main.group()
def db() -> None:
    """Create, fill and inspect the response store."""


@db.command("init")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_init(url: str | None) -> None:
    """Create the store's tables (safe to repeat)."""
    store = _open_store(url)
    click.echo(f"Store ready: {store.info()['url']}")


@db.command("import-demo")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_import_demo(url: str | None) -> None:
    """Import the demo network (idempotent)."""
    from transferkit.datasets import import_demo

    counts = import_demo(_open_store(url))
    click.echo(json.dumps(counts, indent=2))


@db.command("import")
@click.argument("kind", type=click.Choice(["costs", "benefits", "indicators", "formats"]))
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="First delete the stored rows of this kind of every pilot (company, for formats) "
    "in the file, so that a row left out of a corrected file is gone too.",
)
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_import(kind: str, file: Path, replace: bool, url: str | None) -> None:
    """Import a CSV file of costs, benefits, Kirkpatrick indicators or planned formats.

    The columns are those of the demo datasets (costs: pilot_id, cost_item,
    amount_eur, note; benefits: pilot_id, benefit_item, amount_eur, note;
    indicators: pilot_id, level, indicator, value, unit; formats: company_id,
    participant, format, sessions, minutes_per_session). All rows or none.
    Rows whose key is stored already are replaced; with --replace, stored rows
    of the file's pilots (companies) that the file leaves out are deleted too.
    """
    from transferkit.datasets.importer import import_table

    store = _open_store(url)
    n = import_table(store, kind, file, replace=replace)
    click.echo(f"{n} rows of {kind} imported into {store.info()['url']}")


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
    store = _open_store(url)
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
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--table", type=click.Choice(["responses", "format_plans"]), default="responses",
              show_default=True)
@click.option("--template", default=None, help="Only this template (built-in name or YAML file).")
@click.option("--pilot", default=None, help="Only this pilot.")
@click.option(
    "--free-text", type=click.Choice(["drop", "keep"]), default="drop", show_default=True,
    help="drop: remove answers written in people's own words (they can name people); "
    "keep: export them as written, after you have checked them.",
)
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_export(
    out: Path, table: str, template: str | None, pilot: str | None, free_text: str, url: str | None
) -> None:
    """Write a pseudonymised CSV for sharing: participant codes become salted hashes.

    With $TRANSFERKIT_EXPORT_SALT set, the same participant gets the same
    pseudonym in every export (keep the salt secret); without it, a random salt
    is drawn and exports cannot be linked. Lists and records are written as JSON.
    """
    import os

    chosen: Any = template
    if template is not None and template.endswith((".yaml", ".yml")):
        from transferkit.templates import load_template

        chosen = load_template(template)
    salt = os.environ.get(EXPORT_SALT_ENV) or None
    data = _open_store(url).export_pseudonymized(
        chosen, pilot, salt, table=table, free_text=free_text
    )
    if data.empty:
        which = ", ".join(f"{k} {v!r}" for k, v in (("template", template), ("pilot", pilot)) if v)
        msg = (f"Nothing to export: no rows in {table}" + (f" for {which}" if which else "")
               + f"; {out} was not written. `transferkit db info` shows what the store holds.")
        raise click.ClickException(msg)
    for column in data.columns:
        if data[column].map(lambda v: isinstance(v, list | dict)).any():
            data[column] = data[column].map(
                lambda v: json.dumps(v, ensure_ascii=False, default=str)
                if isinstance(v, list | dict) else v
            )
    write_atomically(out, data.to_csv(index=False))
    linked = f"linkable (salt from ${EXPORT_SALT_ENV})" if salt else "not linkable to other exports"
    dropped = "free text removed" if free_text == "drop" else "free text kept: check it before sharing"
    click.echo(f"{len(data)} rows written to {out} ({dropped}; pseudonyms {linked})")


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written file."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@db.command("info")
@click.option("--db", "url", default=None, help=DB_HELP)
@friendly_errors
def db_info(url: str | None) -> None:
    """Show the store URL (password hidden) and row counts."""
    click.echo(json.dumps(_open_store(url).info(), indent=2, default=str))


@templates.command("print")
@click.argument("name_or_path")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option(
    "--out", "out", type=click.Path(path_type=Path), default=None,
    help="HTML file to write (default: <template id>_<lang>.html).",
)
@friendly_errors
def templates_print(name_or_path: str, lang: str, out: Path | None) -> None:
    """Write a printable HTML sheet for workshops without screens."""
    from transferkit.printable import template_to_html
    from transferkit.templates import load_template

    template = load_template(name_or_path)
    target = out or Path(f"{template.id}_{lang}.html")
    target.write_text(template_to_html(template, lang=lang), encoding="utf-8")
    click.echo(str(target))


_register_subcommands()
