"""Report notebooks and their parameters: read the tagged cell, check values before a kernel starts.

Every notebook in ``notebooks/`` has one code cell tagged ``parameters`` whose
lines are typed, commented assignments::

    pilot_id: str = "P01"  # pilot to evaluate

:func:`notebook_parameters` reads that cell without executing anything and
:func:`validate_parameters` checks a set of values against it (unknown names,
wrong types, ids that are not in the store) so that a mistake surfaces as one
:class:`~transferkit.exceptions.ParameterError` before any kernel is started.
"""

from __future__ import annotations

import ast
import difflib
import io
import json
import os
import tokenize
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transferkit.exceptions import ParameterError, TransferkitError

if TYPE_CHECKING:
    import pandas as pd

    from transferkit.store import Store
    from transferkit.store.values import JSONValue

__all__ = [
    "LANGUAGES",
    "REPORT_KINDS",
    "Parameter",
    "notebook_dir",
    "notebook_parameters",
    "notebook_path",
    "validate_parameters",
]

#: Report kind -> notebook file in the notebooks folder.
REPORT_KINDS: dict[str, str] = {
    "pilot": "pilot_report.ipynb",
    "network": "network_report.ipynb",
    "needs": "needs_report.ipynb",
    "protocol": "loop_protocol.ipynb",
}

#: Languages every report is written in.
LANGUAGES = ("de", "en")

# Annotation text -> (accepted Python types, allows None)
_TYPES: dict[str, tuple[tuple[type, ...], bool]] = {
    "str": ((str,), False),
    "int": ((int,), False),
    "float": ((float, int), False),
    "bool": ((bool,), False),
    "str | None": ((str,), True),
    "int | None": ((int,), True),
    "float | None": ((float, int), True),
    "list[str]": ((list,), False),
}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a notebook's ``parameters`` cell."""

    name: str
    type: str
    default: JSONValue
    help: str = ""

    def accepts(self, value: object) -> bool:
        """Whether ``value`` has this parameter's type (``bool`` is not an ``int``)."""
        types, nullable = _TYPES.get(self.type, ((object,), True))
        if value is None:
            return nullable
        if isinstance(value, bool) and bool not in types:
            return False
        if not isinstance(value, types):
            return False
        if isinstance(value, list):
            return all(isinstance(item, str) for item in value)
        return True

    def describe(self) -> str:
        """``name: type = default  # help`` as written in the notebook."""
        text = f"{self.name}: {self.type} = {self.default!r}"
        return f"{text}  # {self.help}" if self.help else text


def notebook_dir() -> Path:
    """The folder holding the report notebooks.

    ``$TRANSFERKIT_NOTEBOOKS`` if set, else ``notebooks/`` of the source
    checkout, else the copy an installed wheel carries.
    """
    env = os.environ.get("TRANSFERKIT_NOTEBOOKS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]
    checkout = package.parents[1] / "notebooks"
    if checkout.is_dir():
        return checkout
    return package / "_bundled" / "notebooks"


def notebook_path(kind: str | os.PathLike[str]) -> Path:
    """The notebook of a report kind (``"pilot"``, ...) or an explicit ``.ipynb`` path."""
    text = os.fspath(kind)
    if text in REPORT_KINDS:
        path = notebook_dir() / REPORT_KINDS[text]
    elif text.endswith(".ipynb"):
        path = Path(text)
    else:
        msg = (
            f"Unknown report kind {text!r}: use one of {', '.join(REPORT_KINDS)} "
            "or the path of an .ipynb notebook."
        )
        raise ParameterError(msg)
    if not path.is_file():
        msg = f"Report notebook not found: {path} (set TRANSFERKIT_NOTEBOOKS to its folder)."
        raise ParameterError(msg)
    return path


def _cells(path: Path) -> list[dict[str, Any]]:
    """The cells of a notebook file, read as plain JSON.

    Not with nbformat: importing it (and the JSON-schema validator it loads) takes
    longer than the whole validation, which must answer a wrong id at once.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"{path.name}: not a readable notebook ({error})."
        raise ParameterError(msg) from error
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        msg = f"{path.name}: not a notebook (no list of cells)."
        raise ParameterError(msg)
    return [c for c in cells if isinstance(c, dict)]


def _comments(source: str) -> dict[int, str]:
    """Line number -> text of the comment on that line."""
    found: dict[int, str] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, SyntaxError):  # pragma: no cover - ast.parse reports it
        pass
    return found


def notebook_parameters(kind: str | os.PathLike[str]) -> dict[str, Parameter]:
    """Read the ``parameters`` cell of a report notebook, without executing it.

    Raises :class:`ParameterError` when the cell is missing, not valid Python,
    or has a line that is not ``name: type = literal  # comment``.
    """
    path = notebook_path(kind)
    cells = [
        c
        for c in _cells(path)
        if c.get("cell_type") == "code"
        and "parameters" in (c.get("metadata") or {}).get("tags", [])
    ]
    if len(cells) != 1:
        msg = f"{path.name}: expected one code cell tagged 'parameters', found {len(cells)}."
        raise ParameterError(msg)
    source = cells[0].get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        msg = f"{path.name}: the parameters cell is not valid Python: {error}"
        raise ParameterError(msg) from error
    comments = _comments(source)
    params: dict[str, Parameter] = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.value is not None
        ):
            msg = (
                f"{path.name}, parameters cell line {node.lineno}: write typed assignments "
                'like `pilot_id: str = "P01"  # pilot to evaluate`.'
            )
            raise ParameterError(msg)
        try:
            default = ast.literal_eval(node.value)
        except ValueError as error:
            msg = f"{path.name}, parameters cell line {node.lineno}: the default must be a literal."
            raise ParameterError(msg) from error
        name = node.target.id
        params[name] = Parameter(
            name=name,
            type=ast.unparse(node.annotation),
            default=default,
            help=comments.get(node.lineno, ""),
        )
    return params


def _did_you_mean(value: str, valid: list[str]) -> str:
    """`` (did you mean 'P01'?)`` for the closest valid id, case ignored; else ``""``.

    >>> _did_you_mean("p01", ["P01", "P02"])
    " (did you mean 'P01'?)"
    >>> _did_you_mean("P99", ["P01", "P02"])
    ''
    """
    by_lower = {v.lower(): v for v in valid}
    close = difflib.get_close_matches(value.strip().lower(), list(by_lower), n=1, cutoff=0.6)
    return f" (did you mean {by_lower[close[0]]!r}?)" if close else ""


def _valid_list(values: Iterable[str]) -> str:
    return ", ".join(values) or "(none: import data first, e.g. `transferkit db import-demo`)"


def validate_parameters(
    kind: str | os.PathLike[str],
    params: Mapping[str, JSONValue] | None = None,
    *,
    store: Store | None = None,
) -> dict[str, JSONValue]:
    """Check ``params`` against the notebook's parameters cell and the store.

    Returns the complete parameters (defaults filled in). Raises one
    :class:`ParameterError` listing every problem and the valid values:
    unknown names, wrong types, a language other than ``de``/``en``, and -
    when the notebook has them - a ``pilot_id``, ``company_id`` or ``loop``
    that is not in the store. ``store`` is opened from ``params["db"]`` when
    not given; no kernel is started.
    """
    declared = notebook_parameters(kind)
    given = dict(params or {})
    problems: list[str] = []
    for name in given:
        if name not in declared:
            problems.append(
                f"unknown parameter {name!r}; this report takes: "
                + "; ".join(p.describe() for p in declared.values())
            )
    for name, value in given.items():
        param = declared.get(name)
        if param is not None and not param.accepts(value):
            problems.append(
                f"{name} must be of type {param.type}, got {type(value).__name__} {value!r}"
            )
    if problems:
        raise ParameterError(_message(kind, problems))

    values = {name: p.default for name, p in declared.items()} | given
    if "lang" in values and values["lang"] not in LANGUAGES:
        problems.append(f"lang must be one of {', '.join(LANGUAGES)}, got {values['lang']!r}")
    if {"pilot_id", "company_id", "loop"} & values.keys():
        if store is None:
            from transferkit.store import Store

            try:
                store = Store(values.get("db") or None)
            except TransferkitError as error:
                raise ParameterError(_message(kind, [f"db: {error}"])) from error
        problems += _store_problems(values, store)
    if problems:
        raise ParameterError(_message(kind, problems))
    return values


def _store_problems(values: Mapping[str, JSONValue], store: Store) -> list[str]:
    """Unknown pilot or company ids (read without pandas, so that a wrong id is refused
    fast), then a loop the pilot does not have."""
    problems: list[str] = []
    pilot_id = values.get("pilot_id")
    if pilot_id:
        valid = store.pilot_ids()
        if pilot_id not in valid:
            problems.append(
                f"pilot {pilot_id!r} is not in the store{_did_you_mean(str(pilot_id), valid)}; "
                f"valid: {_valid_list(valid)}"
            )
    company_id = values.get("company_id")
    if company_id:
        valid = store.company_ids()
        if company_id not in valid:
            problems.append(
                f"company {company_id!r} is not in the store"
                f"{_did_you_mean(str(company_id), valid)}; valid: {_valid_list(valid)}"
            )
    loop = values.get("loop")
    if loop is not None and pilot_id and not problems:
        known = _pilot_loops(store, store.pilots(), str(pilot_id))
        if known and loop not in known:
            loops = ", ".join(str(n) for n in known)
            problems.append(f"pilot {pilot_id} has no loop {loop}; valid loops: {loops}")
    return problems


def _pilot_loops(store: Store, pilots: pd.DataFrame, pilot_id: str) -> list[int]:
    """Loop numbers of a pilot: planned (1..loops), with responses, or closed on the moderator screen."""
    loops: set[int] = set()
    responses = store.responses(pilot=pilot_id)
    if "loop" in responses.columns:
        loops |= {int(v) for v in responses["loop"].dropna()}
    if hasattr(store, "loop_closings"):
        closings = store.loop_closings(pilot=pilot_id)
        if "loop" in closings.columns:
            loops |= {int(v) for v in closings["loop"].dropna()}
    for id_column in ("pilot_id", "id", "pilot"):
        if id_column in pilots.columns and "loops" in pilots.columns:
            row = pilots[pilots[id_column].astype(str) == pilot_id]
            if len(row) and row["loops"].notna().iloc[0]:
                loops |= set(range(1, int(row["loops"].iloc[0]) + 1))
    return sorted(loops)


def _message(kind: str | os.PathLike[str], problems: list[str]) -> str:
    name = os.fspath(kind)
    lines = [f"Invalid parameters for the {name} report ({len(problems)} problem(s)):"]
    lines += [f"  - {p}" for p in problems]
    return "\n".join(lines)
