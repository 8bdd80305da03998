"""``transferkit templates``: list, show, validate and print sheet and loop templates."""

from __future__ import annotations

from pathlib import Path

import click

from transferkit.cli.common import friendly_errors
from transferkit.exceptions import TransferkitError

__all__ = ["templates"]


@click.group()
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
