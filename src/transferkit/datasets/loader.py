"""Load the shipped demo network: :func:`load_demo`, :func:`read_dataset`, :func:`list_datasets`.

The files are package data (``transferkit/datasets/demo/``), found with
:mod:`importlib.resources`, so the loader works from a wheel as well as
from a source checkout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from importlib import resources
from typing import TYPE_CHECKING

import pandas as pd

from transferkit.datasets.catalogue import CATALOGUE, DatasetInfo
from transferkit.datasets.tidy import typed
from transferkit.exceptions import DatasetError

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from transferkit.store.values import Row

__all__ = ["DemoNetwork", "list_datasets", "load_demo", "read_dataset", "read_responses"]

_PACKAGE = "transferkit.datasets"


@dataclass(frozen=True, eq=False, repr=False)
class DemoNetwork:
    """The demo network: one DataFrame per tidy dataset plus the raw response records.

    >>> demo = load_demo()
    >>> len(demo.companies), len(demo.pilots), len(demo.participants)
    (12, 6, 60)
    >>> sorted({r["template"] for r in demo.responses})[:2]
    ['competence_self_assessment', 'needs_analysis']
    """

    network: pd.DataFrame
    companies: pd.DataFrame
    pilots: pd.DataFrame
    participants: pd.DataFrame
    self_assessment: pd.DataFrame
    gas_goals: pd.DataFrame
    training_feedback: pd.DataFrame
    needs: pd.DataFrame
    needs_profile: pd.DataFrame
    loop_ratings: pd.DataFrame
    action_items: pd.DataFrame
    costs: pd.DataFrame
    benefits: pd.DataFrame
    indicators: pd.DataFrame
    coding: pd.DataFrame
    format_plan: pd.DataFrame
    responses: list[Row]

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tidy datasets by name (everything except ``responses``)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "responses"}

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(df)}" for name, df in self.tables().items())
        return f"DemoNetwork({sizes}, responses={len(self.responses)})"


def _info(name: str) -> DatasetInfo:
    if not isinstance(name, str) or name not in CATALOGUE:
        msg = (
            f"Unknown demo dataset {name!r}. Available datasets: {', '.join(CATALOGUE)} "
            "(see transferkit.datasets.list_datasets())."
        )
        raise DatasetError(msg)
    return CATALOGUE[name]


def _resource(filename: str) -> Traversable:
    path = resources.files(_PACKAGE).joinpath("demo", filename)
    if not path.is_file():
        msg = (
            f"The demo file {filename!r} is missing from the installed package; reinstall "
            "transferkit or regenerate it with `python -m transferkit.datasets.generate`."
        )
        raise DatasetError(msg)
    return path


def read_responses() -> list[Row]:
    """The raw demo responses (``responses.jsonl``) as a list of records.

    Each record has ``template``, ``template_version``, ``pilot``, ``loop``,
    ``phase``, ``participant``, ``submitted_at``, ``submission_id`` and ``answers``.

    >>> records = read_responses()
    >>> sorted(records[0])[:3]
    ['answers', 'loop', 'participant']
    """
    text = _resource("responses.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_dataset(name: str) -> pd.DataFrame:
    """Read one demo dataset as a DataFrame (column types from the catalogue, applied by
    :func:`transferkit.datasets.tidy.typed` as for every tidy table).

    Integer columns are ``int64``, columns of kind *number* ``float64`` (missing
    values are ``NaN``), dates ``datetime64``, text the pandas string dtype.
    ``"responses"`` gives the raw records with ``answers`` as dicts.
    Unknown names raise :class:`~transferkit.exceptions.DatasetError`.

    >>> read_dataset("companies").shape
    (12, 7)
    >>> read_dataset("self_assessment")["dig_1"].dtype
    dtype('float64')
    """
    info = _info(name)
    if info.name == "responses":
        return pd.DataFrame(read_responses(), columns=[c.name for c in info.columns])
    texts = {c.name: "str" for c in info.columns if c.kind == "string"}  # codes stay text
    with _resource(info.file).open("r", encoding="utf-8") as handle:
        df = pd.read_csv(handle, dtype=texts, keep_default_na=False, na_values=[""])
    expected = [c.name for c in info.columns]
    if list(df.columns) != expected:
        msg = (
            f"Demo file {info.file} has columns {list(df.columns)}, expected {expected}; "
            "regenerate it with `python -m transferkit.datasets.generate`."
        )
        raise DatasetError(msg)
    return typed(df, info.name)


def list_datasets() -> pd.DataFrame:
    """The catalogue of demo datasets: ``name``, ``description``, ``rows``, ``columns``.

    >>> catalogue = list_datasets()
    >>> "self_assessment" in set(catalogue["name"])
    True
    """
    rows = []
    for info in CATALOGUE.values():
        df = read_dataset(info.name)
        rows.append(
            {
                "name": info.name,
                "description": info.description,
                "rows": len(df),
                "columns": df.shape[1],
            }
        )
    return pd.DataFrame(rows)


def load_demo() -> DemoNetwork:
    """Load the whole demo network (fresh DataFrames on every call)."""
    tables: dict[str, pd.DataFrame] = {
        f.name: read_dataset(f.name) for f in fields(DemoNetwork) if f.name != "responses"
    }
    return DemoNetwork(**tables, responses=read_responses())
