"""Reflection loops: metric trends across loops, the flow of action items, key figures per loop."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from transferkit.evaluation.checks import (
    EvaluationInputError,
    as_list,
    check_columns,
    check_numeric,
    group_codes,
    group_mean,
)
from transferkit.vocabulary import CLOSED_STATUSES, OPEN_STATUSES

__all__ = ["action_item_flow", "loop_indicators", "loop_trends"]

_OPEN = OPEN_STATUSES
_STATUSES = OPEN_STATUSES + CLOSED_STATUSES


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
    resolved = st.isin(CLOSED_STATUSES).to_numpy()
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


#: Columns of :func:`loop_indicators` about action items, in order.
ITEM_INDICATORS = ("items_carried_in", "items_new", "items_done", "items_dropped", "items_open")


def loop_indicators(
    responses: pd.DataFrame,
    actions: pd.DataFrame | None = None,
    *,
    ratings: str | Sequence[str] = (),
    loops: Iterable[int] = (),
    loop: str = "loop",
    participant: str = "participant",
    raised: str = "loop_raised",
    closed: str = "loop_closed",
    status: str = "status",
) -> pd.DataFrame:
    """Key figures of each reflection loop of one pilot: people, ratings and action items.

    These are the figures a loop's protocol shows and that are stored when a
    moderator closes the loop (``Store.close_loop``).

    Parameters
    ----------
    responses : pandas.DataFrame
        The pilot's reflection-loop answer sheets, one row each (the store's
        ``responses`` or the ``loop_ratings`` demo dataset).
    actions : pandas.DataFrame, optional
        The pilot's action items with their latest status (see
        :func:`action_item_flow`); items without ``raised`` loop are ignored.
    ratings : str or list of str
        Numeric rating columns (missing or empty columns count as not answered).
    loops : iterable of int
        Loops to report even without answer sheets (e.g. the loop being closed).
    loop, participant, raised, closed, status : str
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per loop (those in ``responses`` and ``loops``), sorted:
        ``loop``, ``participants`` (distinct codes), ``responses`` (sheets),
        ``<rating>_n`` and ``<rating>_mean`` for each rating, then
        ``items_carried_in`` (open items from earlier loops), ``items_new``,
        ``items_done``, ``items_dropped`` and ``items_open`` (still open at the
        end of the loop) as in :func:`action_item_flow`.

    Notes
    -----
    With :math:`n_l` the ratings given in loop :math:`l`,
    :math:`mean_l = \\frac{1}{n_l} \\sum_i y_{il}`. The item counts are
    :func:`action_item_flow`'s ``carried_in``, ``opened``, ``closed``,
    ``dropped`` and ``carried_over``; after the last loop in which anything
    happened to an item, the open items stay open (carried in and carried over).

    References
    ----------
    Deming, W. E. (1986). *Out of the Crisis*. MIT Press (the plan-do-check-act
    cycle whose "check" step these figures document).

    Examples
    --------
    >>> from transferkit.datasets import read_dataset
    >>> from transferkit.evaluation.loops import loop_indicators
    >>> ratings = read_dataset("loop_ratings").query("pilot_id == 'P01'")
    >>> items = read_dataset("action_items").query("pilot_id == 'P01'")
    >>> res = loop_indicators(ratings, items, ratings="loop_satisfaction", loops=[4])
    >>> res[["loop", "participants", "loop_satisfaction_n", "loop_satisfaction_mean"]].round(2)
       loop  participants  loop_satisfaction_n  loop_satisfaction_mean
    0     1            11                   10                    3.20
    1     2            10                   10                    3.40
    2     3            10                    8                    3.62
    3     4             0                    0                     NaN
    >>> res[["loop", "items_carried_in", "items_new", "items_done", "items_open"]]
       loop  items_carried_in  items_new  items_done  items_open
    0     1                 0          3           0           3
    1     2                 3          3           3           3
    2     3                 3          1           2           2
    3     4                 2          0           0           2
    """
    metrics = as_list(ratings)
    check_columns(responses, loop, participant)
    check_numeric(responses, loop)
    present = [m for m in metrics if m in responses.columns]
    check_numeric(responses, [m for m in present if responses[m].notna().any()])
    loop_numbers = pd.to_numeric(responses[loop], errors="coerce")
    wanted = sorted({int(v) for v in loop_numbers.dropna()} | {int(v) for v in loops})
    out = pd.DataFrame({loop: pd.Series(wanted, dtype="int64")})
    by_loop = responses.groupby(loop_numbers, sort=True)
    out["participants"] = out[loop].map(by_loop[participant].nunique()).fillna(0)
    out["responses"] = out[loop].map(by_loop.size()).fillna(0)
    for metric in metrics:
        values = (
            pd.to_numeric(responses[metric], errors="coerce")
            if metric in present
            else pd.Series(np.nan, index=responses.index)
        )
        grouped = values.groupby(loop_numbers)
        out[f"{metric}_n"] = out[loop].map(grouped.count()).fillna(0)
        out[f"{metric}_mean"] = out[loop].map(grouped.mean()).astype(float)
    counts = _item_counts(actions, wanted, raised=raised, closed=closed, status=status)
    out = pd.concat([out, counts], axis=1)
    whole = ["participants", "responses", *(f"{m}_n" for m in metrics), *ITEM_INDICATORS]
    return out.astype(dict.fromkeys(whole, "int64"))


def _item_counts(
    actions: pd.DataFrame | None, loops: list[int], *, raised: str, closed: str, status: str
) -> pd.DataFrame:
    """:data:`ITEM_INDICATORS` for each of ``loops``, from :func:`action_item_flow`."""
    counts = pd.DataFrame(0, index=range(len(loops)), columns=list(ITEM_INDICATORS))
    if actions is None or actions.empty:
        return counts
    check_columns(actions, [raised, closed, status])
    items = actions[pd.to_numeric(actions[raised], errors="coerce").notna()]
    if items.empty:
        return counts
    flow = action_item_flow(
        items.assign(_pilot="one"), pilot="_pilot", raised=raised, closed=closed, status=status
    ).set_index("loop")
    names = dict(
        zip(
            ["carried_in", "opened", "closed", "dropped", "carried_over"],
            ITEM_INDICATORS,
            strict=True,
        )
    )
    flow = flow[list(names)].rename(columns=names)
    flow = flow.sort_index()
    last = int(flow.index.max())  # before the first item's loop all counts stay 0
    for row, number in enumerate(loops):
        if number in flow.index:
            counts.loc[row] = flow.loc[number].to_numpy()
        elif number > last:  # nothing happened since: what was open stays open
            still_open = int(flow["items_open"].iloc[-1])
            counts.loc[row, ["items_carried_in", "items_open"]] = still_open
    return counts
