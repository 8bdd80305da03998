"""Kirkpatrick's four evaluation levels: indicators rolled up per pilot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transferkit.evaluation.checks import EvaluationInputError, check_columns, check_numeric

__all__ = ["LEVEL_NAMES", "kirkpatrick"]

#: Kirkpatrick level -> name (English; German in :mod:`transferkit.reports.plots`).
LEVEL_NAMES = {1: "reaction", 2: "learning", 3: "behaviour", 4: "results"}


def kirkpatrick(
    indicators: pd.DataFrame,
    *,
    pilot: str = "pilot_id",
    level: str = "level",
    indicator: str = "indicator",
    value: str = "value",
    unit: str | None = "unit",
) -> pd.DataFrame:
    """Level table (reaction, learning, behaviour, results) per pilot.

    Parameters
    ----------
    indicators : pandas.DataFrame
        One row per indicator (the ``indicators`` demo dataset) with the pilot,
        its Kirkpatrick level (1–4), name, value and unit.
    pilot, level, indicator, value, unit : str
        Column names; ``unit=None`` if there is no unit column.

    Returns
    -------
    pandas.DataFrame
        Four rows per pilot (levels 1–4, also those without indicators):
        ``level``, ``level_name``, ``n_indicators``, ``covered``,
        ``indicators`` (names, ``"; "``-joined), ``value`` (the mean if all
        indicators of the level share a unit, else NaN) and ``unit``
        (``"mixed"`` when they do not).

    Notes
    -----
    Levels: 1 reaction (satisfaction), 2 learning (knowledge, skills),
    3 behaviour (transfer to the workplace), 4 results (business outcomes).
    A level without indicators is reported with ``covered = False`` so that
    gaps in the evaluation stay visible.

    References
    ----------
    Kirkpatrick, D. L., & Kirkpatrick, J. D. (2006). *Evaluating Training
    Programs: The Four Levels* (3rd ed.). San Francisco: Berrett-Koehler.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import kirkpatrick
    >>> ind = pd.DataFrame({"pilot_id": ["P01", "P01"], "level": [1, 3],
    ...                     "indicator": ["satisfaction", "behaviour_share"],
    ...                     "value": [4.2, 71.0], "unit": ["likert_1_5", "percent"]})
    >>> kirkpatrick(ind)[["level_name", "n_indicators", "value", "unit"]]
      level_name  n_indicators  value        unit
    0   reaction             1    4.2  likert_1_5
    1   learning             0    NaN         NaN
    2  behaviour             1   71.0     percent
    3    results             0    NaN         NaN

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> table = kirkpatrick(read_dataset("indicators"))
    >>> table[table["pilot_id"] == "P01"][["level_name", "indicators", "value", "unit"]]
      level_name          indicators  value        unit
    0   reaction        satisfaction   3.97  likert_1_5
    1   learning          test_score  76.10     percent
    2  behaviour     behaviour_share  73.30     percent
    3    results  search_time_change -38.20     percent
    """
    units = [] if unit is None else [unit]
    check_columns(indicators, [pilot, indicator, *units])
    check_numeric(indicators, [level, value])
    lv = indicators[level].to_numpy(dtype=float, na_value=np.nan)
    if not np.isin(lv, [1, 2, 3, 4]).all():
        bad = sorted({f"{v:g}" for v in lv[~np.isin(lv, [1, 2, 3, 4])]})
        msg = f"Column {level!r} must hold Kirkpatrick levels 1-4; found {', '.join(bad)}."
        raise EvaluationInputError(msg)
    work = indicators.assign(**{str(level): lv.astype(int)})
    if unit is None:
        work = work.assign(_unit="")
        unit_col: str = "_unit"
    else:
        unit_col = unit
    grouped = work.groupby([pilot, level], sort=True)
    agg = grouped.agg(
        n_indicators=(indicator, "count"),
        indicators=(indicator, lambda s: "; ".join(str(x) for x in s)),
        value=(value, "mean"),
        n_units=(unit_col, "nunique"),
        unit=(unit_col, "first"),
    )
    mixed = agg["n_units"] > 1
    agg.loc[mixed, "value"] = np.nan
    agg.loc[mixed, "unit"] = "mixed"
    pilots = pd.Index(work[pilot].unique()).sort_values()
    full = pd.MultiIndex.from_product([pilots, [1, 2, 3, 4]], names=[pilot, level])
    agg = agg.reindex(full)
    agg["n_indicators"] = agg["n_indicators"].fillna(0).astype("int64")
    agg["covered"] = agg["n_indicators"] > 0
    out = agg.reset_index()
    out.insert(2, "level_name", out[level].map(LEVEL_NAMES))
    cols = [pilot, level, "level_name", "n_indicators", "covered", "indicators", "value"]
    if unit is not None:
        cols.append("unit")
    return out[cols]
