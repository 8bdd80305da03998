"""Summaries of Likert items: counts, percentages, median, top-2-box, mean with CI."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from transferkit.evaluation.checks import EvaluationInputError, as_list, check_numeric

__all__ = ["likert_levels", "likert_summary"]


def likert_levels(levels: int | Sequence[float]) -> np.ndarray:
    """``5`` -> ``[1, 2, 3, 4, 5]``; a sequence is checked to be increasing."""
    if isinstance(levels, int | np.integer):
        if levels < 2:
            msg = f"A Likert scale needs at least two levels, got {levels}."
            raise EvaluationInputError(msg)
        return np.arange(1, int(levels) + 1, dtype=float)
    arr = np.asarray(levels, dtype=float)
    if arr.ndim != 1 or arr.size < 2 or np.any(np.diff(arr) <= 0):
        msg = f"levels must be increasing answer values such as [1, 2, 3, 4, 5], got {levels!r}."
        raise EvaluationInputError(msg)
    return arr


def _label(level: float) -> str:
    return f"{level:g}".replace("-", "m").replace(".", "_")


#: Up to this many levels the answers are counted with one comparison per level;
#: longer scales are mapped to level positions and counted with ``numpy.bincount``.
_FEW_LEVELS = 16


def _level_positions(x: np.ndarray, lv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of each answer in ``lv`` and a mask of answers that are not a level."""
    k = lv.size
    if np.all(np.diff(lv) == 1) and lv[0] == np.round(lv[0]):  # 1, 2, 3, ...: shift
        shifted = x - lv[0]
        idx = shifted.astype(np.intp)
        bad = (shifted < 0) | (shifted > k - 1) | (idx != shifted)
        return idx, bad
    idx = np.minimum(np.searchsorted(lv, x), k - 1)
    return idx, lv[idx] != x


def _level_counts(x: np.ndarray, lv: np.ndarray, col: object) -> np.ndarray:
    """Number of answers at each level in ``lv`` (NaN left out); other values raise."""
    answered = x.size - np.count_nonzero(np.isnan(x))
    if lv.size <= _FEW_LEVELS:
        counts = np.array([np.count_nonzero(x == level) for level in lv], dtype=np.int64)
        if counts.sum() == answered:
            return counts
    x = x[~np.isnan(x)]
    idx, bad = _level_positions(x, lv)
    if bad.any():
        shown = ", ".join(f"{v:g}" for v in np.unique(x[bad])[:5])
        msg = f"Column {col!r} has values {shown} that are not among levels {lv.tolist()}."
        raise EvaluationInputError(msg)
    return np.bincount(idx, minlength=lv.size)


def likert_summary(
    data: pd.DataFrame,
    items: str | Sequence[str],
    levels: int | Sequence[float] = 5,
) -> pd.DataFrame:
    """Distribution and location of Likert items, one row per item.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data, one row per answer sheet, one column per item.
    items : str or list of str
        Item columns.
    levels : int or list of numbers
        The answer values in order: ``5`` means 1..5. Other values raise an
        error; missing answers are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``item``, ``n``, ``n_<level>`` (counts), ``pct_<level>``
        (percent of ``n``), ``median``, ``top2`` (percent in the two highest
        levels), ``bottom2``, ``mean``, ``sd``, ``ci95_low``, ``ci95_high``.

    Notes
    -----
    The median of :math:`n` ordered answers is the middle one (the mean of the
    two middle ones for even :math:`n`); the 95% CI of the mean is
    :math:`\\bar x \\pm t_{0.975, n-1}\\, s / \\sqrt{n}`. Mean, SD, median
    and CI are computed from the counts per level.

    References
    ----------
    Likert, R. (1932). A technique for the measurement of attitudes.
    *Archives of Psychology*, 140, 1–55.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import likert_summary
    >>> df = pd.DataFrame({"q1": [1, 2, 4, 5, 5], "q2": [3, 3, 4, None, 2]})
    >>> likert_summary(df, ["q1", "q2"])[["item", "n", "median", "top2", "mean"]]
      item  n  median  top2  mean
    0   q1  5     4.0  60.0   3.4
    1   q2  4     3.0  25.0   3.0

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> fb = read_dataset("training_feedback")
    >>> res = likert_summary(fb, ["reaction_1", "learning_1", "behaviour_1"], 5)
    >>> res[["item", "n", "median", "top2", "mean", "ci95_low", "ci95_high"]].round(2)
              item   n  median   top2  mean  ci95_low  ci95_high
    0   reaction_1  53     4.0  79.25  4.08      3.88       4.27
    1   learning_1  53     4.0  64.15  3.79      3.57       4.01
    2  behaviour_1  53     3.0  49.06  3.51      3.28       3.74
    """
    cols = as_list(items)
    check_numeric(data, cols)
    lv = likert_levels(levels)
    k = lv.size
    counts = np.zeros((len(cols), k), dtype=np.int64)
    for i, col in enumerate(cols):
        counts[i] = _level_counts(data[col].to_numpy(dtype=float, na_value=np.nan), lv, col)
    n = counts.sum(axis=1)
    nf = n.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100 * counts / nf[:, None]
        mean = counts @ lv / nf
        var = (counts @ lv**2 - nf * mean**2) / (nf - 1)
        sd = np.sqrt(np.maximum(var, 0))
        sd[n < 2] = np.nan
        half = stats.t.ppf(0.975, nf - 1) * sd / np.sqrt(nf)
    cum = np.cumsum(counts, axis=1)
    median = np.full(len(cols), np.nan)
    for row in np.flatnonzero(n > 0):
        lower = lv[np.searchsorted(cum[row], (n[row] - 1) // 2, side="right")]
        upper = lv[np.searchsorted(cum[row], n[row] // 2, side="right")]
        median[row] = (lower + upper) / 2
    out = pd.DataFrame({"item": pd.Series([str(c) for c in cols], dtype=object), "n": n})
    for j, level in enumerate(lv):
        out[f"n_{_label(level)}"] = counts[:, j]
    for j, level in enumerate(lv):
        out[f"pct_{_label(level)}"] = pct[:, j]
    out["median"] = median
    out["top2"] = pct[:, -2:].sum(axis=1)
    out["bottom2"] = pct[:, :2].sum(axis=1)
    out.loc[n == 0, ["top2", "bottom2"]] = np.nan
    out["mean"] = mean
    out["sd"] = sd
    out["ci95_low"] = mean - half
    out["ci95_high"] = mean + half
    return out
