"""The tables behind a report's figures, carried from the notebook to the report runner.

Under each figure a report notebook displays one output with two representations:
:data:`FIGURE_DATA_MIMETYPE` (the figure's tables as JSON, read back by
:mod:`transferkit.reports.tables`) and an empty ``<p class="tk-figure-data">`` marker
in its HTML, where the links to the CSV and XLSX files go once they are written. Both
ends use :func:`encode_table` / :func:`decode_table`, so values arrive as they were
(floats in full precision, dates as ISO text, missing values as ``None``).

>>> import pandas as pd
>>> table = encode_table("t", pd.DataFrame({"a": [1, None], "b": ["x", "y"]}))
>>> table
{'name': 't', 'columns': ['a', 'b'], 'rows': [[1.0, 'x'], [None, 'y']]}
>>> decode_table(table)["a"].tolist()
[1.0, nan]
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FIGURE_DATA_MIMETYPE",
    "FigureData",
    "FigureTable",
    "decode_table",
    "encode_table",
    "figure_data",
]

#: MIME type of the output under a figure that carries the figure's tables.
FIGURE_DATA_MIMETYPE = "application/vnd.transferkit.reports.figuredata+json"


class FigureTable(TypedDict):
    """One table behind a figure: a name (``""`` for the only one), columns and rows."""

    name: str
    columns: list[str]
    rows: list[list[Any]]


class FigureData(TypedDict):
    """What a notebook displays under :data:`FIGURE_DATA_MIMETYPE` for one figure."""

    key: int  # the marker's data-figure number in the HTML
    caption: str
    tables: list[FigureTable]


def _cell(value: Any) -> Any:
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, str):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def encode_table(name: str, frame: pd.DataFrame) -> FigureTable:
    """A DataFrame as plain JSON data: columns and rows (its index is dropped)."""
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return {"name": name, "columns": [str(c) for c in frame.columns], "rows": rows}


def decode_table(table: FigureTable) -> pd.DataFrame:
    """The DataFrame of an encoded table (missing values as NaN/None)."""
    import pandas as pd

    return pd.DataFrame(table["rows"], columns=table["columns"])


def figure_data(key: int, caption: str, tables: list[FigureTable]) -> FigureData:
    """The output shown under a figure (see the module docs)."""
    return {"key": key, "caption": caption, "tables": tables}
