"""Time away from daily work and cost of learning formats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from transferkit import vocabulary
from transferkit.evaluation.checks import (
    EvaluationInputError,
    as_list,
    check_columns,
    check_numeric,
)

__all__ = ["FORMATS", "format_cost"]

#: Learning formats of the templates (defined once, in :mod:`transferkit.vocabulary`).
FORMATS = vocabulary.FORMATS


def format_cost(
    plan: pd.DataFrame,
    hourly_cost: float
    | Mapping[Any, float]
    | pd.Series,  # Any: ids of any type (keys are invariant)
    *,
    by: str | list[str] | None = None,
    format: str = "format",
    sessions: str = "sessions",
    minutes: str = "minutes_per_session",
    cost_key: str = "company_id",
) -> pd.DataFrame:
    """Working time spent on learning and its cost, per participant and format.

    Parameters
    ----------
    plan : pandas.DataFrame
        One row per participant and planned format (the ``format_plan`` demo
        dataset): ``format``, ``sessions``, ``minutes_per_session``.
    hourly_cost : float or dict or pandas.Series
        Loaded labour cost per hour in EUR; one number, or a mapping from the
        values of ``cost_key`` (e.g. per company) to numbers.
    by : str or list of str, optional
        Grouping; default ``company_id`` (if present), ``participant``, ``format``.
        ``by="format"`` gives one row per format.
    format, sessions, minutes, cost_key : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then ``sessions``, ``minutes``, ``hours``,
        ``cost_eur`` and, when grouping by format, ``minutes_per_session``
        (their ratio).

    Notes
    -----
    .. math::

        minutes = sessions \\times minutes\\_per\\_session, \\quad
        cost = \\frac{minutes}{60} \\times hourly\\_cost

    References
    ----------
    Phillips, J. J. (1997). *Return on Investment in Training and Performance
    Improvement Programs*. Gulf Publishing (participants' time as a cost item).

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import format_cost
    >>> plan = pd.DataFrame({"participant": ["a", "a", "b"],
    ...                      "format": ["micro_learning", "workshop", "micro_learning"],
    ...                      "sessions": [10, 2, 6], "minutes_per_session": [6, 180, 8]})
    >>> format_cost(plan, hourly_cost=48.0, by="format")
               format  sessions  minutes  hours  cost_eur  minutes_per_session
    0  micro_learning        16      108    1.8      86.4                 6.75
    1        workshop         2      360    6.0     288.0               180.00

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> format_cost(read_dataset("format_plan"), hourly_cost=45.0, by="format").round(1)
               format  sessions  minutes  hours  cost_eur  minutes_per_session
    0         blended        61     7605  126.8    5703.8                124.7
    1      e_learning        48     3117   52.0    2337.8                 64.9
    2  micro_learning       455     3004   50.1    2253.0                  6.6
    3       peer_case        22     1575   26.2    1181.2                 71.6
    4          tandem       126     7410  123.5    5557.5                 58.8
    5    wissensrunde        63     3105   51.8    2328.8                 49.3
    6        workshop        57    10425  173.8    7818.8                182.9
    """
    check_columns(plan, format)
    check_numeric(plan, [sessions, minutes])
    if by is None:
        keys = [c for c in (cost_key, "participant") if c in plan.columns] + [format]
    else:
        keys = as_list(by)
    check_columns(plan, keys)
    values = plan[[sessions, minutes]].to_numpy(dtype=float, na_value=np.nan)
    if (values < 0).any():
        msg = f"Columns {sessions!r} and {minutes!r} must not be negative."
        raise EvaluationInputError(msg)
    if isinstance(hourly_cost, Mapping | pd.Series):
        check_columns(plan, cost_key)
        rate = plan[cost_key].map(
            pd.Series(hourly_cost) if isinstance(hourly_cost, Mapping) else hourly_cost
        )
        if rate.isna().any():
            missing = sorted({str(v) for v in plan.loc[rate.isna(), cost_key]})
            msg = f"hourly_cost has no rate for {cost_key} {', '.join(missing)}."
            raise EvaluationInputError(msg)
        rate_arr = rate.to_numpy(dtype=float)
    else:
        if not np.isfinite(hourly_cost) or hourly_cost < 0:
            msg = f"hourly_cost must be a non-negative number of EUR, got {hourly_cost!r}."
            raise EvaluationInputError(msg)
        rate_arr = np.full(len(plan), float(hourly_cost))
    work = plan[keys].copy()
    work["sessions"] = values[:, 0]
    work["minutes"] = values[:, 0] * values[:, 1]
    work["cost_eur"] = work["minutes"] / 60 * rate_arr
    out = work.groupby(keys, sort=True, observed=True)[["sessions", "minutes", "cost_eur"]].sum()
    out = out.reset_index()
    out["hours"] = out["minutes"] / 60
    out = out[[*keys, "sessions", "minutes", "hours", "cost_eur"]]
    if np.all(out[["sessions", "minutes"]].to_numpy() % 1 == 0):
        out = out.astype({"sessions": "int64", "minutes": "int64"})
    if format in keys and len(keys) == 1:
        out["minutes_per_session"] = out["minutes"] / out["sessions"].where(out["sessions"] > 0)
    return out
