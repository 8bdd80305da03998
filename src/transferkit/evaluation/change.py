"""Reliable Change Index (Jacobson & Truax 1991) per person and its summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from transferkit.evaluation.checks import EvaluationInputError, as_float_array

__all__ = ["CATEGORIES", "reliable_change", "reliable_change_summary"]

#: The categories of :func:`reliable_change`, in display order.
CATEGORIES = ("improved", "no_reliable_change", "deteriorated")


def _s_diff(pre: np.ndarray, sd_pre: float | None, reliability: float) -> tuple[float, float]:
    if not 0 <= reliability < 1:
        msg = f"reliability must be in [0, 1), got {reliability!r} (e.g. Cronbach's alpha 0.85)."
        raise EvaluationInputError(msg)
    if sd_pre is None:
        finite = pre[~np.isnan(pre)]
        if finite.size < 2:
            msg = "sd_pre=None needs at least two pre scores to estimate the SD; pass sd_pre."
            raise EvaluationInputError(msg)
        sd_pre = float(np.std(finite, ddof=1))
    if not np.isfinite(sd_pre) or sd_pre <= 0:
        msg = f"sd_pre must be a positive number (the SD of the pre scores), got {sd_pre!r}."
        raise EvaluationInputError(msg)
    return float(sd_pre), float(np.sqrt(2) * sd_pre * np.sqrt(1 - reliability))


def reliable_change(
    pre: ArrayLike,
    post: ArrayLike,
    sd_pre: float | None,
    reliability: float,
    z: float = 1.96,
    *,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """Reliable Change Index and its category for each person.

    Parameters
    ----------
    pre, post : array-like or pandas.Series
        Scores of the same people before and after (NaN for missing).
    sd_pre : float or None
        Standard deviation of the pre scores, ideally from a norm or the whole
        sample; ``None`` estimates it from ``pre`` (ddof=1).
    reliability : float
        Reliability of the scale :math:`r_{xx}` (test-retest or Cronbach's alpha).
    z : float
        Critical value (1.96 for 95%).
    higher_is_better : bool
        Whether a positive change is an improvement.

    Returns
    -------
    pandas.DataFrame
        One row per person (index of ``pre`` if it is a Series): ``pre``,
        ``post``, ``diff`` (post − pre), ``s_diff``, ``rci`` and ``category``
        (``improved``, ``no_reliable_change``, ``deteriorated``; missing if
        ``pre`` or ``post`` is missing).

    Notes
    -----
    .. math::

        SE = SD_{pre}\\sqrt{1 - r_{xx}}, \\quad S_{diff} = \\sqrt{2 SE^2}
        = \\sqrt{2}\\, SD_{pre} \\sqrt{1 - r_{xx}}, \\quad
        RCI = \\frac{x_{post} - x_{pre}}{S_{diff}}

    A change is reliable when :math:`|RCI| > z`.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). Clinical significance: a statistical
    approach to defining meaningful change in psychotherapy research.
    *Journal of Consulting and Clinical Psychology*, 59(1), 12–19.

    Examples
    --------
    >>> from transferkit.evaluation import reliable_change
    >>> reliable_change([30, 25, 20], [20, 24, 27], sd_pre=7.5, reliability=0.88).round(3)
       pre  post  diff  s_diff    rci            category
    0   30    20   -10   3.674 -2.722        deteriorated
    1   25    24    -1   3.674 -0.272  no_reliable_change
    2   20    27     7   3.674  1.905  no_reliable_change

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> from transferkit.evaluation import scale_scores
    >>> sa = read_dataset("self_assessment")
    >>> sa["dig"] = scale_scores(sa, ["dig_1", "dig_2", "dig_3", "dig_4"])
    >>> wide = sa.pivot_table(index="participant", columns="time", values="dig")
    >>> rc = reliable_change(wide["pre"], wide["post"], sd_pre=None, reliability=0.8)
    >>> rc["category"].value_counts()
    category
    no_reliable_change    53
    improved               3
    deteriorated           0
    Name: count, dtype: int64
    """
    x = as_float_array(pre, "pre")
    y = as_float_array(post, "post")
    if x.shape != y.shape:
        msg = f"pre and post must have the same length, got {x.size} and {y.size}."
        raise EvaluationInputError(msg)
    _, s_diff = _s_diff(x, sd_pre, reliability)
    diff = y - x
    rci = diff / s_diff
    better = rci if higher_is_better else -rci
    category = np.select(
        [better > z, better < -z], ["improved", "deteriorated"], "no_reliable_change"
    )
    cat = pd.Categorical(category, categories=list(CATEGORIES))
    cat[np.isnan(rci)] = np.nan
    index = pre.index if isinstance(pre, pd.Series) else None
    out = pd.DataFrame(
        {"pre": x, "post": y, "diff": diff, "s_diff": s_diff, "rci": rci, "category": cat},
        index=index,
    )
    if np.all(np.isfinite(out[["pre", "post"]].to_numpy())) and np.all(
        out[["pre", "post"]].to_numpy() == np.round(out[["pre", "post"]].to_numpy())
    ):
        out = out.astype({"pre": "int64", "post": "int64", "diff": "int64"})
    return out


def reliable_change_summary(
    pre: ArrayLike,
    post: ArrayLike,
    sd_pre: float | None,
    reliability: float,
    group: ArrayLike | None = None,
    z: float = 1.96,
    *,
    higher_is_better: bool = True,
    group_name: str = "group",
) -> pd.DataFrame:
    """Number and share of people per reliable-change category and group.

    Parameters
    ----------
    pre, post, sd_pre, reliability, z, higher_is_better
        As in :func:`reliable_change`.
    group : array-like, optional
        Group label per person (e.g. the pilot); ``None`` for one row.
    group_name : str
        Name of the group column when ``group`` is not a named Series.

    Returns
    -------
    pandas.DataFrame
        One row per group: ``n`` (people with pre and post), ``improved``,
        ``no_reliable_change``, ``deteriorated`` (counts) and ``pct_improved``,
        ``pct_no_reliable_change``, ``pct_deteriorated`` (percent of ``n``).

    Notes
    -----
    Categories as in :func:`reliable_change`; people with a missing score are
    not counted. :math:`S_{diff}` uses one ``sd_pre`` for all groups.

    References
    ----------
    Jacobson, N. S., & Truax, P. (1991). *Journal of Consulting and Clinical
    Psychology*, 59(1), 12–19.

    Examples
    --------
    >>> from transferkit.evaluation import reliable_change_summary
    >>> res = reliable_change_summary([30, 25, 20, 22], [20, 24, 27, 31], 7.5, 0.88,
    ...                               group=["A", "A", "B", "B"])
    >>> res[["group", "n", "improved", "no_reliable_change", "deteriorated", "pct_improved"]]
      group  n  improved  no_reliable_change  deteriorated  pct_improved
    0     A  2         0                   1             1           0.0
    1     B  2         1                   1             0          50.0

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> from transferkit.evaluation import scale_scores
    >>> sa = read_dataset("self_assessment")
    >>> sa["dig"] = scale_scores(sa, ["dig_1", "dig_2", "dig_3", "dig_4"])
    >>> wide = sa.pivot_table(index=["pilot_id", "participant"], columns="time", values="dig")
    >>> pilot = wide.index.get_level_values("pilot_id").to_series(name="pilot_id")
    >>> res = reliable_change_summary(wide["pre"], wide["post"], None, 0.8, group=pilot)
    >>> res[["pilot_id", "n", "improved", "no_reliable_change", "deteriorated"]]
      pilot_id   n  improved  no_reliable_change  deteriorated
    0      P01  12         0                  12             0
    1      P02   9         0                   9             0
    2      P03   7         0                   7             0
    3      P04  10         0                  10             0
    4      P05   9         2                   7             0
    5      P06   9         1                   8             0
    """
    rc = reliable_change(pre, post, sd_pre, reliability, z, higher_is_better=higher_is_better)
    cat = rc["category"]
    if group is None:
        labels = pd.Series(["all"] * len(rc), index=rc.index)
    else:
        labels = pd.Series(np.asarray(group, dtype=object), index=rc.index)
        if len(labels) != len(rc):
            msg = f"group must have one label per person ({len(rc)}), got {len(labels)}."
            raise EvaluationInputError(msg)
        if isinstance(group, pd.Series) and group.name is not None:
            group_name = str(group.name)
    counts = pd.crosstab(labels, cat, dropna=True).reindex(columns=list(CATEGORIES), fill_value=0)
    counts.columns = list(CATEGORIES)
    n = counts.sum(axis=1)
    out = pd.DataFrame({"n": n})
    out = out.join(counts)
    for c in CATEGORIES:
        out[f"pct_{c}"] = 100 * counts[c] / n.where(n > 0)
    out.index.name = group_name
    return out.reset_index()
