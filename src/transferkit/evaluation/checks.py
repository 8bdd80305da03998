"""Input checks shared by the evaluation functions and the figures: clear errors on bad data."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any, TypeAlias, TypeVar, overload

import numpy as np
import pandas as pd

from transferkit.exceptions import EvaluationInputError

#: Factorized columns by column name: integer codes per row and the sorted distinct values.
FactorCache: TypeAlias = "dict[Hashable, tuple[np.ndarray, np.ndarray | pd.Index]]"

__all__ = [
    "EvaluationInputError",
    "as_float_array",
    "as_list",
    "check_columns",
    "check_frame",
    "check_numeric",
    "check_range",
    "factorize",
    "group_codes",
    "group_count_mean",
    "group_mean",
]


_Name = TypeVar("_Name", bound=Hashable)


@overload
def as_list(columns: str | Iterable[str] | None) -> list[str]: ...
@overload
def as_list(columns: _Name | Iterable[_Name] | None) -> list[_Name]: ...
def as_list(columns: object) -> list[Any]:  # the overloads above say what comes back
    """``None`` -> ``[]``, one name -> ``[name]``, a sequence -> a list."""
    if columns is None:
        return []
    if isinstance(columns, str) or not isinstance(columns, Iterable):
        return [columns]
    return list(columns)


def check_frame(data: object, what: str = "data") -> pd.DataFrame:
    """Raise unless ``data`` is a DataFrame."""
    if not isinstance(data, pd.DataFrame):
        msg = f"{what} must be a pandas DataFrame, got {type(data).__name__}."
        raise EvaluationInputError(msg)
    return data


def check_columns(data: pd.DataFrame, *columns: Hashable | Sequence[Hashable] | None) -> None:
    """Raise a clear error naming each missing column and listing the available ones."""
    check_frame(data)
    wanted: list[Hashable] = []
    for col in columns:
        wanted += as_list(col)
    missing = [c for c in wanted if c not in data.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        available = ", ".join(repr(c) for c in data.columns)
        msg = (
            f"Column(s) {names} not found in the data. Available columns: {available}. "
            "Pass the names of existing columns."
        )
        raise EvaluationInputError(msg)


def check_numeric(data: pd.DataFrame, *columns: Hashable | Sequence[Hashable]) -> None:
    """Raise unless each column is numeric (bool excluded); names the offending column."""
    check_columns(data, *columns)
    for col in [c for group in columns for c in as_list(group)]:
        dtype = data[col].dtype
        if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            msg = (
                f"Column {col!r} must be numeric, but has dtype {dtype}. "
                "Convert it first, e.g. with pd.to_numeric(data[col], errors='coerce')."
            )
            raise EvaluationInputError(msg)


def as_float_array(values: object, name: str) -> np.ndarray:
    """One-dimensional float array; a clear error for text or nested input."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        msg = f"{name} must contain numbers only (NaN for missing values): {exc}"
        raise EvaluationInputError(msg) from exc
    if arr.ndim != 1:
        msg = f"{name} must be one-dimensional, got shape {arr.shape}."
        raise EvaluationInputError(msg)
    return arr


def check_range(
    values: np.ndarray,
    low: float,
    high: float,
    name: str,
    *,
    integer: bool = False,
) -> None:
    """Raise if a non-missing value lies outside ``[low, high]`` (or is not whole)."""
    finite = values[~np.isnan(values)]
    bad = finite[(finite < low) | (finite > high)]
    if integer:
        bad = np.concatenate([bad, finite[finite != np.round(finite)]])
    if bad.size:
        shown = ", ".join(f"{v:g}" for v in np.unique(bad)[:10])
        kind = "whole numbers " if integer else ""
        msg = f"{name} must be {kind}between {low:g} and {high:g}; found {shown}."
        raise EvaluationInputError(msg)


def factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Integer code per row (-1 where missing) and the sorted distinct values of a column.

    Text columns are factorized as an array of Python strings, which pandas
    hashes about twice as fast as its string extension array; the codes and
    the order of the values are the same.
    """
    values: pd.Series | np.ndarray = column
    if isinstance(column.dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object)
    return pd.factorize(values, sort=True)


#: Combined group codes are counted in a table of all key combinations as long
#: as it has at most this many cells per row (else they are sorted instead).
_DENSE_CELLS_PER_ROW = 4


def _compact_codes(
    combined: np.ndarray, valid: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct values of ``combined`` (rows where ``valid``) 0, 1, ... in order.

    Returns the code per row (-1 where not valid) and the sorted distinct values.
    With few possible values (``size``) they are found by counting, in linear
    time; otherwise by sorting.
    """
    n = len(combined)
    out = np.full(n, -1, dtype=np.int64)
    everywhere = bool(valid.all())
    used = combined if everywhere else combined[valid]
    if size <= _DENSE_CELLS_PER_ROW * n + 1024:
        present = np.flatnonzero(np.bincount(used, minlength=size))
        lookup = np.empty(size, dtype=np.int64)
        lookup[present] = np.arange(len(present))
        inverse = lookup[used]
    else:
        present, inverse = np.unique(used, return_inverse=True)
    if everywhere:
        return inverse.astype(np.int64, copy=False), present
    out[valid] = inverse
    return out, present


def group_codes(
    frame: pd.DataFrame,
    keys: Sequence[Hashable],
    cache: FactorCache | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row (-1 where a key is missing) and the sorted group keys.

    A faster stand-in for ``groupby(keys).ngroup()`` on large frames: each key is
    factorized once (reused from ``cache`` when given), the codes are combined
    arithmetically and the combinations that occur are numbered in order.
    """
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    valid = np.ones(n, dtype=bool)
    uniques = []
    size = 1
    for key in keys:
        if cache is not None and key in cache:
            codes, labels = cache[key]
        else:
            codes, labels = factorize(frame[key])
            if cache is not None:
                cache[key] = (codes, labels)
        if (codes < 0).any():
            valid &= codes >= 0
        width = max(len(labels), 1)
        combined = combined * width + codes
        size *= width
        uniques.append(labels)
    out, present = _compact_codes(combined, valid, size)
    columns: dict[Hashable, np.ndarray | list[object]] = {}
    rest = present
    for key, labels in zip(reversed(list(keys)), reversed(uniques), strict=True):
        size = max(len(labels), 1)
        columns[key] = np.asarray(labels, dtype=object)[rest % size] if len(labels) else []
        rest = rest // size
    table = pd.DataFrame({key: columns[key] for key in keys})
    for key in keys:
        table[key] = table[key].astype(frame[key].dtype) if len(table) else table[key]
    return out, table


def _rows_with_values(codes: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``codes`` and ``values`` restricted to rows with a group and a value (no copy if all)."""
    ok = (codes >= 0) & ~np.isnan(values)
    if ok.all():
        return codes, values
    return codes[ok], values[ok]


def group_count_mean(
    codes: np.ndarray, k: int, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Count of non-missing values and their mean per group code (codes >= 0)."""
    c, x = _rows_with_values(codes, values)
    n = np.bincount(c, minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(c, weights=x, minlength=k) / n
    return n, mean


def group_mean(
    codes: np.ndarray, k: int, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count of non-missing values, mean and SD (ddof=1) per group code (codes >= 0)."""
    c, x = _rows_with_values(codes, values)
    n = np.bincount(c, minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(c, weights=x, minlength=k) / n
        var = np.bincount(c, weights=(x - mean[c]) ** 2, minlength=k) / (n - 1)
    var[n < 2] = np.nan
    return n, mean, np.sqrt(var)
