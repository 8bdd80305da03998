"""Reliability: Cronbach's alpha, scale scores and Krippendorff's alpha."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Literal, cast

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from transferkit.evaluation.checks import (
    EvaluationInputError,
    as_list,
    check_columns,
    check_frame,
    check_numeric,
)

__all__ = ["cronbach_alpha", "krippendorff_alpha", "scale_scores"]

Level = Literal["nominal", "ordinal", "interval", "ratio"]
_LEVELS = ("nominal", "ordinal", "interval", "ratio")


def _numeric_items(items: pd.DataFrame | ArrayLike) -> pd.DataFrame:
    if isinstance(items, pd.DataFrame):
        frame = items
    else:
        arr = np.asarray(items)
        if arr.ndim != 2:
            msg = "items must be a DataFrame or a 2-D array (rows: people, columns: items)."
            raise EvaluationInputError(msg)
        frame = pd.DataFrame(arr)
    check_numeric(frame, list(frame.columns))
    return frame


def cronbach_alpha(
    items: pd.DataFrame | ArrayLike,
    nan_policy: Literal["pairwise", "listwise"] = "pairwise",
    ci: float = 0.95,
) -> tuple[float, tuple[float, float]]:
    """Cronbach's alpha of a set of items and its confidence interval.

    Parameters
    ----------
    items : pandas.DataFrame or 2-D array
        Wide data: one row per person, one numeric column per item.
    nan_policy : {"pairwise", "listwise"}
        ``"pairwise"`` uses every available pair for the covariances;
        ``"listwise"`` first drops people with any missing item.
    ci : float
        Confidence level of the interval.

    Returns
    -------
    tuple
        ``(alpha, (ci_low, ci_high))``.

    Notes
    -----
    With :math:`k` items, their covariance matrix :math:`C` and :math:`n` people:

    .. math::

        \\alpha = \\frac{k}{k - 1}\\left(1 - \\frac{\\operatorname{tr} C}{\\sum_{ij} C_{ij}}\\right)

    The interval uses :math:`1 - \\alpha` being F-distributed with
    :math:`n - 1` and :math:`(n - 1)(k - 1)` degrees of freedom (Feldt et al.
    1987), as pingouin and R's ``psych`` do. Constant items contribute zero
    variance; when the total score is constant alpha is NaN. An item without
    any value raises :class:`EvaluationInputError`.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of
    tests. *Psychometrika*, 16(3), 297–334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
    for coefficient alpha. *Applied Psychological Measurement*, 11(1), 93–103.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import cronbach_alpha
    >>> items = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3],
    ...                       "q3": [1, 3, 3, 4, 5, 2]})
    >>> alpha, (low, high) = cronbach_alpha(items)
    >>> round(alpha, 3), round(low, 3), round(high, 3)
    (0.932, 0.711, 0.99)

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> sa = read_dataset("self_assessment")
    >>> alpha, ci = cronbach_alpha(sa[["dig_1", "dig_2", "dig_3", "dig_4"]])
    >>> round(alpha, 3)
    0.899
    """
    if nan_policy not in ("pairwise", "listwise"):
        msg = f"nan_policy must be 'pairwise' or 'listwise', got {nan_policy!r}."
        raise EvaluationInputError(msg)
    if not 0 < ci < 1:
        msg = f"ci must be between 0 and 1 (e.g. 0.95), got {ci!r}."
        raise EvaluationInputError(msg)
    frame = _numeric_items(items)
    empty = [c for c in frame.columns if frame[c].isna().all()]
    if empty:
        msg = (
            f"Item column(s) {', '.join(repr(c) for c in empty)} have no values; "
            "drop them before computing alpha."
        )
        raise EvaluationInputError(msg)
    if nan_policy == "listwise":
        frame = frame.dropna(how="any")
    n, k = frame.shape
    if k < 2:
        msg = f"Cronbach's alpha needs at least two items, got {k}."
        raise EvaluationInputError(msg)
    if n < 2:
        msg = f"Cronbach's alpha needs at least two people, got {n}."
        raise EvaluationInputError(msg)
    cov = frame.astype(float).cov().to_numpy()
    total = cov.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = float(k / (k - 1) * (1 - np.trace(cov) / total)) if total > 0 else np.nan
    df1 = n - 1
    df2 = df1 * (k - 1)
    low = 1 - (1 - alpha) * stats.f.isf((1 - ci) / 2, df1, df2)
    high = 1 - (1 - alpha) * stats.f.isf(1 - (1 - ci) / 2, df1, df2)
    return alpha, (float(low), float(high))


def scale_scores(
    data: pd.DataFrame,
    items: Sequence[str] | Mapping[str, Sequence[str]],
    reverse: Sequence[str] | None = None,
    scale_range: tuple[float, float] | None = None,
    *,
    min_items: int = 1,
) -> pd.Series | pd.DataFrame:
    """Mean scale scores per person, reverse-keyed items recoded.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data, one row per person and one column per item.
    items : list of str or dict
        The items of one scale, or ``{scale_name: [items]}`` for several.
    reverse : list of str, optional
        Reverse-keyed items; needs ``scale_range``.
    scale_range : (min, max), optional
        The answer scale, e.g. ``(1, 5)``; values outside raise an error.
    min_items : int
        Minimum number of answered items for a score; fewer gives NaN.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        A Series (one scale, named ``"score"``) or a DataFrame with one column
        per scale, indexed like ``data``.

    Notes
    -----
    A reverse-keyed answer :math:`x` becomes :math:`min + max - x`; the
    score is the mean of the answered items (person-mean over available items).

    References
    ----------
    Revelle, W. *psych: Procedures for Psychological, Psychometric, and
    Personality Research* (``scoreItems``). R package.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import scale_scores
    >>> df = pd.DataFrame({"soft_1": [4, 2], "soft_2": [5, None], "soft_3": [1, 4]})
    >>> scale_scores(df, {"soft": ["soft_1", "soft_2", "soft_3"]},
    ...              reverse=["soft_3"], scale_range=(1, 5)).round(2)
       soft
    0  4.67
    1  2.00

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> sa = read_dataset("self_assessment")
    >>> scales = {"dig": ["dig_1", "dig_2", "dig_3", "dig_4"],
    ...           "soft": ["soft_1", "soft_2", "soft_3", "soft_4"]}
    >>> scale_scores(sa, scales, reverse=["soft_3"], scale_range=(1, 5)).head(3)
        dig  soft
    0  2.50  2.00
    1  3.25  2.00
    2  4.25  4.25
    """
    if isinstance(items, Mapping):
        scales = {name: list(cols) for name, cols in items.items()}
    else:
        scales = {"score": as_list(items)}
    all_items = [c for cols in scales.values() for c in cols]
    check_frame(data)
    check_numeric(data, all_items)
    rev = as_list(reverse)
    unknown = [c for c in rev if c not in all_items]
    if unknown:
        msg = f"reverse names {unknown!r}, which are not among the scale items {all_items!r}."
        raise EvaluationInputError(msg)
    if rev and scale_range is None:
        msg = "Reverse-keyed items need scale_range=(min, max), e.g. (1, 5)."
        raise EvaluationInputError(msg)
    values = data[all_items].astype(float)
    if scale_range is not None:
        lo, hi = scale_range
        arr = values.to_numpy()
        bad = (arr < lo) | (arr > hi)
        if bad.any():
            col = all_items[int(np.flatnonzero(bad.any(axis=0))[0])]
            msg = f"Column {col!r} has values outside scale_range {scale_range}."
            raise EvaluationInputError(msg)
        for c in rev:
            values[c] = lo + hi - values[c]
    out = pd.DataFrame(index=data.index)
    for name, cols in scales.items():
        part = values[cols]
        score = part.mean(axis=1)
        out[name] = score.where(part.notna().sum(axis=1) >= min_items)
    if not isinstance(items, Mapping):
        return out["score"]
    return out


def krippendorff_alpha(
    reliability_data: pd.DataFrame | ArrayLike,
    level: Level = "nominal",
    *,
    unit: str | None = None,
    coder: str | None = None,
    value: str | None = None,
    categories: Sequence[Hashable] | None = None,
) -> float:
    """Krippendorff's alpha for agreement between coders.

    Parameters
    ----------
    reliability_data : array-like or pandas.DataFrame
        Coders × units (one row per coder, one column per unit, NaN/None where
        a coder did not code a unit), or a tidy DataFrame with ``unit``,
        ``coder`` and ``value`` columns (the ``coding`` demo dataset).
    level : {"nominal", "ordinal", "interval", "ratio"}
        Level of measurement of the values.
    unit, coder, value : str, optional
        Column names of tidy data.
    categories : list, optional
        Order of non-numeric categories (needed for ``"ordinal"`` text codes;
        otherwise their sorted order is used).

    Returns
    -------
    float
        Alpha: 1 perfect agreement, 0 agreement as by chance.

    Notes
    -----
    .. math::

        \\alpha = 1 - \\frac{D_o}{D_e}

    with the observed disagreement :math:`D_o` within units and the
    disagreement :math:`D_e` expected by chance, each weighted by the metric of
    the level (Krippendorff 2011). Units coded by fewer than two coders do
    not count. Computed by the ``krippendorff`` package.

    References
    ----------
    Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania.
    https://repository.upenn.edu/asc_papers/43

    Examples
    --------
    Krippendorff's (2011) example, 4 coders and 12 units:

    >>> import numpy as np
    >>> from transferkit.evaluation import krippendorff_alpha
    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(data, "nominal"), 3)
    0.743
    >>> round(krippendorff_alpha(data, "interval"), 3)
    0.849

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> coding = read_dataset("coding")
    >>> round(krippendorff_alpha(coding, unit="unit", coder="coder", value="category"), 3)
    0.718
    """
    import krippendorff  # a small import, kept local to keep package import light

    if level not in _LEVELS:
        msg = f"level must be one of {', '.join(_LEVELS)}, got {level!r}."
        raise EvaluationInputError(msg)
    tidy = (unit, coder, value)
    if any(c is not None for c in tidy):
        if not all(c is not None for c in tidy):
            msg = "Tidy coding data needs all of unit=, coder= and value= column names."
            raise EvaluationInputError(msg)
        frame = cast(pd.DataFrame, reliability_data)  # check_columns refuses anything else
        check_columns(frame, [unit, coder, value])
        if frame.duplicated(subset=[unit, coder]).any():
            msg = f"Some {coder!r} coded the same {unit!r} twice; keep one code per coder and unit."
            raise EvaluationInputError(msg)
        wide = frame.pivot_table(index=coder, columns=unit, values=value, aggfunc="first")
    elif isinstance(reliability_data, pd.DataFrame):
        wide = reliability_data
    else:
        wide = pd.DataFrame(np.asarray(reliability_data, dtype=object))
    if wide.ndim != 2 or wide.shape[0] < 2:
        msg = "Krippendorff's alpha needs at least two coders (rows of coders × units)."
        raise EvaluationInputError(msg)
    observed = pd.Series(wide.to_numpy(dtype=object).ravel()).dropna()
    if observed.empty:
        msg = "The reliability data has no values."
        raise EvaluationInputError(msg)
    numeric = pd.to_numeric(observed, errors="coerce").notna().all()
    if numeric and categories is None:
        arr = wide.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    else:
        if level in ("interval", "ratio"):
            msg = f"level={level!r} needs numeric codes; text categories allow nominal or ordinal."
            raise EvaluationInputError(msg)
        order = list(categories) if categories is not None else sorted(observed.unique())
        missing = sorted(set(observed.unique()) - set(order), key=str)
        if missing:
            msg = f"Codes {missing!r} are not in categories {order!r}."
            raise EvaluationInputError(msg)
        lookup = {cat: float(i) for i, cat in enumerate(order)}
        arr = wide.map(lambda v: lookup.get(v, np.nan) if pd.notna(v) else np.nan).to_numpy(
            dtype=float
        )
    pairable = (~np.isnan(arr)).sum(axis=0) >= 2
    if not pairable.any():
        msg = "No unit was coded by at least two coders, so agreement cannot be computed."
        raise EvaluationInputError(msg)
    if np.unique(arr[:, pairable][~np.isnan(arr[:, pairable])]).size < 2:
        return float("nan")  # a single value overall: expected disagreement is zero
    return float(krippendorff.alpha(reliability_data=arr, level_of_measurement=level))
