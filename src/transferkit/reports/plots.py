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
    "legend_above",
    "plot_diamond",
    "plot_forest",
    "plot_gas",
    "plot_likert",
    "plot_loop_trends",
    "plot_needs_portfolio",
    "plot_prepost",
    "plot_reliable_change",
    "repel_labels",
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


def legend_above(ax: Any, **kwargs: Any) -> Any:
    """The legend above the plot area, in rows of up to four entries: it never covers data.

    ``**kwargs`` go to ``ax.legend``. Returns the legend (``None`` without labelled artists).
    """
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return None
    style = {
        "loc": "lower left",
        "bbox_to_anchor": (0.0, 1.02),
        "ncol": min(len(handles), 4),
        "frameon": False,
        "fontsize": "small",
        "borderaxespad": 0.0,
    } | kwargs
    return ax.legend(handles, labels, **style)


#: Where :func:`repel_labels` tries a label, as directions from its point (right first).
_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))


def repel_labels(
    ax: Any,
    x: Sequence[float],
    y: Sequence[float],
    labels: Sequence[str],
    *,
    distance: float = 4.0,
    avoid: Sequence[Any] = (),
    **kwargs: Any,
) -> list[Any]:
    """Label points so that no two labels overlap each other, another point or an artist
    of ``avoid`` (e.g. the quadrant names of a portfolio).

    Each label is tried at eight places around its point (``distance`` points away,
    then twice and three times as far) and put at the first place that overlaps no
    label already placed, no other point's marker and stays inside the plot area;
    failing that, at the place with the least overlap. A simple, deterministic stand-in
    for ``adjustText``. ``**kwargs`` go to ``ax.annotate``.

    Returns
    -------
    list of matplotlib.text.Annotation
    """
    from matplotlib.transforms import Bbox

    figure = ax.figure
    figure.draw_without_rendering()  # let a layout engine place the axes first
    renderer = figure.canvas.get_renderer()
    to_display = ax.transData.transform
    points = to_display(np.column_stack([np.asarray(x, float), np.asarray(y, float)]))
    marker = 4.0 * figure.dpi / 72  # half the width of a default marker, in pixels
    boxes = [
        Bbox.from_extents(px - marker, py - marker, px + marker, py + marker) for px, py in points
    ]
    area = ax.get_window_extent(renderer)
    placed: list[Any] = []
    taken: list[Any] = [artist.get_window_extent(renderer) for artist in avoid]
    for i, label in enumerate(labels):
        best: tuple[float, Any] | None = None
        for step in (1, 2, 3):
            for dx, dy in _DIRECTIONS:
                note = ax.annotate(
                    label,
                    (x[i], y[i]),
                    xytext=(dx * distance * step, dy * distance * step),
                    textcoords="offset points",
                    ha="left" if dx > 0 else "right" if dx < 0 else "center",
                    va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                    **kwargs,
                )
                box = note.get_window_extent(renderer)
                others = taken + [b for j, b in enumerate(boxes) if j != i]
                overlap = sum(_overlap(box, b) for b in others)
                outside = box.width * box.height - _overlap(box, area)
                cost = overlap + outside
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, note)
                else:
                    note.remove()
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is not None:
            placed.append(best[1])
            taken.append(best[1].get_window_extent(renderer))
    return placed


def _overlap(a: Any, b: Any) -> float:
    """The area two boxes (display coordinates) share."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(width * height) if width > 0 and height > 0 else 0.0


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
    legend_above(ax)
    return ax


def plot_loop_trends(
    responses: pd.DataFrame,
    metric: str,
    *,
    pilot: str = "pilot_id",
    loop: str = "loop",
    ylim: tuple[float, float] | None = None,
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Mean of a rating per loop, one line per pilot.

    Parameters
    ----------
    responses, metric, pilot, loop
        As in :func:`transferkit.evaluation.loop_trends`.
    ylim : (float, float), optional
        The value axis: the rating's scale (e.g. ``(1, 5)``), so that charts of the same
        question look alike in every report; default: fitted to the means.
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
    if ylim is not None:
        ax.set_ylim(*ylim)
    legend_above(ax, ncol=min(len(ax.lines), 6))
    return ax


def plot_needs_portfolio(
    needs: pd.DataFrame,
    *,
    midpoint: float = 3.0,
    scale: tuple[float, float] = (1.0, 5.0),
    names: dict[str, str] | None = None,
    ax: Any = None,
    lang: str = "de",
    **kwargs: Any,
) -> Any:
    """Needs portfolio: competence (x) against importance (y) per topic, network-wide.

    Each topic is a numbered point; the number is its priority rank
    (:func:`transferkit.evaluation.needs_priorities`, 1 = most urgent) and the key
    beside the plot names it. Numbers are placed so that they overlap neither each other
    nor a point (:func:`repel_labels`). The quadrant lines at ``midpoint`` sit in the
    middle of the plot: both axes reach equally far on either side of it (as far as the
    points need, within ``scale``).

    Parameters
    ----------
    needs : pandas.DataFrame
        As in :func:`transferkit.evaluation.needs_priorities`.
    midpoint : float
        Scale midpoint that splits the quadrants.
    scale : (float, float)
        The rating scale: the axes never reach beyond it.
    names : dict, optional
        Topic -> name shown in the key (default: the topic codes).
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
    table = table.dropna(subset=["importance", "competence"]).sort_values(["rank", "topic"])
    table = table.reset_index(drop=True)
    ax.scatter(table["competence"], table["importance"], **({"color": "C0", "s": 24} | kwargs))
    low, high = scale
    for column, set_lim in (("competence", ax.set_xlim), ("importance", ax.set_ylim)):
        values = table[column].to_numpy(dtype=float)
        reach = float(np.max(np.abs(values - midpoint))) if values.size else 1.0
        reach = min(max(reach * 1.15, 0.5), max(midpoint - low, high - midpoint))
        set_lim(max(low, midpoint - reach), min(high, midpoint + reach))
    ax.axvline(midpoint, color="grey", linewidth=0.8, zorder=0)
    ax.axhline(midpoint, color="grey", linewidth=0.8, zorder=0)
    numbers = [str(i + 1) for i in range(len(table))]
    shown = names or {}
    key = "\n".join(
        f"{n}  {shown.get(str(t), str(t))}" for n, t in zip(numbers, table["topic"], strict=True)
    )
    ax.text(
        1.03,
        1.0,
        key,
        transform=ax.transAxes,
        ha="left",
        va="top",
        fontsize="small",
        linespacing=1.4,
        gid="portfolio-key",
    )
    corners = {
        "develop": (0.02, 0.98),
        "maintain": (0.98, 0.98),
        "monitor": (0.02, 0.02),
        "reduce": (0.98, 0.02),
    }
    quadrants = []
    for name, (x, y) in corners.items():
        quadrant = ax.text(
            x,
            y,
            text[name],
            transform=ax.transAxes,
            ha="left" if x < 0.5 else "right",
            va="top" if y > 0.5 else "bottom",
            color="grey",
            fontsize="small",
            gid="portfolio-quadrant",
        )
        quadrants.append(quadrant)
    ax.set_xlabel(text["competence"])
    ax.set_ylabel(text["importance"])
    repel_labels(
        ax,
        table["competence"].tolist(),
        table["importance"].tolist(),
        numbers,
        avoid=quadrants,
        fontsize="small",
        fontweight="bold",
        gid="portfolio-number",
    )
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


def plot_diamond(
    estimate: float,
    ci_low: float,
    ci_high: float,
    y: float,
    *,
    pi_low: float | None = None,
    pi_high: float | None = None,
    height: float = 0.4,
    ax: Any = None,
    **kwargs: Any,
) -> Any:
    """A pooled estimate as the diamond of a forest plot, on row ``y``.

    The diamond spans the confidence interval (``ci_low`` … ``ci_high``) and is widest at
    the ``estimate``; a prediction interval (``pi_low`` … ``pi_high``), when given, is a
    thin line through it, as metafor's ``addpred`` draws it.

    Parameters
    ----------
    estimate, ci_low, ci_high : float
        The pooled effect and its confidence interval, e.g. from
        :func:`transferkit.evaluation.meta_analysis`.
    y : float
        Row of the diamond (data coordinates).
    pi_low, pi_high : float, optional
        The prediction interval.
    height : float
        Height of the diamond in rows.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.fill`` (e.g. ``color``, ``label``).

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = _axes(ax)
    style = {"color": "black"} | kwargs
    if pi_low is not None and pi_high is not None:
        ax.plot([pi_low, pi_high], [y, y], color=style["color"], linewidth=1, zorder=2)
    half = height / 2
    ax.fill(
        [ci_low, estimate, ci_high, estimate],
        [y, y - half, y, y + half],
        zorder=3,
        **style,
    )
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
    legend_above(ax)
    return ax
