"""Reflection loops: metric trends across loops and the flow of action items."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from transferkit.evaluation._checks import (
    EvaluationInputError,
    as_list,
    check_columns,
    check_numeric,
    group_codes,
    group_mean,
)

__all__ = ["action_item_flow", "loop_trends"]

_OPEN = ("open", "carried_over")
_STATUSES = ("open", "carried_over", "done", "dropped")


def loop_trends(
    responses: pd.DataFrame,
    metric: str | Sequence[str],
    *,
    pilot: str = "pilot_id",
    loop: str = "loop",
) -> pd.DataFrame:
    """Mean of a rating per pilot and loop, its change and the pilot's slope.

    Parameters
    ----------
    responses : pandas.DataFrame
        One row per answer sheet (the ``loop_ratings`` demo dataset).
    metric : str or list of str
        Numeric rating column(s), e.g. ``"loop_satisfaction"``.
    pilot, loop : str
        Column names of the pilot and the loop number.

    Returns
    -------
    pandas.DataFrame
        One row per pilot, loop (and metric): ``metric``, ``n``, ``mean``,
        ``sd``, ``change`` (difference to the pilot's previous loop) and
        ``slope`` (the pilot's least-squares change of the mean per loop,
        repeated on each of its rows).

    Notes
    -----
    For the loop means :math:`\\bar y_l` of a pilot at loops :math:`l`:

    .. math::

        change_l = \\bar y_l - \\bar y_{l-1}, \\quad
        slope = \\frac{\\sum_l (l - \\bar l)(\\bar y_l - \\bar{\\bar y})}{\\sum_l (l - \\bar l)^2}

    The slope is NaN for a pilot with a single loop. Everything is computed
    with grouped aggregations, without a loop over pilots.

    References
    ----------
    Kolb, D. A. (1984). *Experiential Learning*. Englewood Cliffs, NJ:
    Prentice Hall (the cycle behind reflection loops).

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import loop_trends
    >>> ratings = pd.DataFrame({"pilot_id": ["P01"] * 6, "loop": [1, 1, 2, 2, 3, 3],
    ...                         "loop_satisfaction": [3, 4, 4, 4, 5, 4]})
    >>> loop_trends(ratings, "loop_satisfaction")[["loop", "n", "mean", "change", "slope"]]
       loop  n  mean  change  slope
    0     1  2   3.5     NaN    0.5
    1     2  2   4.0     0.5    0.5
    2     3  2   4.5     0.5    0.5

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> res = loop_trends(read_dataset("loop_ratings"), "loop_satisfaction")
    >>> res[res["pilot_id"] == "P01"][["loop", "n", "mean", "change", "slope"]].round(2)
       loop   n  mean  change  slope
    0     1  10  3.20     NaN   0.21
    1     2  10  3.40    0.20   0.21
    2     3   8  3.62    0.23   0.21
    """
    metrics = as_list(metric)
    check_columns(responses, pilot, loop)
    check_numeric(responses, metrics)
    check_numeric(responses, loop)
    parts = []
    codes, keys = group_codes(responses, [pilot, loop])
    for m in metrics:
        values = responses[m].to_numpy(dtype=float, na_value=np.nan)
        n, mean, sd = group_mean(codes, len(keys), values)
        agg = keys.assign(n=n, mean=mean, sd=sd)
        agg = agg[agg["n"] > 0]
        agg.insert(0, "metric", str(m))
        parts.append(agg)
    out = pd.concat(parts, ignore_index=True)
    _add_change_and_slope(out, pilot, loop)
    out = out[[pilot, loop, "metric", "n", "mean", "sd", "change", "slope"]]
    return out.astype({"n": "int64"})


def _add_change_and_slope(agg: pd.DataFrame, pilot: str, loop: str) -> None:
    """Add ``change`` and ``slope`` to loop means sorted by metric, pilot and loop."""
    series = [agg["metric"], agg[pilot]]
    by_series = agg.groupby(series, sort=False)
    agg["change"] = by_series["mean"].diff()
    xc = agg[loop].astype(float) - by_series[loop].transform("mean")
    yc = agg["mean"] - by_series["mean"].transform("mean")
    sxy = (xc * yc).groupby(series, sort=False).transform("sum")
    sxx = (xc * xc).groupby(series, sort=False).transform("sum")
    agg["slope"] = (sxy / sxx.where(sxx > 0)).astype(float)


def action_item_flow(
    actions: pd.DataFrame,
    *,
    pilot: str = "pilot_id",
    raised: str = "loop_raised",
    closed: str = "loop_closed",
    status: str = "status",
) -> pd.DataFrame:
    """Action items opened, closed, carried over and dropped per pilot and loop.

    Parameters
    ----------
    actions : pandas.DataFrame
        One row per action item with its latest status (the ``action_items``
        demo dataset): pilot, loop raised, ``status`` (``open``,
        ``carried_over``, ``done``, ``dropped``) and the loop it was closed in
        (missing while open).
    pilot, raised, closed, status : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per pilot and loop (from its first to its last loop with an
        item): ``carried_in`` (open items from earlier loops), ``opened``,
        ``closed`` (done), ``dropped``, ``carried_over`` (still open at the
        end of the loop) and ``completion_rate``.

    Notes
    -----
    An item raised in loop :math:`r` and closed in loop :math:`c` is on the
    agenda of loops :math:`r..c`; open items stay on it to the pilot's last loop.

    .. math::

        carried\\_over_l = carried\\_in_l + opened_l - closed_l - dropped_l, \\quad
        completion\\_rate_l = \\frac{closed_l}{carried\\_in_l + opened_l}

    References
    ----------
    Deming, W. E. (1986). *Out of the Crisis*. MIT Press (the plan-do-check-act
    cycle whose "act" step the action items record).

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import action_item_flow
    >>> items = pd.DataFrame({"pilot_id": ["P01"] * 4, "loop_raised": [1, 1, 2, 2],
    ...                       "status": ["done", "carried_over", "dropped", "open"],
    ...                       "loop_closed": [2, None, 2, None]})
    >>> action_item_flow(items).drop(columns="pilot_id")
       loop  carried_in  opened  closed  dropped  carried_over  completion_rate
    0     1           0       2       0        0             2             0.00
    1     2           2       2       1        1             2             0.25

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> flow = action_item_flow(read_dataset("action_items"))
    >>> flow[flow["pilot_id"] == "P01"].drop(columns="pilot_id").round(2)
       loop  carried_in  opened  closed  dropped  carried_over  completion_rate
    0     1           0       3       0        0             3              0.0
    1     2           3       3       3        0             3              0.5
    2     3           3       1       2        0             2              0.5
    """
    check_columns(actions, [pilot, raised, closed, status])
    check_numeric(actions, [raised, closed])
    unknown = sorted(set(actions[status].dropna().astype(str)) - set(_STATUSES))
    if unknown:
        msg = f"Column {status!r} has unknown values {unknown}; use one of {list(_STATUSES)}."
        raise EvaluationInputError(msg)
    st = actions[status].astype(str)
    r = actions[raised].to_numpy(dtype=float, na_value=np.nan)
    c = actions[closed].to_numpy(dtype=float, na_value=np.nan)
    resolved = st.isin(["done", "dropped"]).to_numpy()
    if np.isnan(r).any():
        msg = f"Column {raised!r} has missing values: every item needs the loop it was raised in."
        raise EvaluationInputError(msg)
    c = np.where(resolved & np.isnan(c), r, c)  # closed without a loop: count it in its own loop
    if (resolved & (c < r)).any():
        msg = f"Some items have {closed!r} before {raised!r}; check the loop numbers."
        raise EvaluationInputError(msg)
    items = pd.DataFrame(
        {"pilot": actions[pilot].to_numpy(), "r": r, "c": np.where(resolved, c, np.nan)}
    )
    items["done"] = (st == "done").to_numpy()
    last = items.groupby("pilot")[["r", "c"]].max().max(axis=1)
    first = items.groupby("pilot")["r"].min()
    grid = pd.DataFrame(
        [(p, loop) for p in first.index for loop in range(int(first[p]), int(last[p]) + 1)],
        columns=["pilot", "loop"],
    )
    merged = grid.merge(items, on="pilot")
    lo = merged["loop"]
    on_agenda_before = (merged["r"] < lo) & ~(merged["c"] < lo)
    merged["carried_in"] = on_agenda_before
    merged["opened"] = merged["r"] == lo
    merged["closed"] = (merged["c"] == lo) & merged["done"]
    merged["dropped"] = (merged["c"] == lo) & ~merged["done"]
    merged["carried_over"] = (merged["r"] <= lo) & ~(merged["c"] <= lo)
    cols = ["carried_in", "opened", "closed", "dropped", "carried_over"]
    out = merged.groupby(["pilot", "loop"], sort=True)[cols].sum().astype("int64").reset_index()
    agenda = out["carried_in"] + out["opened"]
    out["completion_rate"] = out["closed"] / agenda.where(agenda > 0)
    out = out.rename(columns={"pilot": pilot})
    return out
