"""Return on investment of a pilot (Phillips ROI methodology)."""

from __future__ import annotations

from typing import TypeVar, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from transferkit.evaluation.checks import (
    EvaluationInputError,
    as_float_array,
    check_columns,
    check_numeric,
)

__all__ = ["roi"]


_Amount = TypeVar("_Amount", pd.Series, np.float64)


def _ratios(benefits: _Amount, costs: _Amount) -> dict[str, _Amount]:
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "benefits": benefits,
            "costs": costs,
            "net_benefits": benefits - costs,
            "bcr": benefits / costs,
            "roi_percent": 100 * (benefits - costs) / costs,
        }


def roi(
    benefits: pd.DataFrame | ArrayLike,
    costs: pd.DataFrame | ArrayLike,
    *,
    by: str | None = None,
    amount: str = "amount_eur",
) -> pd.Series | pd.DataFrame:
    """Net benefits, benefit-cost ratio and ROI in percent.

    Parameters
    ----------
    benefits, costs : float, array-like or pandas.DataFrame
        Monetary benefits and fully loaded costs (summed when several), or
        the ``benefits`` and ``costs`` demo tables with ``by`` and ``amount``.
    by : str, optional
        With DataFrames: the grouping column (e.g. ``"pilot_id"``).
    amount : str
        With DataFrames: the column with the amounts.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        ``benefits``, ``costs``, ``net_benefits``, ``bcr`` and ``roi_percent``;
        a DataFrame with one row per group when ``by`` is given.

    Notes
    -----
    .. math::

        BCR = \\frac{benefits}{costs}, \\quad
        ROI\\,(\\%) = \\frac{benefits - costs}{costs} \\times 100

    Zero costs give an infinite (or undefined) ratio; negative amounts raise
    an error.

    References
    ----------
    Phillips, J. J. (1997). *Return on Investment in Training and Performance
    Improvement Programs*. Houston: Gulf Publishing.

    Examples
    --------
    >>> from transferkit.evaluation import roi
    >>> roi(benefits=240_000, costs=80_000)
    benefits        240000.0
    costs            80000.0
    net_benefits    160000.0
    bcr                  3.0
    roi_percent        200.0
    dtype: float64

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> res = roi(read_dataset("benefits"), read_dataset("costs"), by="pilot_id")
    >>> res[["pilot_id", "net_benefits", "bcr", "roi_percent"]].round(2)
      pilot_id  net_benefits   bcr  roi_percent
    0      P01       29820.0  2.18       118.19
    1      P02        2190.0  1.08         8.43
    2      P03       10810.0  1.57        57.38
    3      P04        8060.0  1.28        28.28
    4      P05      -14860.0  0.64       -36.33
    5      P06       24630.0  2.80       180.31
    """
    if by is not None:
        for name, frame in (("benefits", benefits), ("costs", costs)):
            if not isinstance(frame, pd.DataFrame):
                msg = f"With by={by!r}, {name} must be a DataFrame with columns {by!r}, {amount!r}."
                raise EvaluationInputError(msg)
            check_columns(frame, by)
            check_numeric(frame, amount)
        benefit_rows, cost_rows = cast(pd.DataFrame, benefits), cast(pd.DataFrame, costs)
        b = benefit_rows.groupby(by)[amount].sum()
        c = cost_rows.groupby(by)[amount].sum()
        if (benefit_rows[amount] < 0).any() or (cost_rows[amount] < 0).any():
            msg = f"Column {amount!r} has negative amounts; enter costs and benefits as positive."
            raise EvaluationInputError(msg)
        index = b.index.union(c.index)
        b = b.reindex(index, fill_value=0.0).astype(float)
        c = c.reindex(index, fill_value=0.0).astype(float)
        out = pd.DataFrame(_ratios(b, c))
        out.index.name = by
        return out.reset_index()
    total_b = float(np.nansum(as_float_array(np.atleast_1d(benefits), "benefits")))
    total_c = float(np.nansum(as_float_array(np.atleast_1d(costs), "costs")))
    if total_b < 0 or total_c < 0:
        msg = "benefits and costs must not be negative."
        raise EvaluationInputError(msg)
    return pd.Series(_ratios(np.float64(total_b), np.float64(total_c)), dtype=float)
