"""Paired pre/post comparison: t-test, Wilcoxon signed-rank and Lakens' effect sizes."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from transferkit.evaluation.checks import (
    EvaluationInputError,
    check_columns,
    check_numeric,
    factorize,
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

#: Up to this many pairs, without ties among the non-zero differences, the Wilcoxon p-value
#: is exact (``scipy.stats.wilcoxon(method="exact")``); otherwise it is the normal
#: approximation with tie correction, computed for all groups at once.
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
    negative rank sums. The p-value is exact for up to 50 pairs whose
    non-zero differences have no ties (``method="exact"``); otherwise it is the normal
    approximation with tie correction and without continuity correction
    (``method="approx"``), computed for all groups at once. (scipy's default
    for small samples with ties, a permutation test, takes seconds per group.) When every
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
    d = y - x
    complete = np.isnan(d).astype(np.intp)  # bucket 0: complete pairs, 1: pre or post missing
    if group is None:
        return _table(complete, 2, x, y, d, _tie_blocks(complete, 2, d), total=[len(x)])

    codes, labels = factorize(wide[group])
    k = len(labels)
    # buckets: groups 0..k-1, k: no group label (only in the overall row), k+1: dropped pairs
    bucket = np.where(complete == 0, np.where(codes >= 0, codes, k), k + 1)
    blocks = _tie_blocks(bucket, k + 2, d)
    res = _table(bucket, k + 2, x, y, d, blocks, total=np.bincount(codes + 1, minlength=k + 1)[1:])
    names = list(labels)
    if overall:
        pooled = _pool_blocks(blocks, below=k + 1)
        res = pd.concat([res, _table(complete, 2, x, y, d, pooled, total=[len(x)])])
        names.append(OVERALL)
    res.insert(0, group, pd.Index(names, dtype=object))
    return res.reset_index(drop=True)


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


def _table(
    bucket: np.ndarray,
    nb: int,
    x: np.ndarray,
    y: np.ndarray,
    d: np.ndarray,
    blocks: _TieBlocks,
    total: Sequence[int] | np.ndarray,
) -> pd.DataFrame:
    """The result rows for the first ``len(total)`` of ``nb`` buckets of rows.

    ``bucket`` numbers the rows ``0..nb-1``; the last bucket holds the pairs
    with pre or post missing. ``total`` is the number of rows per reported
    bucket before dropping incomplete pairs.
    """
    rows = len(total)
    n, mean_x, mean_y, var_x, var_y, var_d = (a[:rows] for a in _moments(bucket, nb, x, y, d))
    w, p_w = _wilcoxon(blocks, bucket, nb, d, n)
    mean_d = mean_y - mean_x
    with np.errstate(divide="ignore", invalid="ignore"):
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
    out = pd.DataFrame(
        {
            "n": n.astype(np.int64),
            "n_dropped": (np.asarray(total) - n).astype(np.int64),
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


def _moments(
    bucket: np.ndarray, nb: int, x: np.ndarray, y: np.ndarray, d: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Per bucket: ``n``, the means of pre and post and the variances of pre, post and d.

    Sums run over the rows of each bucket in row order; the variances are
    computed in a second pass from the deviations from the bucket mean.
    """
    n = np.bincount(bucket, minlength=nb).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_x = np.bincount(bucket, weights=x, minlength=nb) / n
        mean_y = np.bincount(bucket, weights=y, minlength=nb) / n
        mean_d = mean_y - mean_x
        var_x = _sum_of_squares(bucket, nb, x, mean_x) / (n - 1)
        var_y = _sum_of_squares(bucket, nb, y, mean_y) / (n - 1)
        var_d = _sum_of_squares(bucket, nb, d, mean_d) / (n - 1)
    for var in (var_x, var_y, var_d):
        var[n < 2] = np.nan
    return n, mean_x, mean_y, var_x, var_y, var_d


def _sum_of_squares(
    bucket: np.ndarray, nb: int, values: np.ndarray, means: np.ndarray
) -> np.ndarray:
    """Sum of squared deviations from the bucket mean, per bucket."""
    dev = values - means[bucket]
    np.multiply(dev, dev, out=dev)
    return np.bincount(bucket, weights=dev, minlength=nb)


class _TieBlocks(NamedTuple):
    """Runs of equal absolute differences within a bucket, sorted by (bucket, size).

    One entry per run: its bucket, the absolute difference, the number of
    differences in the run and how many of them are positive. Zero
    differences are left out (``zero_method="wilcox"``).
    """

    bucket: np.ndarray
    size: np.ndarray
    length: np.ndarray
    positives: np.ndarray


def _stable_bucket_order(bucket: np.ndarray, nb: int) -> np.ndarray:
    """Stable sort order of bucket numbers ``0..nb-1``.

    Numbers that fit in 16 bits are sorted as such, which lets numpy use a
    linear-time radix sort.
    """
    if nb <= np.iinfo(np.uint16).max + 1:
        bucket = bucket.astype(np.uint16)
    return np.argsort(bucket, kind="stable")


def _tie_blocks(bucket: np.ndarray, nb: int, d: np.ndarray) -> _TieBlocks:
    """The tie blocks of :math:`|d|` in every bucket, from one sort by (bucket, |d|)."""
    size = np.abs(d)
    np.copyto(size, np.inf, where=np.isnan(size))  # NaN would slow numpy's sort down a lot
    by_size = np.argsort(size)  # the order within ties does not matter
    d_s = d[by_size[_stable_bucket_order(bucket[by_size], nb)]]
    b_s = np.repeat(np.arange(nb), np.bincount(bucket, minlength=nb))
    a_s = np.abs(d_s)
    new_block = np.ones(d_s.size, dtype=bool)
    new_block[1:] = (b_s[1:] != b_s[:-1]) | (a_s[1:] != a_s[:-1])
    starts = np.flatnonzero(new_block)
    length = np.diff(np.append(starts, d_s.size))
    positives = np.add.reduceat(d_s > 0, starts, dtype=np.intp) if starts.size else length
    nonzero = a_s[starts] != 0
    return _TieBlocks(
        b_s[starts][nonzero], a_s[starts][nonzero], length[nonzero], positives[nonzero]
    )


def _pool_blocks(blocks: _TieBlocks, below: int) -> _TieBlocks:
    """The tie blocks of buckets ``0..below-1`` pooled into bucket 0."""
    keep = blocks.bucket < below
    order = np.argsort(blocks.size[keep], kind="stable")
    size = blocks.size[keep][order]
    new_block = np.ones(size.size, dtype=bool)
    new_block[1:] = size[1:] != size[:-1]
    starts = np.flatnonzero(new_block)
    if not starts.size:
        return _TieBlocks(*(np.zeros(0, dtype=a.dtype) for a in blocks))
    length = np.add.reduceat(blocks.length[keep][order], starts)
    positives = np.add.reduceat(blocks.positives[keep][order], starts)
    return _TieBlocks(np.zeros(starts.size, dtype=np.intp), size[starts], length, positives)


def _rank_sums(blocks: _TieBlocks, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per bucket: non-zero differences ``m``, positive rank sum and :math:`\\sum (t^3 - t)`.

    A tie block of length :math:`t` that starts after :math:`s` smaller
    differences of its bucket holds ranks :math:`s + 1 .. s + t`; each of its
    differences gets the average rank :math:`s + (t + 1) / 2`.
    """
    length = blocks.length
    per_bucket = np.bincount(blocks.bucket, weights=length, minlength=nb).astype(np.int64)
    bucket_start = np.concatenate([[0], np.cumsum(per_bucket)[:-1]])
    before = np.cumsum(length) - length - bucket_start[blocks.bucket]
    avg_rank = before + (length + 1) / 2
    r_plus = np.bincount(blocks.bucket, weights=avg_rank * blocks.positives, minlength=nb)
    tie = np.bincount(blocks.bucket, weights=length.astype(float) ** 3 - length, minlength=nb)
    return per_bucket.astype(float), r_plus, tie


def _wilcoxon(
    blocks: _TieBlocks, bucket: np.ndarray, nb: int, d: np.ndarray, n: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Wilcoxon signed-rank statistic and two-sided p-value for the first buckets.

    ``n`` holds the number of rows of buckets ``0, 1, ...`` that are reported.
    """
    rows = len(n)
    m, r_plus, tie = (a[:rows] for a in _rank_sums(blocks, nb))
    p = np.full(rows, np.nan)
    r_minus = m * (m + 1) / 2 - r_plus
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = m * (m + 1) / 4
        se = np.sqrt((m * (m + 1) * (2 * m + 1) - tie / 2) / 24)
        z = (r_plus - mean) / se
        p_large = 2 * stats.norm.sf(np.abs(z))
    w = np.minimum(r_plus, r_minus)
    p[:] = p_large
    small = np.flatnonzero((n <= _SMALL_N) & (m > 0))
    if small.size:
        in_rows = _stable_bucket_order(bucket, nb)
        bounds = np.concatenate([[0], np.cumsum(n)]).astype(np.int64)
        for g in small:
            diffs = d[in_rows[bounds[g] : bounds[g + 1]]]
            nonzero = np.abs(diffs[diffs != 0])  # zero differences are dropped first
            if np.unique(nonzero).size == nonzero.size:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    res = stats.wilcoxon(diffs, method="exact")
                w[g], p[g] = float(res.statistic), float(res.pvalue)
    p[m == 0] = np.nan
    w[(m == 0) & (n > 0)] = 0.0
    return w, p
