"""Fill a store: the demo network (:func:`import_demo`) and researchers' own evaluation
data from CSV files (:func:`import_table`: costs, benefits, Kirkpatrick indicators,
planned learning formats)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd

from transferkit.datasets.loader import load_demo
from transferkit.datasets.spec import HOURLY_RATE_EUR
from transferkit.datasets.tables import (
    Field,
    TableSpec,
    header_problems_of,
    parse_cell,
    problems_message,
    read_csv,
)
from transferkit.exceptions import DatasetError, StoreError

if TYPE_CHECKING:
    from transferkit.store import Store
    from transferkit.store.values import JSONValue, Row

#: The value of one parsed CSV cell.
_Cell: TypeAlias = "str | int | float | None"

__all__ = ["IMPORT_KINDS", "import_demo", "import_table"]


def _none(value: object) -> JSONValue:
    """Missing values (NaN, NaT, pd.NA) as ``None``; numpy scalars as Python numbers."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value.item() if hasattr(value, "item") else value


def _int(value: object) -> int | None:
    plain = _none(value)
    return None if plain is None else int(plain)


def _rows(df: pd.DataFrame) -> list[Row]:
    return [{str(k): v for k, v in r.items()} for r in df.to_dict(orient="records")]


def _date(value: object) -> dt.date | None:
    plain = _none(value)
    return plain.date() if isinstance(plain, dt.datetime) else plain


def import_demo(store: Store) -> dict[str, int]:
    """Load the demo network into ``store``; return the number of rows of each kind.

    Adds the network, companies (with roles), pilots (with the demo's hourly rate of
    48 EUR, :data:`~transferkit.datasets.spec.HOURLY_RATE_EUR`), participants, every raw
    response (validated by ``store.submit`` against its template, with its
    fixed ``submission_id``), the action items with their final status, and the
    evaluation data: costs, benefits, Kirkpatrick indicators and planned
    learning formats. All in one transaction. Importing again changes nothing:
    networks, companies, pilots and participants are upserted, responses are
    skipped by submission id, action items are matched by pilot, loop and text,
    and costs, benefits, indicators and format plans are upserted by their keys.

    >>> from transferkit.store import Store
    >>> with Store("sqlite://") as store:
    ...     counts = import_demo(store)
    ...     store.info()["counts"]["responses"] == counts["responses"]
    True
    >>> counts["companies"], counts["pilots"], counts["participants"]
    (12, 6, 60)
    """
    from transferkit.templates import load_template

    demo = load_demo()
    net = demo.network.iloc[0]
    network = str(net["network_id"])
    with store.bulk():
        store.add_network(network, str(net["name"]), str(net["region"]))
        for c in _rows(demo.companies):
            store.add_company(
                str(c["company_id"]),
                str(c["name"]),
                size_class=str(c["size_class"]),
                employees=int(c["employees"]),
                sector=str(c["sector"]),
                region=str(c["region"]),
                network=network,
                roles=str(c["roles"]),
            )
        for p in _rows(demo.pilots):
            store.add_pilot(
                str(p["pilot_id"]),
                str(p["title_de"]),
                str(p["title_en"]),
                network=network,
                topic=str(p["topic"]),
                companies=str(p["companies"]),
                start=_date(p["start"]),
                end=_date(p["end"]),
                loops=int(p["loops"]),
                hourly_rate=HOURLY_RATE_EUR,
                currency="EUR",
            )
        for row in _rows(demo.participants):
            store.add_participant(
                str(row["participant"]), company=str(row["company_id"]), pilot=str(row["pilot_id"])
            )
        templates = {name: load_template(name) for name in {r["template"] for r in demo.responses}}
        for record in demo.responses:
            store.submit(
                templates[record["template"]],
                record["answers"],
                pilot=record["pilot"],
                loop=record["loop"],
                phase=record["phase"],
                participant=record["participant"],
                submission_id=record["submission_id"],
                submitted_at=record["submitted_at"],
            )
        existing = store.action_items()
        known = {
            (str(r["pilot_id"]), _int(r["loop_raised"]), str(r["what"])): int(r["item_id"])
            for r in _rows(existing)
        }
        for item in _rows(demo.action_items):
            key = (str(item["pilot_id"]), int(item["loop_raised"]), str(item["what"]))
            store.add_action_item(
                key[0],
                key[1],
                key[2],
                owner=str(item["owner"]),
                due=_date(item["due"]),
                status=str(item["status"]),
                loop_closed=_int(item["loop_closed"]),
                item_id=known.get(key),
            )
        for row in _rows(demo.costs):
            store.add_cost(str(row["pilot_id"]), str(row["cost_item"]), row["amount_eur"])
        for row in _rows(demo.benefits):
            store.add_benefit(str(row["pilot_id"]), str(row["benefit_item"]), row["amount_eur"])
        for row in _rows(demo.indicators):
            store.add_indicator(
                str(row["pilot_id"]),
                row["level"],
                str(row["indicator"]),
                row["value"],
                _none(row["unit"]),
            )
        for row in _rows(demo.format_plan):
            store.add_format_plan(
                str(row["company_id"]),
                str(row["participant"]),
                str(row["format"]),
                row["sessions"],
                row["minutes_per_session"],
            )
    return {
        "networks": len(demo.network),
        "companies": len(demo.companies),
        "pilots": len(demo.pilots),
        "participants": len(demo.participants),
        "responses": len(demo.responses),
        "action_items": len(demo.action_items),
        "costs": len(demo.costs),
        "benefits": len(demo.benefits),
        "indicators": len(demo.indicators),
        "format_plans": len(demo.format_plan),
    }


# ---------------------------------------------------------------- researchers' CSV files


# ---------------------------------------------------------------- researchers' CSV files

_PILOT = Field("pilot_id", "text", "P01")
_KINDS: dict[str, TableSpec] = {
    "costs": TableSpec(
        (
            _PILOT,
            Field("cost_item", "text", "facilitation"),
            Field("amount_eur", "number", "7200"),
            Field("note", "text", "", required=False),
        ),
        ("pilot_id", "cost_item"),
        "add_cost",
        "keep one row per pilot and cost item (add the amounts up or name the items apart)",
        "costs",
    ),
    "benefits": TableSpec(
        (
            _PILOT,
            Field("benefit_item", "text", "time_savings"),
            Field("amount_eur", "number", "41290"),
            Field("note", "text", "", required=False),
        ),
        ("pilot_id", "benefit_item"),
        "add_benefit",
        "keep one row per pilot and benefit item (add the amounts up or name the items apart)",
        "benefits",
    ),
    "indicators": TableSpec(
        (
            _PILOT,
            Field("level", "int", "1"),
            Field("indicator", "text", "satisfaction"),
            Field("value", "number", "3.97"),
            Field("unit", "text", "", required=False),
        ),
        ("pilot_id", "indicator"),
        "add_indicator",
        "keep one row per pilot and indicator (name the indicators apart)",
        "indicators",
    ),
    "formats": TableSpec(
        (
            Field("company_id", "text", "C01"),
            Field("participant", "text", "K7M4QX"),
            Field("format", "text", "workshop"),
            Field("sessions", "int", "2"),
            Field("minutes_per_session", "int", "135"),
        ),
        ("participant", "format"),
        "add_format_plan",
        "keep one row per participant and format (add the sessions up)",
        "format_plans",
        "company_id",
    ),
}
#: Kinds of evaluation data that :func:`import_table` reads (``transferkit db import KIND``).
IMPORT_KINDS = tuple(_KINDS)


def import_table(store: Store, kind: str, path: str | Path, *, replace: bool = False) -> int:
    """Import a CSV file of evaluation data into ``store``; return the number of rows.

    ``kind`` is one of :data:`IMPORT_KINDS`; the file has the columns of the
    demo dataset of the same name (``format_plan`` for ``"formats"``), in any
    order, with a header line:

    ============  ===============================================================
    kind          columns
    ============  ===============================================================
    costs         pilot_id, cost_item, amount_eur, note (optional)
    benefits      pilot_id, benefit_item, amount_eur, note (optional)
    indicators    pilot_id, level (1-4), indicator, value, unit (optional)
    formats       company_id, participant, format, sessions, minutes_per_session
    ============  ===============================================================

    Comma- or semicolon-separated UTF-8 (as Excel writes it; with ``;`` a
    decimal comma is read too). Every row goes through the store's own checks
    (:meth:`~transferkit.store.Store.add_cost` and the like: the pilot or
    company must exist, amounts are finite and >= 0, levels 1-4, known
    formats, participant codes and never names). The whole file is one
    transaction: if anything is wrong, nothing is stored, and one
    :class:`~transferkit.exceptions.DatasetError` lists every problem with its
    line number and how to fix it. Rows whose key (e.g. pilot and cost item)
    is stored already replace the stored values, so importing a corrected
    file again is safe. With ``replace``, the stored rows of this kind of every
    pilot (company, for formats) named in the file are deleted first, in the
    same transaction: a row left out of the corrected file is then gone too.
    """
    if kind not in _KINDS:
        msg = f"Unknown kind of data {kind!r}; use one of {', '.join(IMPORT_KINDS)}"
        raise DatasetError(msg)
    spec = _KINDS[kind]
    path = Path(path)
    header, rows, delimiter = read_csv(path)
    header_problems, positions = header_problems_of(spec, header, rows)
    problems = [(1, p) for p in header_problems]
    parsed: list[tuple[int, list[_Cell]]] = []
    seen: dict[tuple[_Cell, ...], int] = {}
    for line, cells in rows:
        if len(cells) > len(header):
            too_many = (
                f"{len(cells)} cells, but the header has {len(header)} columns; "
                f"put a text containing {delimiter!r} in double quotes"
            )
            problems.append((line, too_many))
            continue
        values: dict[str, _Cell] = {}
        complete = True
        for field in spec.fields:
            index = positions.get(field.name)
            if index is None:
                complete = complete and not field.required
                values[field.name] = None
                continue
            value, problem = parse_cell(
                field, cells[index] if index < len(cells) else "", delimiter
            )
            if problem:
                problems.append((line, problem))
                complete = False
            values[field.name] = value
        key = tuple(values[name] for name in spec.key)
        if None not in key and key in seen:
            shown = ", ".join(f"{n} {v}" for n, v in zip(spec.key, key, strict=True))
            problems.append(
                (line, f"{shown} appears already in line {seen[key]}; {spec.duplicate}")
            )
            complete = False
        elif None not in key:
            seen[key] = line
        if complete:
            parsed.append((line, [values[f.name] for f in spec.fields]))
    if not rows:
        problems.append((1, "the file has no rows below the header line"))
    add: Callable[..., object] = getattr(store, spec.method)
    with store.bulk():  # one transaction: an error below rolls everything back
        if replace and not header_problems:
            owner = [f.name for f in spec.fields].index(spec.owner)
            store.remove_evaluation_rows(spec.table, {str(args[owner]) for _line, args in parsed})
        if not header_problems:
            for line, args in parsed:
                try:
                    add(*args)  # the store's own checks: pilot, company, ranges, codes
                except StoreError as error:
                    problems.append((line, str(error)))
                    if error.__cause__ is not None:  # the database refused: stop here
                        break
        if problems:
            raise DatasetError(problems_message(kind, path, problems, spec))
    return len(parsed)
