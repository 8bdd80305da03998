"""Figures that hold with real data (issue 14, item 3), checked on matplotlib objects:
axis limits, text extents from the renderer, the legend's box against the data points.

Each figure is drawn as the reports draw it (``show_section``: 7.5 × 4.2 inches,
constrained layout) and laid out with ``draw_without_rendering``.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon
from matplotlib.transforms import Bbox

from transferkit.datasets import read_dataset
from transferkit.reports.content import figures
from transferkit.reports.content.data import question_range
from transferkit.reports.content.figures import wrap_label

LONG_GOALS = [
    "Anteil digital dokumentierter Schichtübergaben an allen Übergaben im Werk",
    "Suchzeit nach Auftragsinformationen je Schicht",
    (
        "Beschäftigte, die die App selbstständig nutzen und anderen zeigen, wie man "
        "Störungen meldet, Fotos anhängt, Rückfragen stellt und Übergaben quittiert"
    ),
]


@pytest.fixture(autouse=True)
def _close() -> object:
    yield
    plt.close("all")


def report_axes() -> tuple[Figure, Axes]:
    """A figure as ``show_section`` makes it."""
    return plt.subplots(figsize=(7.5, 4.2), layout="constrained")


def laid_out(fig: Figure) -> object:
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()  # type: ignore[attr-defined]


def data_points(ax: Axes) -> np.ndarray:
    """Every drawn data point of ``ax`` in display coordinates (lines' vertices,
    scatter and errorbar markers)."""
    points = [line.get_xydata() for line in ax.get_lines() if len(line.get_xdata())]
    points += [
        c.get_offsets()
        for c in ax.collections
        if len(c.get_offsets()) and c.get_offsets().ndim == 2
    ]
    xy = np.vstack([np.asarray(p, dtype=float) for p in points])
    xy = xy[np.isfinite(xy).all(axis=1)]
    return ax.transData.transform(xy)


def assert_legend_clear_of_data(fig: Figure, ax: Axes) -> None:
    renderer = laid_out(fig)
    legend = ax.get_legend()
    assert legend is not None
    box = legend.get_window_extent(renderer)
    inside = [tuple(p) for p in data_points(ax) if box.contains(*p)]
    assert not inside, f"the legend covers data points at {inside}"


def overlap(a: Bbox, b: Bbox) -> float:
    """The area two boxes share (touching edges share none)."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return width * height if width > 0 and height > 0 else 0.0


def assert_texts_inside_figure(fig: Figure, ax: Axes) -> None:
    """Everything drawn (tick labels, axis labels, legend, texts) lies inside the figure."""
    renderer = laid_out(fig)
    frame = fig.bbox.padded(1)
    drawn = ax.get_tightbbox(renderer)
    assert drawn is not None
    assert frame.contains(drawn.x0, drawn.y0)
    assert frame.contains(drawn.x1, drawn.y1)
    texts = [ax.xaxis.label, ax.yaxis.label, *ax.texts]
    legend = ax.get_legend()
    if legend is not None:
        texts += legend.get_texts()
    for t in texts:
        if not t.get_visible() or not t.get_text():
            continue
        box = t.get_window_extent(renderer)
        assert frame.contains(box.x0, box.y0), t.get_text()
        assert frame.contains(box.x1, box.y1), t.get_text()


# ------------------------------------------------------------------ labels


def test_wrap_keeps_every_word_or_ends_with_an_ellipsis() -> None:
    for goal in LONG_GOALS:
        wrapped = wrap_label(goal, 32, 3)
        lines = wrapped.split("\n")
        assert len(lines) <= 3
        assert all(len(line) <= 32 for line in lines)
        joined = " ".join(lines)
        if joined.endswith("…"):
            assert goal.startswith(joined.removesuffix("…").rstrip())
            assert len(joined) < len(goal)
        else:
            assert joined == goal  # nothing cut


def gas_goals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "goal": LONG_GOALS,
            "weight": [1, 1, 1],
            "baseline": [-2, -1, -2],
            "follow_up": [1, 1, 2],  # the last at the lower right, where the legend was
        }
    )


def test_gas_goal_labels_are_wrapped_inside_the_figure_and_do_not_overlap() -> None:
    fig, ax = report_axes()
    figures.draw_gas(ax, gas_goals(), "de")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[1] == "Suchzeit nach\nAuftragsinformationen je Schicht"
    assert labels[0].replace("\n", " ") == LONG_GOALS[0]  # no longer cut at 45 characters
    assert labels[2].endswith("…")  # too long for three lines: cut visibly
    assert_texts_inside_figure(fig, ax)
    renderer = laid_out(fig)
    boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) == 0


def test_gas_legend_covers_no_goal() -> None:
    fig, ax = report_axes()
    figures.draw_gas(ax, gas_goals(), "en")
    assert_legend_clear_of_data(fig, ax)
    assert_texts_inside_figure(fig, ax)


def test_gas_figure_grows_with_many_goals() -> None:
    goals = pd.DataFrame(
        {
            "goal": [f"{LONG_GOALS[0]} ({k})" for k in range(12)],
            "weight": 1,
            "baseline": -1,
            "follow_up": 1,
        }
    )
    fig, ax = report_axes()
    figures.draw_gas(ax, goals, "de")
    assert fig.get_figheight() > 4.2
    renderer = laid_out(fig)
    boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels()]
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) == 0
    assert_texts_inside_figure(fig, ax)


# ------------------------------------------------------------------ legends and scales


def effects_table() -> pd.DataFrame:
    rows = []
    for k, pilot in enumerate(["P01", "P02", "P03", "P04"]):
        for j, scale in enumerate(["digital", "soft", "sustainability"]):
            est = 0.1 * (k + j) - 0.1
            rows.append(
                {
                    "pilot_id": pilot,
                    "scale": scale,
                    "mean_diff": est,
                    "ci95_low": est - 0.3,
                    "ci95_high": est + 0.3,
                }
            )
    return pd.DataFrame(rows)


def test_forest_legend_covers_no_interval_and_the_pooled_diamonds_sit_below() -> None:
    pooled = pd.DataFrame(
        {
            "scale": ["digital", "soft", "sustainability"],
            "estimate": [0.2, 0.1, 0.0],
            "ci95_low": [0.05, -0.05, -0.2],
            "ci95_high": [0.35, 0.25, 0.2],
            "pi95_low": [-0.2, -0.3, -0.5],
            "pi95_high": [0.6, 0.5, 0.5],
        }
    )
    fig, ax = report_axes()
    figures.draw_forest(ax, effects_table(), "en", pooled=pooled)
    assert_legend_clear_of_data(fig, ax)
    assert_texts_inside_figure(fig, ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["P01", "P02", "P03", "P04", "Pooled (random effects)"]
    diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
    assert len(diamonds) == 3
    xy = diamonds[0].get_xy()
    assert sorted(set(np.round(xy[:, 0], 6))) == [0.05, 0.2, 0.35]  # CI ends and estimate
    assert xy[:, 1].min() > 3  # below the four pilots' rows
    # the prediction interval is drawn through the diamond
    assert any(sorted(line.get_xdata()) == [-0.2, 0.6] for line in ax.get_lines())


def test_slope_chart_legend_clear_and_on_the_items_scale() -> None:
    long = pd.DataFrame(
        {
            "participant": ["a", "a", "b", "b"] * 3,
            "time": ["pre", "post"] * 6,
            "scale": [s for s in ("digital", "soft", "sustainability") for _ in range(4)],
            "score": [1.0, 1.5, 1.2, 1.0] * 3,  # low scores, where the old legend sat
        }
    )
    fig, ax = report_axes()
    figures.draw_slopes(ax, long, "de")
    assert ax.get_ylim() == question_range("competence_self_assessment", "dig_1") == (1.0, 5.0)
    assert_legend_clear_of_data(fig, ax)


def loop_ratings() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for pilot in ["P01", "P02", "P03", "P04", "P05", "P06"]:
        for loop in (1, 2, 3):
            for person in range(4):
                rows.append(
                    {
                        "pilot_id": pilot,
                        "loop": loop,
                        "participant": f"{pilot}-{person}",
                        "loop_satisfaction": float(rng.integers(3, 5)),
                        "info_useful": float(rng.integers(3, 5)),
                        "app_success": float(rng.integers(2, 5)),
                        "exchange_quality": float(rng.integers(3, 6)),
                    }
                )
    return pd.DataFrame(rows)


def test_network_and_pilot_loop_charts_use_the_questions_scale() -> None:
    """The network chart ran 2.6–4.2 while the pilot chart used 1–5."""
    scale = question_range("reflection_loop", "loop_satisfaction")
    fig, ax = report_axes()
    figures.draw_satisfaction_trends(ax, loop_ratings(), "de")
    assert ax.get_ylim() == scale == (1.0, 5.0)
    assert_legend_clear_of_data(fig, ax)
    assert_texts_inside_figure(fig, ax)

    from transferkit.evaluation import loop_trends
    from transferkit.reports.content.data import LOOP_RATINGS

    trends = loop_trends(loop_ratings(), [m for m in LOOP_RATINGS.values()])
    fig, ax = report_axes()
    figures.draw_trends(ax, trends, "de")
    assert ax.get_ylim() == scale
    assert_legend_clear_of_data(fig, ax)


# ------------------------------------------------------------------ needs portfolio


def test_needs_portfolio_is_centred_numbered_and_readable() -> None:
    needs = read_dataset("needs")  # the demo network: every importance above 3
    fig, ax = report_axes()
    figures.draw_portfolio(ax, needs, "de")
    renderer = laid_out(fig)
    low, high = question_range("needs_analysis", "imp_ai_use")
    midpoint = (low + high) / 2
    for lo, hi in (ax.get_xlim(), ax.get_ylim()):
        assert low <= lo < midpoint < hi <= high
        assert midpoint - lo == pytest.approx(hi - midpoint)  # the line in the middle
    # the quadrant lines are inside the plot, not on its border
    lines = [line for line in ax.get_lines() if len(set(line.get_xdata())) == 1]
    assert lines
    assert all(ax.get_xlim()[0] < line.get_xdata()[0] < ax.get_xlim()[1] for line in lines)
    numbers = [t for t in ax.texts if t.get_gid() == "portfolio-number"]
    topics = needs["topic"].nunique()
    assert sorted(int(t.get_text()) for t in numbers) == list(range(1, topics + 1))
    boxes = [t.get_window_extent(renderer) for t in numbers]
    for a, b in itertools.combinations(boxes, 2):
        assert overlap(a, b) == 0, "two numbers overlap"
    marker = 4.0 * fig.dpi / 72
    points = ax.transData.transform(ax.collections[0].get_offsets())
    for box in boxes:
        for px, py in points:
            dot = Bbox.from_extents(px - marker, py - marker, px + marker, py + marker)
            assert overlap(box, dot) == 0, "a number covers a point"
        assert ax.bbox.contains(box.x0, box.y0)
        assert ax.bbox.contains(box.x1, box.y1)
    quadrants = [
        t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "portfolio-quadrant"
    ]
    for box, quadrant in itertools.product(boxes, quadrants):
        assert overlap(box, quadrant) == 0
    (key,) = [t for t in ax.texts if t.get_gid() == "portfolio-key"]
    assert key.get_text().splitlines()[0] == "1  KI-Nutzung"  # rank 1 of the demo network
    assert_texts_inside_figure(fig, ax)
