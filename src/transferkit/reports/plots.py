"""Figures for pilot evaluations; every function takes ``ax=None`` and returns the Axes.

Labels are German by default (``lang="de"``) and English with ``lang="en"``.
Plot functions compute with :mod:`transferkit.evaluation` and never open files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from transferkit.evaluation import (
    gas_summary,
    likert_summary,
    loop_trends,
    needs_priorities,
    reliable_change,
)
from transferkit.evaluation.checks import EvaluationInputError, check_columns, check_numeric
from transferkit.evaluation.likert import likert_levels
from transferkit.i18n import LANGUAGES, area_texts

__all__ = [
    "plot_forest",
    "plot_gas",
    "plot_likert",
    "plot_loop_trends",
    "plot_needs_portfolio",
    "plot_prepost",
    "plot_reliable_change",
]


def _texts(lang: str) -> dict[str, str]:
    """The plots' texts in ``lang`` (the ``plots`` area of :mod:`transferkit.i18n`)."""
    if lang not in LANGUAGES:
        msg = f"lang must be 'de' or 'en', got {lang!r}."
        raise EvaluationInputError(msg)
    return area_texts("plots", lang)


def _axes(ax: Any) -> Any:
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.gca()
    return ax


def plot_likert(
    data: pd.DataFrame,
    items: Sequence[str],
    levels: int | Sequence[float] = 5,
    *,
    labels: dict[str, str] | None = None,
    level_labels: Sequence[str] | None = None,
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Diverging stacked bars of Likert items, centred on the neutral level.

    Parameters
    ----------
    data, items, levels
        As in :func:`transferkit.evaluation.likert_summary`.
    labels : dict, optional
        Item column -> text shown on the y axis.
    level_labels : list of str, optional
        Legend text for each level.
    ax : matplotlib.axes.Axes, optional
    lang : {"de", "en"}
    **kwargs
        Passed to ``ax.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Negative levels (and half of a middle level) extend to the left of zero
    (Heiberger & Robbins 2014, *Journal of Statistical Software* 57(5)).
    """
    import matplotlib as mpl

    text = _texts(lang)
    ax = _axes(ax)
    lv = likert_levels(levels)
    summary = likert_summary(data, list(items), lv.tolist())
    pct = summary.filter(like="pct_").to_numpy()
    k = lv.size
    half = k // 2
    left = -pct[:, :half].sum(axis=1)
    if k % 2:
        left -= pct[:, half] / 2
    cmap = mpl.colormaps["RdBu"]
    colors = [cmap(x) for x in np.linspace(0.1, 0.9, k)]
    y = np.arange(len(summary))
    names = [str(level) for level in lv] if level_labels is None else list(level_labels)
    start = left.copy()
    for j in range(k):
        ax.barh(y, pct[:, j], left=start, color=colors[j], label=names[j], **kwargs)
        start = start + pct[:, j]
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels([(labels or {}).get(i, str(i)) for i in items])
    ax.invert_yaxis()
    ax.set_xlabel(text["percent"])
    ax.legend(ncol=k, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


def plot_prepost(
    data: pd.DataFrame,
    pre: str,
    post: str,
    *,
    ax: Any = None,
    lang: str = "de",
    position: float = 0.0,
    mean_color: str = "C3",
    legend: str | None = None,
    **kwargs: Any,
) -> Any:
    """Paired slope chart: one line per person from pre to post, means in bold.

    Parameters
    ----------
    data : pandas.DataFrame
        Wide data, one row per person.
    pre, post : str
        Columns of the two measurements; rows missing either are left out.
    ax : matplotlib.axes.Axes, optional
    lang : {"de", "en"}
    position : float
        x of the pre measurement (post is at ``position + 1``): several charts, e.g.
        one per scale, side by side on one ``ax``.
    mean_color : str
        Colour of the means.
    legend : str, optional
        Legend label of the means.
    **kwargs
        Passed to the per-person lines (``ax.plot``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    text = _texts(lang)
    ax = _axes(ax)
    check_numeric(data, [pre, post])
    pairs = data[[pre, post]].dropna().to_numpy(dtype=float)
    style = {"color": "grey", "alpha": 0.4, "linewidth": 1} | kwargs
    x = [position, position + 1]
    for a, b in pairs:
        ax.plot(x, [a, b], **style)
    if len(pairs):
        ax.plot(x, pairs.mean(axis=0), color=mean_color, linewidth=3, marker="o", label=legend)
    ax.set_xticks(x)
    ax.set_xticklabels([text["pre"], text["post"]])
    ax.margins(x=0.2)
    ax.set_ylabel(text["score"])
    return ax


def plot_gas(
    goals: pd.DataFrame,
    by: str = "pilot_id",
    *,
    ax: Any = None,
    lang: str = "de",
    rho: float = 0.3,
    **kwargs: Any,
) -> Any:
    """GAS T-scores at baseline and follow-up per group (dumbbell chart).

    Parameters
    ----------
    goals : pandas.DataFrame
        As in :func:`transferkit.evaluation.gas_summary`.
    by : str
        Grouping column.
    ax, lang, rho
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    text = _texts(lang)
    ax = _axes(ax)
    summary = gas_summary(goals, by, rho=rho)
    y = np.arange(len(summary))
    ax.hlines(y, summary["t_baseline"], summary["t_follow_up"], color="grey")
    ax.scatter(summary["t_baseline"], y, color="C0", label=text["baseline"], zorder=3, **kwargs)
    ax.scatter(summary["t_follow_up"], y, color="C2", label=text["follow_up"], zorder=3, **kwargs)
    ax.axvline(50, color="black", linestyle=":", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(summary[by].astype(str))
    ax.invert_yaxis()
    ax.set_xlabel(text["tscore"])
    ax.legend(frameon=False)
    return ax


def plot_loop_trends(
    responses: pd.DataFrame,
    metric: str,
    *,
    pilot: str = "pilot_id",
    loop: str = "loop",
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Mean of a rating per loop, one line per pilot.

    Parameters
    ----------
    responses, metric, pilot, loop
        As in :func:`transferkit.evaluation.loop_trends`.
    ax, lang
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    text = _texts(lang)
    ax = _axes(ax)
    trends = loop_trends(responses, metric, pilot=pilot, loop=loop)
    for name, part in trends.groupby(pilot, sort=True):
        ax.plot(part[loop], part["mean"], marker="o", label=str(name), **kwargs)
    loops = np.sort(trends[loop].unique())
    ax.set_xticks(loops)
    ax.set_xlabel(text["loop"])
    ax.set_ylabel(f"{text['mean']}: {metric}")
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_needs_portfolio(
    needs: pd.DataFrame,
    *,
    midpoint: float = 3.0,
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Needs portfolio: competence (x) against importance (y) per topic, network-wide.

    Parameters
    ----------
    needs : pandas.DataFrame
        As in :func:`transferkit.evaluation.needs_priorities`.
    midpoint : float
        Scale midpoint that splits the quadrants.
    ax, lang
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    text = _texts(lang)
    ax = _axes(ax)
    area = "area" if "area" in needs.columns else None
    table = needs_priorities(needs, by=None, area=area, midpoint=midpoint)
    ax.scatter(table["competence"], table["importance"], **({"color": "C0"} | kwargs))
    for row in table.itertuples(index=False):
        ax.annotate(
            str(row.topic),
            (row.competence, row.importance),
            fontsize="small",
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.axvline(midpoint, color="grey", linewidth=0.8)
    ax.axhline(midpoint, color="grey", linewidth=0.8)
    corners = {
        "develop": (0.02, 0.97),
        "maintain": (0.98, 0.97),
        "monitor": (0.02, 0.03),
        "reduce": (0.98, 0.03),
    }
    for name, (x, y) in corners.items():
        ax.text(
            x,
            y,
            text[name],
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            color="grey",
            fontsize="small",
        )
    ax.set_xlabel(text["competence"])
    ax.set_ylabel(text["importance"])
    return ax


def plot_forest(
    effects: pd.DataFrame,
    estimate: str = "mean_diff",
    ci_low: str = "ci95_low",
    ci_high: str = "ci95_high",
    label: str = "pilot_id",
    *,
    ax: Any = None,
    lang: str = "de",
    shift: float = 0.0,
    legend: str | None = None,
    **kwargs: Any,
) -> Any:
    """Forest plot of effects with confidence intervals across pilots.

    Parameters
    ----------
    effects : pandas.DataFrame
        One row per pilot, e.g. the result of
        :func:`transferkit.evaluation.prepost` with ``group="pilot_id"``; a row with a
        missing effect keeps its place, without a marker.
    estimate, ci_low, ci_high, label : str
        Columns with the effect, its interval and the row label.
    ax, lang
    shift : float
        Moves the markers up or down from their row (several series, e.g. one per
        scale, over the same rows).
    legend : str, optional
        Legend label of the series.
    **kwargs
        Passed to ``ax.errorbar``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    text = _texts(lang)
    ax = _axes(ax)
    check_columns(effects, label)
    check_numeric(effects, [estimate, ci_low, ci_high])
    est = effects[estimate].to_numpy(dtype=float)
    low = effects[ci_low].to_numpy(dtype=float)
    high = effects[ci_high].to_numpy(dtype=float)
    y = np.arange(len(effects))
    style = {"fmt": "s", "color": "black", "capsize": 3, "label": legend} | kwargs
    ax.errorbar(est, y + shift, xerr=[est - low, high - est], **style)
    ax.axvline(0, color="grey", linestyle="--", linewidth=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(effects[label].astype(str))
    ax.invert_yaxis()
    ax.set_xlabel(f"{estimate}: {text['effect']}")
    return ax


def plot_reliable_change(
    pre: Any,
    post: Any,
    sd_pre: float | None,
    reliability: float,
    z: float = 1.96,
    *,
    higher_is_better: bool = True,
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Pre (x) against post (y) per person with the band of no reliable change.

    Parameters
    ----------
    pre, post, sd_pre, reliability, z, higher_is_better
        As in :func:`transferkit.evaluation.reliable_change`.
    ax, lang
    **kwargs
        Passed to ``ax.scatter``.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Points outside the band :math:`post = pre \\pm z\\,S_{diff}` changed reliably
    (Jacobson & Truax 1991).
    """
    text = _texts(lang)
    ax = _axes(ax)
    rc = reliable_change(pre, post, sd_pre, reliability, z, higher_is_better=higher_is_better)
    s_diff = float(rc["s_diff"].iloc[0]) if len(rc) else 0.0
    values = rc[["pre", "post"]].to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = z * s_diff + 0.05 * (hi - lo + 1)
    line = np.array([lo - pad, hi + pad])
    ax.fill_between(
        line, line - z * s_diff, line + z * s_diff, color="grey", alpha=0.2, label=text["rci_band"]
    )
    ax.plot(line, line, color="grey", linewidth=0.8)
    colors = {"improved": "C2", "no_reliable_change": "C7", "deteriorated": "C3"}
    for cat, color in colors.items():
        part = rc[rc["category"] == cat]
        if len(part):
            ax.scatter(part["pre"], part["post"], color=color, label=text[cat], zorder=3, **kwargs)
    ax.set_xlim(line)
    ax.set_ylim(line)
    ax.set_xlabel(text["pre"])
    ax.set_ylabel(text["post"])
    ax.legend(frameon=False, fontsize="small")
    return ax
