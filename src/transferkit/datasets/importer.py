"""Fill a store: the demo network (:func:`import_demo`) and researchers' own evaluation
data from CSV files (:func:`import_table`: costs, benefits, Kirkpatrick indicators,
planned learning formats)."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pandas as pd

from transferkit.datasets.generate import HOURLY_RATE_EUR
from transferkit.datasets.loader import load_demo
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
    48 EUR, :data:`~transferkit.datasets.generate.HOURLY_RATE_EUR`), participants, every raw
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


@dataclass(frozen=True)
class _Field:
    """One column of an import file: name, parser (text, number, int), required, example."""

    name: str
    kind: str
    example: str
    required: bool = True


@dataclass(frozen=True)
class _Kind:
    """What a kind of import file holds and which store method takes its rows."""

    fields: tuple[_Field, ...]
    key: tuple[str, ...]
    method: str
    duplicate: str
    table: str  # kind of rows for Store.remove_evaluation_rows
    owner: str = "pilot_id"  # the column whose rows --replace deletes first


_PILOT = _Field("pilot_id", "text", "P01")
_KINDS: dict[str, _Kind] = {
    "costs": _Kind(
        (_PILOT, _Field("cost_item", "text", "facilitation"),
         _Field("amount_eur", "number", "7200"), _Field("note", "text", "", required=False)),
        ("pilot_id", "cost_item"), "add_cost",
        "keep one row per pilot and cost item (add the amounts up or name the items apart)",
        "costs",
    ),
    "benefits": _Kind(
        (_PILOT, _Field("benefit_item", "text", "time_savings"),
         _Field("amount_eur", "number", "41290"), _Field("note", "text", "", required=False)),
        ("pilot_id", "benefit_item"), "add_benefit",
        "keep one row per pilot and benefit item (add the amounts up or name the items apart)",
        "benefits",
    ),
    "indicators": _Kind(
        (_PILOT, _Field("level", "int", "1"), _Field("indicator", "text", "satisfaction"),
         _Field("value", "number", "3.97"), _Field("unit", "text", "", required=False)),
        ("pilot_id", "indicator"), "add_indicator",
        "keep one row per pilot and indicator (name the indicators apart)",
        "indicators",
    ),
    "formats": _Kind(
        (_Field("company_id", "text", "C01"), _Field("participant", "text", "K7M4QX"),
         _Field("format", "text", "workshop"), _Field("sessions", "int", "2"),
         _Field("minutes_per_session", "int", "135")),
        ("participant", "format"), "add_format_plan",
        "keep one row per participant and format (add the sessions up)",
        "format_plans",
        "company_id",
    ),
}
#: Kinds of evaluation data that :func:`import_table` reads (``transferkit db import KIND``).
IMPORT_KINDS = tuple(_KINDS)
_NUMBER = (
    "write a plain number with a decimal point, e.g. 1250 or 1250.50 (no thousands "
    "separator, no currency sign; in a file separated by ';' a decimal comma works too)"
)


def _columns_text(kind: str) -> str:
    return ", ".join(f.name + ("" if f.required else " (optional)") for f in _KINDS[kind].fields)


def _read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """Header, the data rows with their line numbers, and the delimiter of a CSV file."""
    if not path.is_file():
        msg = f"No such file: {path}"
        raise DatasetError(msg)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        msg = (
            f"{path} is not a UTF-8 text file (line {line}). Save it as CSV in UTF-8 "
            "(Excel: 'CSV UTF-8 (durch Trennzeichen getrennt)' / 'CSV UTF-8 (comma delimited)')."
        )
        raise DatasetError(msg) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if header is None:
                header = cells
            elif any(cell.strip() for cell in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        msg = f"{path}, line {reader.line_num}: not a readable CSV row ({exc})"
        raise DatasetError(msg) from None
    if not header or not any(cell.strip() for cell in header):
        msg = f"{path} is empty: the first line must name the columns"
        raise DatasetError(msg)
    return header, rows, delimiter


def _header_problems(
    kind: str, header: list[str], rows: list[tuple[int, list[str]]]
) -> tuple[list[str], dict[str, int]]:
    """Problems with the column names, and the position of each known column.

    A misspelled column (close to a missing one) is named as such and its cells are
    still checked under the right name, so that one run finds every problem. Columns
    without a name and without values (trailing separators, as Excel writes them)
    are ignored.
    """
    spec = _KINDS[kind]
    names = [cell.strip().lower() for cell in header]
    wanted = [f.name for f in spec.fields]
    positions: dict[str, int] = {}
    problems: list[str] = []
    unknown: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in rows):
                problems.append(f"column {index + 1} has values but no name in line 1; "
                                "name it or remove it")
        elif name in wanted and name not in positions:
            positions[name] = index
        elif name in positions or name in unknown:
            problems.append(f"column {name!r} appears twice; keep one of them")
        else:
            unknown[name] = index
    for field in spec.fields:
        if field.name in positions:
            continue
        close = difflib.get_close_matches(field.name, list(unknown), n=1, cutoff=0.6)
        if close:
            positions[field.name] = unknown.pop(close[0])
            problems.append(f"column {field.name!r} is missing; the file has "
                            f"{close[0]!r} instead: rename it to {field.name!r}")
        elif field.required:
            problems.append(f"column {field.name!r} is missing; add it "
                            f"(e.g. {field.example!r})")
    for name in unknown:
        problems.append(f"unknown column {name!r}; remove it, or rename it to "
                        "one of the columns below")
    return problems, positions


def _parse(field: _Field, text: str, delimiter: str) -> tuple[_Cell, str | None]:
    """The value of one cell, or a problem text."""
    text = text.strip()
    if not text:
        if field.required:
            return None, f"{field.name} is empty; enter a value (e.g. {field.example!r})"
        return None, None
    if field.kind == "text":
        return text, None
    number_text = text.replace(",", ".") if delimiter == ";" and "." not in text else text
    try:
        number = float(number_text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in number_text:
        return None, f"{field.name}: {text!r} is not a number; {_NUMBER}"
    if field.kind == "int":
        if not number.is_integer():
            return None, (f"{field.name}: {text!r} is not a whole number; write e.g. "
                          f"{field.example!r}")
        return int(number), None
    return number, None


def _problems_message(kind: str, path: Path, problems: list[tuple[int, str]]) -> str:
    problems = sorted(problems, key=lambda problem: problem[0])
    listed = "\n".join(f"  line {line}: {text}" for line, text in problems)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        f"Cannot import {kind} from {path}: {count}, nothing was stored.\n{listed}\n"
        f"The columns of a {kind} file: {_columns_text(kind)}."
    )


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
    header, rows, delimiter = _read_csv(path)
    header_problems, positions = _header_problems(kind, header, rows)
    problems = [(1, p) for p in header_problems]
    parsed: list[tuple[int, list[_Cell]]] = []
    seen: dict[tuple[_Cell, ...], int] = {}
    for line, cells in rows:
        if len(cells) > len(header):
            too_many = (f"{len(cells)} cells, but the header has {len(header)} columns; "
                        f"put a text containing {delimiter!r} in double quotes")
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
            value, problem = _parse(field, cells[index] if index < len(cells) else "", delimiter)
            if problem:
                problems.append((line, problem))
                complete = False
            values[field.name] = value
        key = tuple(values[name] for name in spec.key)
        if None not in key and key in seen:
            shown = ", ".join(f"{n} {v}" for n, v in zip(spec.key, key, strict=True))
            problems.append((line, f"{shown} appears already in line {seen[key]}; {spec.duplicate}"))
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
            raise DatasetError(_problems_message(kind, path, problems))
    return len(parsed)
