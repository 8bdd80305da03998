"""A researcher's own pilot set up from one file: networks, companies, pilots and participants.

The researcher fills in a workbook (:func:`write_setup_workbook` writes an empty
one with a help sheet) and imports it with :func:`import_setup`
(``transferkit setup import FILE``):

- **XLSX**: one sheet per kind, named ``networks``, ``companies``, ``pilots``,
  ``participants`` (or ``Netzwerke``, ``Unternehmen``, ``Pilotprojekte``,
  ``Teilnehmende``); a sheet ``help``/``Hilfe`` is ignored;
- **CSV** (UTF-8, ``,`` or ``;``): one row per record, its kind in the column
  ``record`` (the same names, singular or plural), the kinds' columns side by side.

Everything is one transaction, in the order networks → companies → pilots →
participants: if any row is wrong, nothing is stored and one
:class:`~transferkit.exceptions.DatasetError` lists every problem with its sheet
and row (or line) and how to fix it. Rows whose id exists already update it, so
a corrected file can be imported again.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from transferkit.store import Store
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "setup.csv").write_text(
...     "record;network_id;name;company_id;size_class;pilot_id;title_de;companies;loops\\n"
...     "network;N1;Netz Süd;;;;;;\\n"
...     "company;N1;Tischlerei Berg;C1;micro;;;;\\n"
...     "pilot;N1;;;;P1;Agile Werkstatt;C1;3\\n", encoding="utf-8")
>>> with Store("sqlite://") as store:
...     import_setup(store, folder / "setup.csv")
{'networks': 1, 'companies': 1, 'pilots': 1, 'participants': 0}
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.datasets.tables import (
    Field,
    TableSpec,
    header_problems_of,
    parse_cell,
    read_csv,
    read_workbook,
)
from transferkit.exceptions import DatasetError, StoreError

if TYPE_CHECKING:
    from transferkit.store import Store

__all__ = ["SETUP_KINDS", "generate_codes", "import_setup", "write_setup_workbook"]


@dataclass(frozen=True)
class SetupKind:
    """One kind of set-up record: its columns, help texts and how the store takes a row."""

    fields: tuple[Field, ...]
    add: Callable[[Store, dict[str, Any]], Any]
    names: tuple[str, ...]  # sheet names and record values that mean this kind
    help_de: str
    help_en: str


def _add_network(store: Store, row: dict[str, Any]) -> Any:
    return store.add_network(row["network_id"], row["name"], row["region"])


def _add_company(store: Store, row: dict[str, Any]) -> Any:
    return store.add_company(
        row["company_id"],
        row["name"],
        size_class=row["size_class"],
        employees=row["employees"],
        sector=row["sector"],
        region=row["region"],
        network=row["network_id"],
        roles=row["roles"] or (),
    )


def _add_pilot(store: Store, row: dict[str, Any]) -> Any:
    return store.add_pilot(
        row["pilot_id"],
        row["title_de"],
        row["title_en"],
        network=row["network_id"],
        topic=row["topic"],
        companies=row["companies"] or (),
        start=row["start"],
        end=row["end"],
        loops=row["loops"],
        hourly_rate=row["hourly_rate"],
        currency=row["currency"] or "EUR",
    )


def _add_participant(store: Store, row: dict[str, Any]) -> Any:
    return store.add_participant(
        row["participant"], company=row["company_id"], pilot=row["pilot_id"]
    )


def _optional(name: str, kind: str, example: str) -> Field:
    return Field(name, kind, example, required=False)


#: The four kinds of a set-up file, in the order they are stored.
SETUP_KINDS: dict[str, SetupKind] = {
    "networks": SetupKind(
        (
            Field("network_id", "text", "N1"),
            Field("name", "text", "Transfernetz Süd"),
            _optional("region", "text", "Oberbayern"),
        ),
        _add_network,
        ("networks", "network", "netzwerke", "netzwerk"),
        "Ein Netzwerk von Unternehmen und Hochschule.",
        "A network of companies and a university.",
    ),
    "companies": SetupKind(
        (
            Field("company_id", "text", "C01"),
            Field("name", "text", "Tischlerei Berg GmbH"),
            _optional("size_class", "text", "micro"),
            _optional("employees", "int", "8"),
            _optional("sector", "text", "Handwerk"),
            _optional("region", "text", "Oberbayern"),
            _optional("network_id", "text", "N1"),
            _optional("roles", "text", "sender;best_practice"),
        ),
        _add_company,
        ("companies", "company", "unternehmen"),
        "Größenklasse micro/small/medium (oder employees angeben); Rollen ;-getrennt: organiser, "
        "financier, sender, best_practice.",
        "Size class micro/small/medium (or give employees); roles ;-separated: organiser, "
        "financier, sender, best_practice.",
    ),
    "pilots": SetupKind(
        (
            Field("pilot_id", "text", "P01"),
            Field("title_de", "text", "Agile Methoden im Handwerk"),
            _optional("title_en", "text", "Agile methods in crafts"),
            _optional("network_id", "text", "N1"),
            _optional("topic", "text", "agile"),
            _optional("companies", "text", "C01;C02 (or C01,C02)"),
            _optional("start", "date", "2026-03-01"),
            _optional("end", "date", "2026-09-30"),
            _optional("loops", "int", "4"),
            _optional("hourly_rate", "number", "48"),
            _optional("currency", "text", "EUR"),
        ),
        _add_pilot,
        ("pilots", "pilot", "pilotprojekte", "pilotprojekt", "piloten"),
        "Unternehmen ;-getrennt (vorher anlegen); Daten als 2026-03-01 oder 01.03.2026; loops = "
        "geplante Reflexionsschleifen; hourly_rate = Stundensatz für Kostenangaben, currency (EUR).",
        "Companies ;-separated (add them first); dates as 2026-03-01 or 01.03.2026; loops = planned "
        "reflection loops; hourly_rate = hourly rate for cost figures, currency (EUR).",
    ),
    "participants": SetupKind(
        (
            Field("participant", "text", "K7M4QX"),
            _optional("company_id", "text", "C01"),
            _optional("pilot_id", "text", "P01"),
        ),
        _add_participant,
        ("participants", "participant", "teilnehmende", "teilnehmer"),
        "Pseudonyme Codes, keine Namen (transferkit participant codes erzeugt welche).",
        "Pseudonymous codes, never names (transferkit participant codes makes some).",
    ),
}
_IGNORED_SHEETS = ("help", "hilfe", "readme", "liesmich")


def _kind_of(name: str) -> str | None:
    name = name.strip().lower()
    return next((kind for kind, spec in SETUP_KINDS.items() if name in spec.names), None)


def _all_names() -> list[str]:
    return [n for spec in SETUP_KINDS.values() for n in spec.names]


def _parse_row(
    spec: SetupKind, positions: dict[str, int], cells: list[str], delimiter: str
) -> tuple[dict[str, Any] | None, list[str]]:
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in spec.fields:
        index = positions.get(field.name)
        text = cells[index] if index is not None and index < len(cells) else ""
        value, problem = parse_cell(field, text, delimiter)
        if problem:
            problems.append(problem)
        values[field.name] = value
    return (None if problems else values), problems


Rows = list[tuple[str, str, int, dict[str, Any]]]  # kind, sheet ("" in a CSV), line or row, values


def _from_workbook(path: Path, problems: list[tuple[str, int, str]]) -> Rows:
    parsed: Rows = []
    for sheet, (header, rows) in read_workbook(path).items():
        kind = _kind_of(sheet)
        if kind is None:
            if sheet not in _IGNORED_SHEETS:
                close = difflib.get_close_matches(sheet, _all_names(), n=1, cutoff=0.6)
                hint = (
                    f"rename it to {close[0]!r}"
                    if close
                    else f"name it one of {', '.join(SETUP_KINDS)}"
                )
                problems.append(
                    (sheet, 1, f"unknown sheet {sheet!r}: {hint} (or 'help' to skip it)")
                )
            continue
        if not rows:
            continue
        spec = SETUP_KINDS[kind]
        head, positions = header_problems_of(_spec_table(spec), header, rows)
        problems += [(sheet, 1, p) for p in head]
        for number, cells in rows:
            values, row_problems = _parse_row(spec, positions, cells, ";")
            problems += [(sheet, number, p) for p in row_problems]
            if values is not None:
                parsed.append((kind, sheet, number, values))
    return parsed


def _from_csv(path: Path, problems: list[tuple[str, int, str]]) -> Rows:
    header, rows, delimiter = read_csv(path)
    names = [cell.strip().lower() for cell in header]
    known = {"record"} | {f.name for spec in SETUP_KINDS.values() for f in spec.fields}
    if "record" not in names:
        kinds = ", ".join(SETUP_KINDS)
        problems.append(("", 1, f"column 'record' is missing: it says what each row is ({kinds})"))
        return []
    for index, name in enumerate(names):
        if name and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
            hint = f"rename it to {close[0]!r}" if close else "remove it"
            problems.append(("", 1, f"unknown column {name!r} (column {index + 1}): {hint}"))
        elif name and names.index(name) != index:
            problems.append(("", 1, f"column {name!r} appears twice; keep one of them"))
    positions = {name: index for index, name in reversed(list(enumerate(names))) if name}
    record = positions["record"]
    parsed: Rows = []
    missing_reported: set[tuple[str, str]] = set()
    for line, cells in rows:
        kind = _kind_of(cells[record] if record < len(cells) else "")
        if kind is None:
            shown = cells[record] if record < len(cells) else ""
            problems.append(("", line, f"record {shown!r} is not one of {', '.join(SETUP_KINDS)}"))
            continue
        spec = SETUP_KINDS[kind]
        for field in spec.fields:
            if (
                field.required
                and field.name not in positions
                and (kind, field.name) not in missing_reported
            ):
                missing_reported.add((kind, field.name))
                problems.append(
                    ("", 1, f"column {field.name!r} is missing (needed by every {kind} row)")
                )
        values, row_problems = _parse_row(spec, positions, cells, delimiter)
        problems += [("", line, p) for p in row_problems]
        if values is not None:
            parsed.append((kind, "", line, values))
    return parsed


def _spec_table(spec: SetupKind) -> TableSpec:
    return TableSpec(spec.fields, (spec.fields[0].name,), "", "")


def _message(path: Path, problems: list[tuple[str, int, str]], workbook: bool) -> str:
    order = {kind: n for n, kind in enumerate(SETUP_KINDS)}
    problems = sorted(problems, key=lambda p: (order.get(_kind_of(p[0]) or "", -1), p[1]))

    def where(sheet: str, n: int) -> str:
        return f"sheet {sheet}, row {n}" if workbook else f"line {n}"

    listed = "\n".join(f"  {where(sheet, n)}: {text}" for sheet, n, text in problems)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        f"Cannot set up from {path}: {count}, nothing was stored.\n{listed}\n"
        "An empty workbook with every column explained: transferkit setup template FILE.xlsx"
    )


def import_setup(store: Store, path: str | Path) -> dict[str, int]:
    """Store the networks, companies, pilots and participants of a set-up file; return counts per kind.

    All or nothing: one transaction, and one :class:`DatasetError` listing every problem.
    """
    path = Path(path)
    workbook = path.suffix.lower() in (".xlsx", ".xlsm")
    problems: list[tuple[str, int, str]] = []
    parsed = _from_workbook(path, problems) if workbook else _from_csv(path, problems)
    if not parsed and not problems:
        problems.append(("", 1, "the file holds no networks, companies, pilots or participants"))
    counts = dict.fromkeys(SETUP_KINDS, 0)
    columns_wrong = any(number == 1 for _sheet, number, _text in problems)
    order = list(SETUP_KINDS)
    with store.bulk():  # one transaction: an error below rolls everything back
        for kind, sheet, number, values in sorted(parsed, key=lambda r: (order.index(r[0]), r[2])):
            if columns_wrong:
                break  # the columns are wrong: fix them first, the rows would only repeat it
            try:
                SETUP_KINDS[kind].add(store, values)
                counts[kind] += 1
            except StoreError as error:
                problems.append((sheet, number, str(error)))
                if error.__cause__ is not None:  # the database refused: stop here
                    break
        if problems:
            raise DatasetError(_message(path, problems, workbook))
    return counts


def write_setup_workbook(path: str | Path) -> Path:
    """Write an empty set-up workbook: one sheet per kind with its column names, and a help sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    path = Path(path)
    book = Workbook()
    help_sheet = book.active
    assert help_sheet is not None
    help_sheet.title = "help"
    help_sheet.append(["sheet", "column", "required", "example", "Hinweis", "note"])
    for kind, spec in SETUP_KINDS.items():
        sheet = book.create_sheet(kind)
        sheet.append([f.name for f in spec.fields])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for field in spec.fields:
            help_sheet.append(
                [
                    kind,
                    field.name,
                    "yes" if field.required else "",
                    field.example,
                    spec.help_de,
                    spec.help_en,
                ]
            )
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    book.save(temporary)
    temporary.replace(path)
    return path


def generate_codes(
    store: Store,
    n: int,
    *,
    pilot: str | None = None,
    company: str | None = None,
    rng: random.Random | None = None,
) -> list[str]:
    """Register ``n`` new pseudonymous participant codes for a pilot and/or company; return them.

    No names: the codes are cards to hand out. Codes already in the store are drawn again.
    """
    from transferkit.privacy import new_participant_code

    if not 1 <= n <= 2000:
        msg = f"number of codes must be 1–2000, got {n}"
        raise DatasetError(msg)
    taken = set(store.participants()["participant"])
    codes: list[str] = []
    with store.bulk():
        while len(codes) < n:
            code = new_participant_code(rng)
            if code in taken:
                continue
            taken.add(code)
            store.add_participant(code, company=company, pilot=pilot)
            codes.append(code)
    return codes
