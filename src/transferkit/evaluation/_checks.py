"""Input checks shared by the evaluation functions (private)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from transferkit.exceptions import EvaluationInputError

__all__ = [
    "EvaluationInputError",
    "as_float_array",
    "as_list",
    "check_columns",
    "check_frame",
    "check_numeric",
    "check_range",
    "group_codes",
    "group_mean",
]


def as_list(columns: Any) -> list[Any]:
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
    wanted: list[Any] = []
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


def group_codes(
    frame: pd.DataFrame,
    keys: Sequence[Any],
    cache: dict[Any, tuple[np.ndarray, Any]] | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group code per row (-1 where a key is missing) and the sorted group keys.

    A faster stand-in for ``groupby(keys).ngroup()`` on large frames: each key is
    factorized once (reused from ``cache`` when given) and the codes are combined
    arithmetically.
    """
    n = len(frame)
    combined = np.zeros(n, dtype=np.int64)
    valid = np.ones(n, dtype=bool)
    uniques = []
    for key in keys:
        if cache is not None and key in cache:
            codes, labels = cache[key]
        else:
            codes, labels = pd.factorize(frame[key], sort=True)
            if cache is not None:
                cache[key] = (codes, labels)
        valid &= codes >= 0
        combined = combined * max(len(labels), 1) + codes
        uniques.append(labels)
    present, inverse = np.unique(combined[valid], return_inverse=True)
    out = np.full(n, -1, dtype=np.int64)
    out[valid] = inverse
    columns: dict[Any, Any] = {}
    rest = present
    for key, labels in zip(reversed(list(keys)), reversed(uniques), strict=True):
        size = max(len(labels), 1)
        columns[key] = np.asarray(labels, dtype=object)[rest % size] if len(labels) else []
        rest = rest // size
    table = pd.DataFrame({key: columns[key] for key in keys})
    for key in keys:
        table[key] = table[key].astype(frame[key].dtype) if len(table) else table[key]
    return out, table


def group_mean(
    codes: np.ndarray, k: int, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count of non-missing values, mean and SD (ddof=1) per group code (codes >= 0)."""
    ok = (codes >= 0) & ~np.isnan(values)
    c, x = codes[ok], values[ok]
    n = np.bincount(c, minlength=k).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(c, weights=x, minlength=k) / n
        var = np.bincount(c, weights=(x - mean[c]) ** 2, minlength=k) / (n - 1)
    var[n < 2] = np.nan
    return n, mean, np.sqrt(var)
