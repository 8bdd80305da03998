"""``transferkit network|company|pilot|participant``: add, edit, list and remove without Python.

``add`` creates (or replaces) a record, ``edit`` changes only the options given,
``list`` prints what the store holds, ``remove`` deletes a record nothing refers to
(a participant: erasure on request, with all their answers).
``participant codes`` registers new pseudonymous codes and writes printable cards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from transferkit.cli.common import DB_HELP, friendly_errors, open_store, write_atomically

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.store import Store

__all__ = ["company", "network", "participant", "pilot"]


def _plain(value: Any) -> Any:
    """A cell of a store frame as a Python value (NaN, NaT, NA → None; numpy → Python)."""
    import pandas as pd

    if value is None or (not isinstance(value, str | list | tuple) and bool(pd.isna(value))):
        return None
    return value.item() if hasattr(value, "item") else value


def _current(frame: pd.DataFrame, column: str, key: str, what: str) -> dict[str, Any]:
    rows = frame[frame[column] == key]
    if rows.empty:
        known = ", ".join(str(v) for v in frame[column].head(30)) or "none yet"
        msg = f"unknown {what} {key!r} (known: {known}); add it with `transferkit {what} add`"
        raise click.ClickException(msg)
    return {str(k): _plain(v) for k, v in rows.iloc[0].to_dict().items()}


def _merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``current`` with every change that was given (``None``: option not given)."""
    return {**current, **{k: v for k, v in changes.items() if v is not None}}


def _echo_frame(frame: pd.DataFrame, empty: str) -> None:
    if frame.empty:
        click.echo(empty)
    else:
        click.echo(frame.to_string(index=False, na_rep="–"))


def _confirm_remove(what: str, key: str, yes: bool) -> None:
    if not yes:
        click.confirm(f"Remove {what} {key}?", abort=True)


def _db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", "url", default=None, help=DB_HELP)(func)


# ------------------------------------------------------------------ networks
@click.group()
def network() -> None:
    """Networks of companies and a research partner."""


@network.command("add")
@click.argument("network_id")
@click.argument("name")
@click.option("--region", default=None)
@_db_option
@friendly_errors
def network_add(network_id: str, name: str, region: str | None, url: str | None) -> None:
    """Add a network (or replace the one with this id)."""
    click.echo(open_store(url).add_network(network_id, name, region))


@network.command("edit")
@click.argument("network_id")
@click.option("--name", default=None)
@click.option("--region", default=None)
@_db_option
@friendly_errors
def network_edit(network_id: str, name: str | None, region: str | None, url: str | None) -> None:
    """Change a network's name or region."""
    store = open_store(url)
    row = _merged(
        _current(store.networks(), "network_id", network_id, "network"),
        {"name": name, "region": region},
    )
    click.echo(store.add_network(network_id, row["name"], row["region"]))


@network.command("list")
@_db_option
@friendly_errors
def network_list(url: str | None) -> None:
    """The networks in the store."""
    _echo_frame(open_store(url).networks(), "no networks yet: transferkit network add ID NAME")


@network.command("remove")
@click.argument("network_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_db_option
@friendly_errors
def network_remove(network_id: str, yes: bool, url: str | None) -> None:
    """Remove a network no company or pilot belongs to."""
    store = open_store(url)
    _current(store.networks(), "network_id", network_id, "network")
    _confirm_remove("network", network_id, yes)
    store.remove_network(network_id)
    click.echo(f"network {network_id} removed")


# ------------------------------------------------------------------ companies
def _company_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option(
                "--size-class",
                type=click.Choice(["micro", "small", "medium"]),
                default=None,
                help="EU size class (or give --employees).",
            ),
            click.option("--employees", type=click.IntRange(min=0), default=None),
            click.option("--sector", default=None),
            click.option("--region", default=None),
            click.option("--network", default=None, help="Network id (add it first)."),
            click.option(
                "--roles",
                default=None,
                help="';'-separated: organiser, financier, sender, best_practice.",
            ),
        ]
    ):
        func = option(func)
    return func


def _store(kind: str, store: Store, row: dict[str, Any]) -> str:
    """Store a network, company or pilot the way a set-up file stores it (datasets.setup).

    The commands' options name the network ``network``; the set-up file's column is ``network_id``.
    """
    from transferkit.datasets.setup import SETUP_KINDS

    fields = {k: v for k, v in row.items() if k != "network"}
    if "network" in row:
        fields["network_id"] = row["network"]
    return str(SETUP_KINDS[kind].add(store, fields))


def _store_company(store: Store, company_id: str, row: dict[str, Any]) -> str:
    return _store("companies", store, {**row, "company_id": company_id})


@click.group()
def company() -> None:
    """Companies (SMEs) taking part in pilots."""


@company.command("add")
@click.argument("company_id")
@click.argument("name")
@_company_options
@_db_option
@friendly_errors
def company_add(company_id: str, name: str, url: str | None, **options: Any) -> None:
    """Add a company (or replace the one with this id)."""
    click.echo(_store_company(open_store(url), company_id, {"name": name, **options}))


@company.command("edit")
@click.argument("company_id")
@click.option("--name", default=None)
@_company_options
@_db_option
@friendly_errors
def company_edit(company_id: str, url: str | None, **changes: Any) -> None:
    """Change only the given fields of a company."""
    store = open_store(url)
    row = _merged(_current(store.companies(), "company_id", company_id, "company"), changes)
    click.echo(_store_company(store, company_id, row))


@company.command("list")
@_db_option
@friendly_errors
def company_list(url: str | None) -> None:
    """The companies in the store."""
    _echo_frame(open_store(url).companies(), "no companies yet: transferkit company add ID NAME")


@company.command("remove")
@click.argument("company_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_db_option
@friendly_errors
def company_remove(company_id: str, yes: bool, url: str | None) -> None:
    """Remove a company that no pilot, participant or format plan refers to."""
    store = open_store(url)
    _current(store.companies(), "company_id", company_id, "company")
    _confirm_remove("company", company_id, yes)
    store.remove_company(company_id)
    click.echo(f"company {company_id} removed")


# ------------------------------------------------------------------ pilots
def _pilot_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            click.option("--title-en", default=None),
            click.option("--network", default=None, help="Network id (add it first)."),
            click.option("--topic", default=None),
            click.option(
                "--companies",
                default=None,
                help="Company ids separated by ';' or ',' (add them first).",
            ),
            click.option("--start", default=None, help="Start date, e.g. 2026-03-01."),
            click.option("--end", default=None, help="End date, e.g. 2026-09-30."),
            click.option(
                "--loops",
                type=click.IntRange(min=1),
                default=None,
                help="Planned reflection loops.",
            ),
            click.option(
                "--hourly-rate",
                type=click.FloatRange(min=0),
                default=None,
                help="Hourly rate of participants' working time, for cost figures.",
            ),
            click.option(
                "--currency", default=None, help="ISO 4217 code of the hourly rate (default EUR)."
            ),
        ]
    ):
        func = option(func)
    return func


def _store_pilot(store: Store, pilot_id: str, row: dict[str, Any]) -> str:
    return _store("pilots", store, {**row, "pilot_id": pilot_id})


@click.group()
def pilot() -> None:
    """Pilot projects: title, companies, dates, planned loops, hourly rate."""


@pilot.command("add")
@click.argument("pilot_id")
@click.option("--title-de", required=True, help="German title.")
@_pilot_options
@_db_option
@friendly_errors
def pilot_add(pilot_id: str, title_de: str, url: str | None, **options: Any) -> None:
    """Add a pilot project (or replace the one with this id)."""
    click.echo(_store_pilot(open_store(url), pilot_id, {"title_de": title_de, **options}))


@pilot.command("edit")
@click.argument("pilot_id")
@click.option("--title-de", default=None)
@_pilot_options
@_db_option
@friendly_errors
def pilot_edit(pilot_id: str, url: str | None, **changes: Any) -> None:
    """Change only the given fields of a pilot project."""
    store = open_store(url)
    row = _merged(_current(store.pilots(), "pilot_id", pilot_id, "pilot"), changes)
    click.echo(_store_pilot(store, pilot_id, row))


@pilot.command("list")
@_db_option
@friendly_errors
def pilot_list(url: str | None) -> None:
    """The pilot projects in the store."""
    _echo_frame(
        open_store(url).pilots(), "no pilots yet: transferkit pilot add ID --title-de TITLE"
    )


@pilot.command("remove")
@click.argument("pilot_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_db_option
@friendly_errors
def pilot_remove(pilot_id: str, yes: bool, url: str | None) -> None:
    """Remove a pilot project that has collected nothing yet."""
    store = open_store(url)
    _current(store.pilots(), "pilot_id", pilot_id, "pilot")
    _confirm_remove("pilot", pilot_id, yes)
    store.remove_pilot(pilot_id)
    click.echo(f"pilot {pilot_id} removed")


# ------------------------------------------------------------------ participants
@click.group()
def participant() -> None:
    """Participants: pseudonymous codes, never names."""


@participant.command("add")
@click.argument("code")
@click.option("--company", default=None, help="Company id (add it first).")
@click.option("--pilot", "pilot_id", default=None, help="Pilot id (add it first).")
@_db_option
@friendly_errors
def participant_add(code: str, company: str | None, pilot_id: str | None, url: str | None) -> None:
    """Register a participant code (or change its company and pilot)."""
    click.echo(open_store(url).add_participant(code, company=company, pilot=pilot_id))


@participant.command("list")
@click.option("--pilot", "pilot_id", default=None, help="Only this pilot's participants.")
@click.option("--company", default=None, help="Only this company's participants.")
@_db_option
@friendly_errors
def participant_list(pilot_id: str | None, company: str | None, url: str | None) -> None:
    """The participant codes in the store, with company, pilot and number of responses."""
    frame = open_store(url).participants()
    if pilot_id is not None:
        frame = frame[frame["pilot_id"] == pilot_id]
    if company is not None:
        frame = frame[frame["company_id"] == company]
    _echo_frame(frame, "no participants: transferkit participant codes --n 20 --pilot P01")


@participant.command("remove")
@click.argument("code")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_db_option
@friendly_errors
def participant_remove(code: str, yes: bool, url: str | None) -> None:
    """Erase a participant and all their answers (erasure on request)."""
    code = code.strip().upper()  # codes are stored upper case
    if not yes:
        click.confirm(f"Erase participant {code} and all their answers?", abort=True)
    removed = open_store(url).erase_participant(code)
    click.echo(f"participant {code} erased ({removed} rows removed)")


@participant.command("codes")
@click.option("--n", "count", type=click.IntRange(1, 2000), required=True, help="How many codes.")
@click.option("--pilot", "pilot_id", default=None, help="Pilot the codes belong to.")
@click.option("--company", default=None, help="Company the codes belong to.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Printable HTML code cards (default: codes_<pilot>_<company>.html).",
)
@click.option("--lang", type=click.Choice(["de", "en"]), default="de", show_default=True)
@_db_option
@friendly_errors
def participant_codes(
    count: int,
    pilot_id: str | None,
    company: str | None,
    out: Path | None,
    lang: str,
    url: str | None,
) -> None:
    """Register COUNT new codes and write them as printable cards to hand out (no names)."""
    from transferkit.datasets.setup import generate_codes
    from transferkit.sheets.code_cards import code_cards_html

    store = open_store(url)
    title = ""
    if pilot_id is not None:
        row = _current(store.pilots(), "pilot_id", pilot_id, "pilot")
        title = str(row["title_en"] if lang == "en" and row["title_en"] else row["title_de"])
    target = out or Path("_".join(["codes", *(x for x in (pilot_id, company) if x)]) + ".html")
    folder = target.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        msg = f"cannot write the code cards into {folder}: no such folder or no permission (no codes registered)"
        raise click.ClickException(msg)
    codes = generate_codes(store, count, pilot=pilot_id, company=company)
    write_atomically(target, code_cards_html(codes, pilot_title=title, lang=lang))
    click.echo(f"{len(codes)} codes registered; cards to print: {target}")
