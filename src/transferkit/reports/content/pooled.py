"""Pooled network effects: the pilots' pre/post changes combined in a random-effects
meta-analysis, and how much the pilots differ, in plain words (issue 14, item 6).

Each pilot's mean change (points on the 1–5 scale) is pooled per scale with
:func:`transferkit.evaluation.meta_analysis` (REML, metafor's conventions); its
sampling variance is the squared standard error of the mean change, taken from the
pilot's 95% t interval: :math:`SE = (high - low) / (2\\, t_{0.975, df})`.

How much the pilots differ is read from I² after Higgins, Thompson, Deeks & Altman
(2003, *BMJ* 327:557–560): about 25% low, 50% moderate, 75% high heterogeneity.
With fewer than :data:`MIN_PILOTS_HETEROGENEITY` pilots, τ², I² and Q say too little
to judge it, and the text says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from transferkit.i18n import text
from transferkit.reports.content.data import SCALES
from transferkit.reports.content.numbers import format_number, format_p, format_percent
from transferkit.reports.content.texts import scale_name

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MIN_PILOTS_HETEROGENEITY",
    "heterogeneity_level",
    "pooled_effects",
    "pooled_text",
]

#: Fewer pilots than this: too few to judge whether they differ (Q has df < 2).
MIN_PILOTS_HETEROGENEITY = 3

#: I² bounds (percent) of the plain-language reading, after Higgins et al. (2003).
_LEVELS = ((25.0, "low"), (50.0, "moderate"), (75.0, "substantial"))


def pooled_effects(effects: pd.DataFrame, method: str = "REML") -> pd.DataFrame:
    """One random-effects pooled change per scale from ``effects`` (``effects_by_pilot``).

    Returns the columns of :func:`~transferkit.evaluation.meta_analysis` after ``scale``;
    a scale with fewer than two pilots that have a positive variance is left out.
    Pilots whose interval has no width (everyone changed by the same amount) cannot be
    weighted and are counted in ``k_dropped``.
    """
    import numpy as np
    import pandas as pd
    from scipy import stats

    from transferkit.evaluation import meta_analysis

    rows = []
    for scale in SCALES:
        part = effects[effects["scale"] == scale]
        if part.empty:
            continue
        df = part["df"].to_numpy(dtype=float)
        half = stats.t.ppf(0.975, np.where(df > 0, df, np.nan))
        se = (part["ci95_high"].to_numpy(dtype=float) - part["ci95_low"].to_numpy(dtype=float)) / (
            2 * half
        )
        variance = np.where(se > 0, se**2, np.nan)
        data = pd.DataFrame({"yi": part["mean_diff"].to_numpy(dtype=float), "vi": variance})
        usable = data.dropna()
        if len(usable) < 2:
            continue
        pooled = meta_analysis(usable, "yi", "vi", method=method)
        pooled["k_dropped"] = len(data) - len(usable)
        pooled.insert(0, "scale", scale)
        rows.append(pooled)
    if not rows:
        return pd.DataFrame()
    return pd.concat(rows, ignore_index=True)


def heterogeneity_level(i2: float, k: int) -> str:
    """``too_few`` (k below :data:`MIN_PILOTS_HETEROGENEITY`), else ``low``, ``moderate``,
    ``substantial`` or ``considerable`` by I² (percent).

    >>> heterogeneity_level(10, 6), heterogeneity_level(60, 6), heterogeneity_level(90, 2)
    ('low', 'substantial', 'too_few')
    """
    if k < MIN_PILOTS_HETEROGENEITY or math.isnan(i2):
        return "too_few"
    for bound, level in _LEVELS:
        if i2 < bound:
            return level
    return "considerable"


def pooled_text(pooled: pd.DataFrame, lang: str) -> str:
    """One paragraph per scale: the pooled change with CI and prediction interval, and how
    much the pilots differ (τ², I² in words, Q test, k)."""
    paragraphs = []
    for _, row in pooled.iterrows():
        k = int(row["k"])
        level = heterogeneity_level(float(row["i2"]), k)
        values = {
            "scale": scale_name(str(row["scale"]), lang),
            "k": k,
            "estimate": _signed(row["estimate"], lang),
            "low": format_number(row["ci95_low"], 2, lang),
            "high": format_number(row["ci95_high"], 2, lang),
            "pi_low": format_number(row["pi95_low"], 2, lang),
            "pi_high": format_number(row["pi95_high"], 2, lang),
        }
        lead = text("network.pooled_estimate", lang, **values)
        if level == "too_few":
            spread = text("network.heterogeneity_too_few", lang, k=k)
        else:
            spread = text(
                f"network.heterogeneity_{level}",
                lang,
                i2=format_percent(row["i2"], lang, 0),
                tau2=format_number(row["tau2"], 3, lang),
                q=format_number(row["q"], 2, lang),
                df=int(row["df"]),
                p=format_p(row["p_q"], lang),
                k=k,
            )
        paragraphs.append(f"{lead} {spread}")
    return "\n\n".join(paragraphs)


def _signed(value: float, lang: str) -> str:
    shown = format_number(value, 2, lang)
    return shown if shown.startswith("-") or float(value) <= 0 else f"+{shown}"
