"""Needs analysis: importance, competence, gap and priority per topic."""

from __future__ import annotations

import numpy as np
import pandas as pd

from transferkit.evaluation.checks import (
    FactorCache,
    as_list,
    check_columns,
    check_numeric,
    group_codes,
    group_count_mean,
)

__all__ = ["QUADRANTS", "needs_priorities"]

#: Portfolio quadrants: (importance high?, competence high?) -> name.
QUADRANTS = {
    (True, False): "develop",
    (True, True): "maintain",
    (False, False): "monitor",
    (False, True): "reduce",
}


def needs_priorities(
    needs: pd.DataFrame,
    *,
    by: str | None = "company_id",
    topic: str = "topic",
    area: str | None = "area",
    importance: str = "importance",
    competence: str = "competence",
    midpoint: float = 3.0,
    network: bool = True,
) -> pd.DataFrame:
    """Priority of each topic: Borich's mean weighted discrepancy score (MWDS).

    Parameters
    ----------
    needs : pandas.DataFrame
        One row per person and topic (the ``needs`` demo dataset) with
        importance and competence ratings (1–5).
    by : str or None
        Grouping below the network (``"company_id"``); ``None`` for the
        network only.
    topic, area, importance, competence : str
        Column names; ``area=None`` if there is no area column.
    midpoint : float
        Scale midpoint that splits the portfolio into quadrants.
    network : bool
        Add rows over the whole network (``scope == "network"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``scope`` (``"company"`` or ``"network"``), the ``by`` column
        (missing on network rows), ``topic``, ``area``, ``n``, ``importance``,
        ``competence`` (means), ``gap`` (mean discrepancy), ``priority`` (the
        MWDS), ``rank`` (1 = highest priority within the company or the
        network) and ``quadrant``.

    Notes
    -----
    Borich's (1980) needs assessment model: for respondent :math:`i` who rated
    both the importance :math:`I_i` and the current competence :math:`C_i` of a
    topic, the discrepancy :math:`I_i - C_i` is weighted by the topic's mean
    importance :math:`\\bar I` (over everyone who rated its importance), and the
    weighted discrepancies are averaged over the :math:`n` respondents with both
    ratings:

    .. math::

        gap = \\frac{1}{n} \\sum_i (I_i - C_i), \\quad
        priority = MWDS = \\frac{1}{n} \\sum_i (I_i - C_i)\\,\\bar I = \\bar I \\times gap

    With complete answers :math:`gap = \\bar I - \\bar C`. Ranks: by priority,
    highest first; equal priorities by the larger gap; topics equal in both share
    the lower rank. So a smaller gap on a more important topic can rank higher
    (3.9 × 0.93 = 3.63 above 3.3 × 1.05 = 3.47): the weighting is the point of
    the score.

    Quadrants: importance ≥ midpoint and competence < midpoint ``develop``,
    both ≥ midpoint ``maintain``, both below ``monitor``, low importance and
    high competence ``reduce`` (importance-performance analysis, Martilla &
    James 1977; the quadrants only, not the priority).

    References
    ----------
    Borich, G. D. (1980). A needs assessment model for conducting follow-up
    studies. *Journal of Teacher Education*, 31(3), 39–42.

    McKim, B. R., & Saucier, P. R. (2011). An Excel-based mean weighted
    discrepancy score calculator. *Journal of Extension*, 49(2), 2TOT8.

    Narine, L., & Harder, A. (2021). Comparing the Borich model with the
    Ranked Discrepancy Model for competency assessment: a novel approach.
    *Advancements in Agricultural Development*, 2(3), 96–111.

    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
    *Journal of Marketing*, 41(1), 77–79.

    Examples
    --------
    >>> import pandas as pd
    >>> from transferkit.evaluation import needs_priorities
    >>> needs = pd.DataFrame({"topic": ["ai_use", "ai_use", "teamwork", "teamwork"],
    ...                       "importance": [5, 4, 3, 2], "competence": [2, 2, 4, 4]})
    >>> needs_priorities(needs, by=None, area=None)[
    ...     ["topic", "gap", "priority", "rank", "quadrant"]]
          topic  gap  priority  rank quadrant
    0    ai_use  2.5     11.25     1  develop
    1  teamwork -1.5     -3.75     2   reduce

    On the demo network:

    >>> from transferkit.datasets import read_dataset
    >>> res = needs_priorities(read_dataset("needs"))
    >>> net = res[res["scope"] == "network"].sort_values("rank")
    >>> net[["topic", "importance", "competence", "priority", "rank", "quadrant"]].head(4).round(2)
                  topic  importance  competence  priority  rank quadrant
    132          ai_use        3.68        1.87      6.69     1  develop
    136   data_literacy        3.63        2.40      4.48     2  develop
    138     it_security        3.75        2.67      4.06     3  develop
    133  change_agility        3.67        2.73      3.42     4  develop
    """
    keys = as_list(by)
    extra = as_list(area)
    check_columns(needs, keys, topic, extra)
    check_numeric(needs, [importance, competence])
    imp = needs[importance].to_numpy(dtype=float, na_value=np.nan)
    comp = needs[competence].to_numpy(dtype=float, na_value=np.nan)
    discrepancy = imp - comp  # NaN unless both are rated
    cache: FactorCache = {}
    frames = []
    scopes: list[tuple[str, list[str]]] = []
    if keys:
        scopes.append(("company", keys))
    if network or not keys:
        scopes.append(("network", []))
    for scope, group in scopes:
        cols = [*group, topic]
        codes, agg = group_codes(needs, cols, cache)
        k = len(agg)
        n, imp_mean = group_count_mean(codes, k, imp)
        _, comp_mean = group_count_mean(codes, k, comp)
        _, gap_mean = group_count_mean(codes, k, discrepancy)
        agg["n"] = n.astype("int64")
        agg["importance"] = imp_mean
        agg["competence"] = comp_mean
        agg["gap"] = gap_mean
        if extra:
            ok = codes >= 0
            _, first = np.unique(codes[ok], return_index=True)
            agg["area"] = needs[extra[0]].to_numpy()[np.flatnonzero(ok)[first]]
        agg.insert(0, "scope", scope)
        frames.append(agg)
    out = pd.concat(frames, ignore_index=True)
    out["priority"] = out["importance"] * out["gap"]
    out["rank"] = _ranks(out, ["scope", *keys])
    high_imp = (out["importance"] >= midpoint).to_numpy()
    high_comp = (out["competence"] >= midpoint).to_numpy()
    quadrant = np.select(
        [high_imp & ~high_comp, high_imp & high_comp, ~high_imp & ~high_comp],
        ["develop", "maintain", "monitor"],
        "reduce",
    )
    out["quadrant"] = pd.Series(quadrant, index=out.index).where(
        out["importance"].notna() & out["competence"].notna()
    )
    cols = ["scope", *keys, topic, *(["area"] if extra else [])]
    cols += ["n", "importance", "competence", "gap", "priority", "rank", "quadrant"]
    return out[cols]


def _ranks(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Rank 1 = highest priority within each group of ``keys``; ties by the larger gap;
    rows equal in both share the lower rank; no priority, no rank."""
    order = table.sort_values(["priority", "gap"], ascending=False, na_position="last")
    ranks: dict[object, int] = {}
    for _, part in order.groupby(keys, dropna=False, sort=False):
        rank, previous = 0, None
        pairs = zip(part["priority"].tolist(), part["gap"].tolist(), strict=True)
        for position, (index, current) in enumerate(zip(part.index, pairs, strict=True), 1):
            if pd.isna(current[0]):
                continue
            if current != previous:
                rank, previous = position, current
            ranks[index] = rank
    return pd.Series(ranks, dtype="Int64").reindex(table.index)
