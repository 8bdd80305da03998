"""Plots: each returns its Axes and labels in German or English."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import EvaluationInputError, prepost
from transferkit.reports import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def wide() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    pre = rng.integers(1, 6, 30).astype(float)
    return pd.DataFrame(
        {
            "pilot_id": ["P1"] * 15 + ["P2"] * 15,
            "pre": pre,
            "post": np.clip(pre + rng.integers(-1, 3, 30), 1, 5),
        }
    )


def test_likert_bars_diverge_at_zero():
    _, ax = plt.subplots()
    df = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [5, 5, 4, 4, 3]})
    out = plots.plot_likert(df, ["q1", "q2"], 5, ax=ax, lang="en")
    assert out is ax
    assert ax.get_xlabel() == "share of answers (%)"
    first = ax.patches[0]  # level 1 of q1: starts left of zero
    assert first.get_x() == pytest.approx(-50.0)  # 20 + 20 + 20/2 left of the centre
    assert plots.plot_likert(df, ["q1"]).get_xlabel() == "Anteil der Antworten (%)"


def test_prepost_slopes():
    ax = plots.plot_prepost(wide(), "pre", "post")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["vorher", "nachher"]
    assert len(ax.lines) == 31  # 30 people + the mean


def test_prepost_slopes_side_by_side():
    """The pilot report draws one chart per scale on one Axes (figures.draw_slopes)."""
    _, ax = plt.subplots()
    plots.plot_prepost(wide(), "pre", "post", ax=ax, legend="A")
    plots.plot_prepost(
        wide(),
        "pre",
        "post",
        ax=ax,
        position=2.5,
        mean_color="C0",
        legend="B",
        color="#bbbbbb",
        linewidth=0.7,
    )
    assert len(ax.lines) == 62
    means = [line for line in ax.lines if line.get_label() in ("A", "B")]
    assert [list(line.get_xdata()) for line in means] == [[0, 1], [2.5, 3.5]]
    assert ax.get_legend_handles_labels()[1] == ["A", "B"]
    assert ax.lines[31].get_color() == "#bbbbbb"


def test_gas_plot():
    goals = pd.DataFrame(
        {
            "pilot_id": ["P1", "P1", "P2"],
            "weight": [1, 2, 1],
            "baseline": [-1, -1, -2],
            "follow_up": [0, 1, 0],
        }
    )
    ax = plots.plot_gas(goals, lang="en")
    assert ax.get_xlabel() == "GAS T-score"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2"]


def test_loop_trends_plot():
    df = pd.DataFrame(
        {
            "pilot_id": ["P1"] * 4 + ["P2"] * 4,
            "loop": [1, 1, 2, 2] * 2,
            "sat": [3, 4, 4, 5, 2, 3, 3, 3],
        }
    )
    ax = plots.plot_loop_trends(df, "sat")
    assert ax.get_xlabel() == "Schleife"
    assert len(ax.lines) == 2


def test_needs_portfolio():
    needs = pd.DataFrame(
        {
            "topic": ["ai_use", "teamwork"],
            "area": ["digital", "soft"],
            "importance": [5, 2],
            "competence": [2, 4],
        }
    )
    ax = plots.plot_needs_portfolio(needs, lang="en")
    assert ax.get_ylabel() == "importance"
    texts = {t.get_text() for t in ax.texts}
    assert {"1", "2", "develop", "reduce"} <= texts  # numbered points, named quadrants
    assert "1  ai_use\n2  teamwork" in texts  # the key: number = priority order


def test_forest_plot_from_prepost():
    effects = prepost(wide(), "pre", "post", group="pilot_id")
    ax = plots.plot_forest(effects)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2", "overall"]
    assert "95%-KI" in ax.get_xlabel()


def test_forest_series_shifted_over_the_same_rows():
    """The network report draws one series per scale (figures.draw_forest)."""
    effects = pd.DataFrame(
        {
            "pilot_id": ["P1", "P2"],
            "mean_diff": [0.5, np.nan],
            "ci95_low": [0.1, np.nan],
            "ci95_high": [0.9, np.nan],
        }
    )
    _, ax = plt.subplots()
    plots.plot_forest(effects, ax=ax, shift=-0.25, legend="dig")
    plots.plot_forest(effects, ax=ax, shift=0.25, legend="soft", color="C1")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2"]
    assert ax.get_legend_handles_labels()[1] == ["dig", "soft"]
    first = ax.containers[0].lines[0]
    assert list(first.get_ydata()[:1]) == [-0.25]


def test_report_figures_draw_with_the_shared_plots():
    from transferkit.reports.content import figures

    long = pd.DataFrame(
        {
            "participant": ["a", "a", "b", "b"] * 3,
            "time": ["pre", "post"] * 6,
            "scale": [s for s in ("digital", "soft", "sustainability") for _ in range(4)],
            "score": [2.0, 3.0, 3.0, 4.0] * 3,
        }
    )
    _, ax = plt.subplots()
    figures.draw_slopes(ax, long, "en")
    assert len(ax.lines) == 9  # 2 people + the mean, per scale
    effects = pd.DataFrame(
        {
            "pilot_id": ["P1", "P2", "P1"],
            "scale": ["digital", "digital", "sustainability"],
            "mean_diff": [0.5, 0.2, 0.1],
            "ci95_low": [0.1, -0.1, -0.3],
            "ci95_high": [0.9, 0.5, 0.5],
        }
    )
    _, ax = plt.subplots()
    figures.draw_forest(ax, effects, "de")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["P1", "P2"]
    assert len(ax.containers) == 3


def test_reliable_change_scatter():
    df = wide()
    ax = plots.plot_reliable_change(df["pre"], df["post"], 1.0, 0.8, lang="en")
    assert ax.get_xlabel() == "pre"
    labels = ax.get_legend_handles_labels()[1]
    assert "no reliable change zone" in labels


def test_bad_language():
    with pytest.raises(EvaluationInputError, match="lang"):
        plots.plot_prepost(wide(), "pre", "post", lang="fr")
