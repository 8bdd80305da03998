"""``transferkit templates``: list, show, validate, print, import and export sheet and loop templates."""

from __future__ import annotations

from pathlib import Path

import click

from transferkit.cli.common import friendly_errors
from transferkit.exceptions import TransferkitError

__all__ = ["templates"]


@click.group()
def templates() -> None:
    """List, show, validate, print, import and export sheet and loop templates."""


@templates.command("list")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@friendly_errors
def templates_list(lang: str) -> None:
    """List the built-in templates."""
    from transferkit.templates import list_templates, load_template

    for name in list_templates():
        template = load_template(name)
        click.echo(
            f"{name:<28} v{template.version}  {template.kind:<5}  {template.title.get(lang)}"
        )


@templates.command("show")
@click.argument("name_or_path")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@friendly_errors
def templates_show(name_or_path: str, lang: str) -> None:
    """Show the questions of a template (built-in name or YAML file)."""
    from transferkit.sheets.printable import template_to_text
    from transferkit.templates import load_template

    click.echo(template_to_text(load_template(name_or_path), lang=lang))


@templates.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def templates_validate(files: tuple[Path, ...]) -> None:
    """Check template files; print every problem with its line and a fix (``check`` is the same).

    Where the YAML can be read, every problem of a file is listed at once.
    """
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


templates.add_command(templates_validate, name="check")  # the same, by its other name


@templates.command("print")
@click.argument("name_or_path")
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="HTML file to write (default: <template id>_<lang>.html).",
)
@friendly_errors
def templates_print(name_or_path: str, lang: str, out: Path | None) -> None:
    """Write a printable HTML sheet for workshops without screens."""
    from transferkit.sheets.printable import template_to_html
    from transferkit.templates import load_template

    template = load_template(name_or_path)
    target = out or Path(f"{template.id}_{lang}.html")
    target.write_text(template_to_html(template, lang=lang), encoding="utf-8")
    click.echo(str(target))


def _loss_path(source: Path, out: Path | None) -> Path:
    """``form.loss.txt`` beside the output (or beside the form when the YAML is printed)."""
    base = out if out is not None else source
    return base.with_name(base.stem + ".loss.txt")


@templates.command("import")
@click.argument("form", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="YAML file to write (default: print the YAML).",
)
@friendly_errors
def templates_import(form: Path, out: Path | None) -> None:
    """Read an XLSForm (.xlsx) or a LimeSurvey survey structure (.lss, or the .lsa archive) into a
    template; print and save what did not convert.

    A LimeSurvey template's question ids are the survey's question codes (array rows:
    CODE_SUB) and its option values the answer codes, so `db import-survey` takes the
    survey's responses into it as they are.
    """
    import warnings

    from transferkit.exchange.codebook import write_text_atomically
    from transferkit.exchange.lss_template import import_limesurvey_structure
    from transferkit.exchange.xlsform import import_xlsform
    from transferkit.templates import load_template_string

    report_path = _loss_path(form, out)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # everything warned about is in the loss report
        if form.suffix.lower() in (".lss", ".lsa"):
            result = import_limesurvey_structure(form, report_path=report_path)
        else:
            result = import_xlsform(form, report_path=report_path)
    template = load_template_string(result.yaml, source=str(out or form))
    if out is not None:
        write_text_atomically(out, result.yaml)
    else:
        click.echo(result.yaml, nl=False)
    click.echo(result.report.text(), err=True, nl=False)
    n = len(template.all_questions())
    where = f"{out}" if out is not None else "printed"
    click.echo(f"{template.id}: {n} questions ({where}); loss report: {report_path}", err=True)


@templates.command("export")
@click.argument("name_or_path")
@click.option(
    "--to",
    "to",
    type=click.Choice(["xlsform"]),
    default="xlsform",
    show_default=True,
    help="Format to write.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (default: <template id>.xlsx).",
)
@friendly_errors
def templates_export(name_or_path: str, to: str, out: Path | None) -> None:
    """Write a template as an XLSForm; list the question types XLSForm cannot hold."""
    import warnings

    from transferkit.exchange.xlsform import export_xlsform
    from transferkit.templates import load_template

    template = load_template(name_or_path)
    target = out or Path(f"{template.id}.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the notes are printed below
        notes = export_xlsform(template, target)
    for line in notes:
        click.echo(f"not exported: {line}", err=True)
    click.echo(str(target))
