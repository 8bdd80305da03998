"""Paired pre/post comparison: t-test, Wilcoxon signed-rank and Lakens' effect sizes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from transferkit.evaluation._checks import (
    EvaluationInputError,
    check_columns,
    check_numeric,
)

__all__ = ["prepost"]

OVERALL = "overall"

_COLUMNS = [
    "n",
    "n_dropped",
    "mean_pre",
    "mean_post",
    "mean_diff",
    "ci95_low",
    "ci95_high",
    "t",
    "df",
    "p_t",
    "w",
    "p_wilcoxon",
    "d_z",
    "d_av",
    "d_rm",
    "g_av",
]

#: Up to this many pairs (zeros included) the Wilcoxon test is left to
#: ``scipy.stats.wilcoxon`` (exact without ties); above it scipy uses the normal
#: approximation, which is computed here for all groups at once.
_SMALL_N = 50


def prepost(
    data: pd.DataFrame,
    pre: str,
    post: str,
    subject: str | None = None,
    group: str | None = None,
    *,
    within: str | None = None,
    dv: str | None = None,
    overall: bool = True,
) -> pd.DataFrame:
    """Paired pre/post comparison per group, with tests and effect sizes.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data (one row per person, a column ``pre`` and a column ``post``),
        or long data (one row per person and time) when ``within`` and ``dv``
        are given.
    pre, post : str
        Wide data: names of the pre and post columns. Long data: the values of
        column ``within`` that mark the pre and the post measurement.
    subject : str, optional
        Person identifier. Required for long data; for wide data it is used to
        check that every person appears at most once per group.
    group : str, optional
        Column with the group (e.g. ``"pilot_id"``): one row per group.
    within, dv : str, optional
        Long data: the column naming the time point and the column with the
        score.
    overall : bool
        With ``group``: add a row (group ``"overall"``) over all pairs.

    Returns
    -------
    pandas.DataFrame
        One row per group (the group column first) and the overall row, with
        ``n`` (complete pairs), ``n_dropped`` (pairs with pre or post missing),
        ``mean_pre``, ``mean_post``, ``mean_diff`` (post − pre), ``ci95_low``,
        ``ci95_high`` (95% CI of the mean difference), ``t``, ``df``, ``p_t``
        (paired t-test, two-sided), ``w``, ``p_wilcoxon`` (Wilcoxon signed-rank,
        two-sided), ``d_z``, ``d_av``, ``d_rm`` and ``g_av``.

    Notes
    -----
    With differences :math:`d_i = post_i - pre_i`, their mean :math:`\\bar d`
    and standard deviation :math:`s_d`, the standard deviations :math:`s_1`,
    :math:`s_2` of pre and post and their correlation :math:`r`:

    .. math::

        t = \\frac{\\bar d}{s_d / \\sqrt{n}}, \\quad df = n - 1, \\quad
        CI = \\bar d \\pm t_{0.975, n-1}\\, s_d / \\sqrt{n}

        d_z = \\frac{\\bar d}{s_d}, \\quad
        d_{av} = \\frac{\\bar d}{(s_1 + s_2)/2}, \\quad
        d_{rm} = \\frac{\\bar d}{\\sqrt{s_1^2 + s_2^2 - 2 r s_1 s_2}}\\sqrt{2(1 - r)}

        g_{av} = d_{av} \\left(1 - \\frac{3}{4(n_1 + n_2) - 9}\\right), \\quad n_1 = n_2 = n

    (Lakens 2013, eqs. 4, 6, 9, 10). The Wilcoxon signed-rank test follows
    ``scipy.stats.wilcoxon`` defaults: zero differences are dropped
    (``zero_method="wilcox"``), ``w`` is the smaller of the positive and the
    negative rank sums; up to 50 pairs scipy decides (exact distribution
    without ties or zeros, a complete permutation test for ties with n ≤ 13);
    above, the normal approximation with tie correction and without
    continuity correction is computed for all groups at once. When every
    difference is zero, ``w`` is 0 and ``p_wilcoxon`` is NaN; with one pair,
    ``t`` and its p-value are NaN.

    References
    ----------
    Lakens, D. (2013). Calculating and reporting effect sizes to facilitate
    cumulative science: a practical primer for t-tests and ANOVAs. *Frontiers
    in Psychology*, 4, 863. https://doi.org/10.3389/fpsyg.2013.00863

    Wilcoxon, F. (1945). Individual comparisons by ranking methods.
    *Biometrics Bulletin*, 1(6), 80–83.

    Examples
    --------
    Movie ratings of ten people from Lakens (2013, Table 1):

    >>> import pandas as pd
    >>> from transferkit.evaluation import prepost
    >>> movies = pd.DataFrame({
    ...     "movie_1": [9, 7, 8, 9, 8, 9, 9, 10, 9, 9],
    ...     "movie_2": [9, 6, 7, 8, 7, 9, 8, 8, 8, 7],
    ... })
    >>> res = prepost(movies, pre="movie_2", post="movie_1")
    >>> res[["n", "mean_diff", "t", "df", "p_t", "d_z", "d_av", "g_av"]].round(3)
        n  mean_diff      t  df    p_t  d_z   d_av   g_av
    0  10        1.0  4.743   9  0.001  1.5  1.129  1.081

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> from transferkit.evaluation import scale_scores
    >>> sa = read_dataset("self_assessment")
    >>> sa["dig"] = scale_scores(sa, ["dig_1", "dig_2", "dig_3", "dig_4"])
    >>> res = prepost(sa, "pre", "post", subject="participant", group="pilot_id", within="time", dv="dig")
    >>> res[["pilot_id", "n", "mean_diff", "p_t", "d_z"]].round(3)
      pilot_id   n  mean_diff    p_t    d_z
    0      P01  12      0.646  0.000  2.593
    1      P02   9      0.028  0.813  0.081
    2      P03   7      0.286  0.030  1.069
    3      P04  10     -0.050  0.662 -0.143
    4      P05   9      0.694  0.002  1.445
    5      P06   9      0.444  0.024  0.925
    6  overall  56      0.353  0.000  0.768
    """
    if (within is None) != (dv is None):
        msg = "Long data needs both `within` (the time column) and `dv` (the score column)."
        raise EvaluationInputError(msg)
    if within is not None and dv is not None:
        wide = _long_to_wide(data, pre, post, subject, group, within, dv)
    else:
        check_numeric(data, [pre, post])
        check_columns(data, subject, group)
        if subject is not None:
            keys = [group, subject] if group is not None else [subject]
            dup = data.duplicated(subset=keys)
            if dup.any():
                first = data.loc[dup, subject].iloc[0]
                msg = (
                    f"Subject {first!r} appears more than once in column {subject!r}"
                    + (f" within a group of {group!r}" if group is not None else "")
                    + "; wide data needs one row per person."
                )
                raise EvaluationInputError(msg)
        cols = [pre, post] if group is None else [group, pre, post]
        wide = data[cols]

    x = wide[pre].to_numpy(dtype=float, na_value=np.nan)
    y = wide[post].to_numpy(dtype=float, na_value=np.nan)
    if group is None:
        return _paired_stats(np.zeros(len(x), dtype=np.intp), 1, x, y)

    codes, labels = pd.factorize(wide[group], sort=True)
    keep = codes >= 0  # rows with a missing group label are left out of the groups
    res = _paired_stats(codes[keep], len(labels), x[keep], y[keep])
    res.insert(0, group, pd.Index(labels).astype(object))
    if overall:
        total = _paired_stats(np.zeros(len(x), dtype=np.intp), 1, x, y)
        total.insert(0, group, [OVERALL])
        res = pd.concat([res, total], ignore_index=True)
    return res


def _long_to_wide(
    data: pd.DataFrame,
    pre: str,
    post: str,
    subject: str | None,
    group: str | None,
    within: str,
    dv: str,
) -> pd.DataFrame:
    if subject is None:
        msg = "Long data (`within` and `dv` given) needs `subject` to pair the measurements."
        raise EvaluationInputError(msg)
    check_columns(data, subject, group, within)
    check_numeric(data, dv)
    times = set(data[within].dropna().unique())
    for value in (pre, post):
        if value not in times:
            shown = ", ".join(sorted(repr(t) for t in times))
            msg = f"Column {within!r} has no value {value!r}; its values are: {shown}."
            raise EvaluationInputError(msg)
    index = [subject] if group is None else [group, subject]
    part = data.loc[data[within].isin([pre, post]), [*index, within, dv]]
    if part.duplicated(subset=[*index, within]).any():
        msg = (
            f"Some {subject!r} have more than one {within!r} = {pre!r} or {post!r} row; "
            "keep one measurement per person and time point."
        )
        raise EvaluationInputError(msg)
    wide = part.pivot_table(index=index, columns=within, values=dv, aggfunc="first")
    wide = wide.reindex(columns=[pre, post]).reset_index()
    wide.columns.name = None
    return wide


def _paired_stats(codes: np.ndarray, k: int, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """All statistics for ``k`` groups at once from moments (vectorised)."""
    total = np.bincount(codes, minlength=k)
    ok = ~(np.isnan(x) | np.isnan(y))
    codes, x, y = codes[ok], x[ok], y[ok]
    n = np.bincount(codes, minlength=k).astype(float)
    d = y - x
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_x = np.bincount(codes, weights=x, minlength=k) / n
        mean_y = np.bincount(codes, weights=y, minlength=k) / n
        mean_d = mean_y - mean_x
        var_x = np.bincount(codes, weights=(x - mean_x[codes]) ** 2, minlength=k) / (n - 1)
        var_y = np.bincount(codes, weights=(y - mean_y[codes]) ** 2, minlength=k) / (n - 1)
        var_d = np.bincount(codes, weights=(d - mean_d[codes]) ** 2, minlength=k) / (n - 1)
        var_x[n < 2] = np.nan
        var_y[n < 2] = np.nan
        var_d[n < 2] = np.nan
        sd_x, sd_y, sd_d = np.sqrt(var_x), np.sqrt(var_y), np.sqrt(var_d)
        df = n - 1
        se = sd_d / np.sqrt(n)
        t = mean_d / se
        p_t = 2 * stats.t.sf(np.abs(t), df)
        half = stats.t.ppf(0.975, df) * se
        r = (var_x + var_y - var_d) / (2 * sd_x * sd_y)
        d_z = mean_d / sd_d
        d_av = mean_d / ((sd_x + sd_y) / 2)
        d_rm = d_z * np.sqrt(2 * (1 - r))
        g_av = d_av * (1 - 3 / (4 * (2 * n) - 9))
    w, p_w = _wilcoxon(codes, k, d, n)
    out = pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "n_dropped": (total - n).astype(np.int64),
            "mean_pre": mean_x,
            "mean_post": mean_y,
            "mean_diff": mean_d,
            "ci95_low": mean_d - half,
            "ci95_high": mean_d + half,
            "t": t,
            "df": np.maximum(df, 0).astype(np.int64),
            "p_t": p_t,
            "w": w,
            "p_wilcoxon": p_w,
            "d_z": d_z,
            "d_av": d_av,
            "d_rm": d_rm,
            "g_av": g_av,
        },
        columns=_COLUMNS,
    )
    return out


def _wilcoxon(
    codes: np.ndarray, k: int, d: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Wilcoxon signed-rank statistic and two-sided p-value per group."""
    w = np.full(k, np.nan)
    p = np.full(k, np.nan)
    nonzero = d != 0
    c, dd = codes[nonzero], d[nonzero]
    m = np.bincount(c, minlength=k).astype(float)
    # ranks of |d| within each group, ties averaged (sort by group, then |d|)
    a = np.abs(dd)
    by_size = np.argsort(a, kind="stable")
    order = by_size[np.argsort(c[by_size], kind="stable")]  # by group, then |d|
    c_s, a_s, pos_s = c[order], a[order], dd[order] > 0
    size = len(c_s)
    new_block = np.ones(size, dtype=bool)
    new_block[1:] = (c_s[1:] != c_s[:-1]) | (a_s[1:] != a_s[:-1])
    block = np.cumsum(new_block) - 1
    starts = np.flatnonzero(new_block)
    lengths = np.diff(np.append(starts, size))
    group_start = np.zeros(k, dtype=np.int64)
    group_start[1:] = np.cumsum(m)[:-1].astype(np.int64)
    first_rank = starts - group_start[c_s[starts]] + 1  # 1-based rank of block start
    avg_rank = first_rank + (lengths - 1) / 2
    ranks = avg_rank[block]
    r_plus = np.bincount(c_s, weights=ranks * pos_s, minlength=k)
    r_minus = m * (m + 1) / 2 - r_plus
    block_group = c_s[starts]
    tie = np.bincount(block_group, weights=lengths.astype(float) ** 3 - lengths, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = m * (m + 1) / 4
        se = np.sqrt((m * (m + 1) * (2 * m + 1) - tie / 2) / 24)
        z = (r_plus - mean) / se
        p_large = 2 * stats.norm.sf(np.abs(z))
    w[:] = np.minimum(r_plus, r_minus)
    large = n > _SMALL_N
    p[large] = p_large[large]
    small = np.flatnonzero(~large & (m > 0))
    if small.size:
        order_all = np.argsort(codes, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(n)]).astype(np.int64)
        for g in small:
            diffs = d[order_all[bounds[g] : bounds[g + 1]]]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = stats.wilcoxon(diffs)
            w[g], p[g] = float(res.statistic), float(res.pvalue)
    p[m == 0] = np.nan
    w[(m == 0) & (n > 0)] = 0.0
    return w, p
