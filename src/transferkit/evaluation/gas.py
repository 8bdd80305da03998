"""Goal Attainment Scaling: T-scores (Kiresuk & Sherman 1968) per person or pilot."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from transferkit.evaluation.checks import (
    EvaluationInputError,
    as_float_array,
    as_list,
    check_columns,
    check_numeric,
    check_range,
)

__all__ = ["gas_summary", "gas_tscore"]


def _check_rho(rho: float) -> None:
    if not 0 <= rho < 1:
        msg = f"rho (the assumed correlation between goals) must be in [0, 1), got {rho!r}."
        raise EvaluationInputError(msg)


def gas_tscore(levels: ArrayLike, weights: ArrayLike | None = None, rho: float = 0.3) -> float:
    """GAS T-score of one set of goals.

    Parameters
    ----------
    levels : array-like of int
        Attainment level of each goal, from −2 (much less than expected) to
        +2 (much more than expected); 0 is the expected outcome.
    weights : array-like of float, optional
        Positive weight of each goal (importance × difficulty); equal weights
        by default.
    rho : float
        Assumed correlation between the goal scores (0.3 by convention).

    Returns
    -------
    float
        The T-score; 50 when every goal is reached as expected, SD 10.

    Notes
    -----
    .. math::

        T = 50 + \\frac{10 \\sum_i w_i x_i}
        {\\sqrt{(1 - \\rho)\\sum_i w_i^2 + \\rho \\left(\\sum_i w_i\\right)^2}}

    Levels outside −2..+2, non-integer levels, missing levels and
    non-positive weights raise :class:`EvaluationInputError`.

    References
    ----------
    Kiresuk, T. J., & Sherman, R. E. (1968). Goal attainment scaling: a general
    method for evaluating comprehensive community mental health programs.
    *Community Mental Health Journal*, 4(6), 443–453.

    Turner-Stokes, L. (2009). Goal attainment scaling (GAS) in rehabilitation:
    a practical guide. *Clinical Rehabilitation*, 23(4), 362–370.

    Examples
    --------
    >>> from transferkit.evaluation import gas_tscore
    >>> gas_tscore([0, 0, 0])
    50.0
    >>> round(gas_tscore([-1, -1, -1]), 2)
    36.31
    >>> round(gas_tscore([1, 0, -1], weights=[3, 2, 1]), 2)
    54.41

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> goals = read_dataset("gas_goals")
    >>> p01 = goals[goals["participant"] == goals["participant"].iloc[0]]
    >>> round(gas_tscore(p01["follow_up"], weights=p01["weight"]), 2)
    65.42
    """
    _check_rho(rho)
    x = as_float_array(levels, "levels")
    if x.size == 0:
        msg = "levels is empty: a GAS T-score needs at least one goal."
        raise EvaluationInputError(msg)
    if np.isnan(x).any():
        msg = "levels has missing values; drop goals without a rating before scoring."
        raise EvaluationInputError(msg)
    check_range(x, -2, 2, "GAS levels", integer=True)
    w = np.ones_like(x) if weights is None else as_float_array(weights, "weights")
    if w.shape != x.shape:
        msg = f"weights must have one value per goal ({x.size}), got {w.size}."
        raise EvaluationInputError(msg)
    if not np.all(np.isfinite(w) & (w > 0)):
        msg = "weights must be positive numbers (e.g. importance × difficulty, 1 to 9)."
        raise EvaluationInputError(msg)
    denom = np.sqrt((1 - rho) * np.sum(w**2) + rho * np.sum(w) ** 2)
    return float(50 + 10 * np.sum(w * x) / denom)


def gas_summary(
    goals: pd.DataFrame,
    by: str | Sequence[str] = "pilot_id",
    *,
    baseline: str = "baseline",
    follow_up: str = "follow_up",
    weight: str | None = "weight",
    rho: float = 0.3,
) -> pd.DataFrame:
    """Baseline and follow-up GAS T-scores per pilot, participant or any grouping.

    Parameters
    ----------
    goals : pandas.DataFrame
        One row per goal (the ``gas_goals`` demo dataset): grouping columns,
        ``baseline`` and ``follow_up`` levels (−2..+2; follow-up may be
        missing) and an optional ``weight``.
    by : str or list of str
        Grouping: ``"pilot_id"`` pools all goals of a pilot, ``["pilot_id",
        "participant"]`` gives one T-score per person.
    baseline, follow_up, weight : str
        Column names; ``weight=None`` for equal weights.
    rho : float
        Assumed correlation between goals.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n_goals`` (all goals), ``n_rated`` (goals rated
        at the start and at follow-up: the only ones in the T-scores),
        ``n_missing`` (goals still waiting for their follow-up rating, left
        out), ``t_baseline``, ``t_follow_up`` and ``t_change`` (T-scores over
        the ``n_rated`` goals; missing when a group has none).

    Notes
    -----
    Each T-score is :func:`gas_tscore` of the group's goals, computed for all
    groups at once from :math:`\\sum w x`, :math:`\\sum w^2` and :math:`\\sum w`.

    References
    ----------
    Kiresuk, T. J., & Sherman, R. E. (1968). *Community Mental Health Journal*,
    4(6), 443–453. Turner-Stokes, L. (2009). *Clinical Rehabilitation*, 23(4),
    362–370.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import gas_summary
    >>> goals = pd.DataFrame({
    ...     "pilot_id": ["P01", "P01", "P01", "P02"],
    ...     "weight": [1, 1, 1, 2],
    ...     "baseline": [-1, -1, -1, -2],
    ...     "follow_up": [0, 0, 0, 1],
    ... })
    >>> gas_summary(goals).round(2)
      pilot_id  n_goals  n_rated  n_missing  t_baseline  t_follow_up  t_change
    0      P01        3        3          0       36.31         50.0     13.69
    1      P02        1        1          0       30.00         60.0     30.00

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> gas_summary(read_dataset("gas_goals")).round(2)
      pilot_id  n_goals  n_rated  n_missing  t_baseline  t_follow_up  t_change
    0      P01        3        3          0       27.97        65.42     37.46
    1      P02        4        3          1       30.17        50.00     19.83
    2      P03        3        3          0       32.37        47.80     15.42
    3      P04        3        2          1       25.46        57.36     31.91
    4      P05        3        3          0       30.17        65.42     35.25
    5      P06        3        3          0       28.46        58.08     29.61
    """
    _check_rho(rho)
    keys = as_list(by)
    check_columns(goals, keys)
    check_numeric(goals, [baseline, follow_up] + ([] if weight is None else [weight]))
    base = goals[baseline].to_numpy(dtype=float, na_value=np.nan)
    follow = goals[follow_up].to_numpy(dtype=float, na_value=np.nan)
    check_range(base, -2, 2, f"GAS levels in column {baseline!r}", integer=True)
    check_range(follow, -2, 2, f"GAS levels in column {follow_up!r}", integer=True)
    if np.isnan(base).any():
        msg = f"Column {baseline!r} has missing values: every goal needs a baseline level."
        raise EvaluationInputError(msg)
    if weight is None:
        w = np.ones(len(goals))
    else:
        w = goals[weight].to_numpy(dtype=float, na_value=np.nan)
        if not np.all(np.isfinite(w) & (w > 0)):
            msg = f"Column {weight!r} must hold positive weights without missing values."
            raise EvaluationInputError(msg)
    rated = ~np.isnan(follow)
    frame = goals[keys].copy()
    frame["_goal"] = 1
    frame["_missing"] = (~rated).astype(int)
    frame["_w"] = np.where(rated, w, 0.0)
    frame["_w2"] = frame["_w"] ** 2
    frame["_wb"] = np.where(rated, w * base, 0.0)
    frame["_wf"] = np.where(rated, w * np.nan_to_num(follow), 0.0)
    sums = frame.groupby(keys, sort=True, dropna=False).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = pd.Series(
            np.sqrt((1 - rho) * sums["_w2"] + rho * sums["_w"] ** 2), index=sums.index
        )
        t_base = 50 + 10 * sums["_wb"] / denom
        t_follow = 50 + 10 * sums["_wf"] / denom
    out = pd.DataFrame(
        {
            "n_goals": sums["_goal"].astype("int64"),
            "n_rated": (sums["_goal"] - sums["_missing"]).astype("int64"),
            "n_missing": sums["_missing"].astype("int64"),
            "t_baseline": t_base.where(denom > 0),
            "t_follow_up": t_follow.where(denom > 0),
        }
    )
    out["t_change"] = out["t_follow_up"] - out["t_baseline"]
    return out.reset_index()
