"""The network report's pooled effects and their heterogeneity in words (issue 14, item 6).

meta_analysis itself is checked against metafor in tests/evaluation/test_meta_analysis.py;
here: that each pilot enters with the right variance (the squared standard error of its
mean change, SD of the differences / sqrt(n), computed directly from the demo data),
and that the report says what the numbers say, in German and English.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from transferkit import evaluation as ev
from transferkit.datasets import import_demo, read_dataset
from transferkit.reports import content as rd
from transferkit.reports.content.network import effects_by_pilot
from transferkit.reports.content.pooled import heterogeneity_level, pooled_effects, pooled_text
from transferkit.store import Store

SCALES = {
    "digital": ["dig_1", "dig_2", "dig_3", "dig_4"],
    "soft": ["soft_1", "soft_2", "soft_3", "soft_4"],
    "sustainability": ["sus_1", "sus_2", "sus_3"],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    s = Store(f"sqlite:///{tmp_path_factory.mktemp('pooled') / 'demo.db'}")
    import_demo(s)
    return s


def direct_variances(scale: str) -> pd.DataFrame:
    """Per pilot: mean change and var(diff, ddof=1) / n, straight from the demo CSV."""
    data = read_dataset("self_assessment")
    scores = ev.scale_scores(data, SCALES, reverse=["soft_3"], scale_range=(1, 5))
    wide = data[["participant", "pilot_id", "time"]].join(scores[[scale]])
    pairs = wide.pivot_table(index=["pilot_id", "participant"], columns="time", values=scale)
    diff = (pairs["post"] - pairs["pre"]).dropna()
    by = diff.groupby(level="pilot_id")
    return pd.DataFrame({"yi": by.mean(), "vi": by.var(ddof=1) / by.count()})


def test_pooled_effects_weight_each_pilot_by_its_squared_standard_error(store: Store) -> None:
    effects = effects_by_pilot(rd.data.self_assessment(store))
    pooled = pooled_effects(effects).set_index("scale")
    assert list(pooled.index) == ["digital", "soft", "sustainability"]
    for scale in SCALES:
        expected = ev.meta_analysis(direct_variances(scale), "yi", "vi", method="REML").iloc[0]
        row = pooled.loc[scale]
        assert row["k"] == 6
        for column in ("estimate", "se", "tau2", "i2", "q", "p_q", "pi95_low", "pi95_high"):
            assert row[column] == pytest.approx(expected[column], rel=1e-6), (scale, column)


def test_a_pilot_without_spread_is_dropped_and_one_pilot_is_not_pooled() -> None:
    effects = pd.DataFrame(
        {
            "scale": ["digital"] * 3 + ["soft"],
            "pilot_id": ["P1", "P2", "P3", "P1"],
            "mean_diff": [0.5, 0.2, 0.3, 0.1],
            "ci95_low": [0.1, -0.1, 0.3, -0.2],  # P3: everyone changed by 0.3
            "ci95_high": [0.9, 0.5, 0.3, 0.4],
            "df": [9, 9, 9, 9],
        }
    )
    pooled = pooled_effects(effects)
    assert pooled["scale"].tolist() == ["digital"]  # soft has one pilot only
    assert pooled["k"].iloc[0] == 2
    assert pooled["k_dropped"].iloc[0] == 1


@pytest.mark.parametrize(
    ("i2", "k", "level"),
    [
        (0.0, 6, "low"),
        (24.9, 6, "low"),
        (25.0, 6, "moderate"),
        (50.0, 6, "substantial"),
        (75.0, 6, "considerable"),
        (90.0, 2, "too_few"),  # Q with one degree of freedom says next to nothing
        (0.0, 3, "low"),
    ],
)
def test_heterogeneity_in_words_after_higgins_2003(i2: float, k: int, level: str) -> None:
    # Higgins, Thompson, Deeks & Altman (2003), BMJ 327:557-560: 25/50/75% low/moderate/high
    assert heterogeneity_level(i2, k) == level


def pooled_row(k: int, i2: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "scale": "digital",
                "k": k,
                "estimate": 0.3456,
                "ci95_low": 0.0912,
                "ci95_high": 0.5987,
                "pi95_low": -0.2761,
                "pi95_high": 0.9512,
                "tau2": 0.08312,
                "i2": i2,
                "q": 43.2268,
                "df": k - 1,
                "p_q": 3.4e-8,
            }
        ]
    )


def test_the_text_names_tau2_i2_q_and_k() -> None:
    en = pooled_text(pooled_row(6, 87.2), "en")
    assert "pooled over 6 pilot projects +0.35 points" in en
    assert "95% confidence interval 0.09 to 0.60" in en
    assert "between -0.28 and 0.95 points (95% prediction interval)" in en
    assert "differ strongly" in en
    assert "I² = 87%" in en
    assert "τ² = 0.083" in en
    assert "Q(5) = 43.23, p < .001" in en
    assert "k = 6" in en
    de = pooled_text(pooled_row(6, 87.2), "de")
    assert "über 6 Pilotprojekte gepoolt +0,35 Punkte" in de
    assert "unterscheiden sich stark" in de
    assert "I² = 87\u00a0%" in de
    assert "τ² = 0,083" in de
    assert "Q(5) = 43,23, p < 0,001" in de


@pytest.mark.parametrize("lang", ["de", "en"])
def test_with_two_pilots_the_text_says_they_are_too_few(lang: str) -> None:
    words = pooled_text(pooled_row(2, 90.0), lang)
    assert ("zu wenige" if lang == "de" else "too few") in words
    assert "I²" not in words  # no reading of a heterogeneity that cannot be judged


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_network_report_shows_the_pooled_effects(store: Store, lang: str) -> None:
    report = rd.network_report(store, "", lang)
    pooled = report.key_figures["pooled"]
    assert set(pooled) == set(SCALES)
    section = report.sections["effects"]
    assert section.text.count("I² = ") == 3  # one reading per scale (k = 6 pilots)
    assert ("Vorhersageintervall" if lang == "de" else "prediction interval") in section.text
    (_, caption) = section.figures[0]
    assert ("Raute" if lang == "de" else "diamond") in caption
    methods = " ".join(report.sections["methods"].items)
    assert "REML" in methods
    assert "Higgins et al. 2003" in methods
    digital = pooled["digital"]
    assert digital["ci95_low"] < digital["estimate"] < digital["ci95_high"]
    assert digital["pi95_low"] <= digital["ci95_low"]
    assert np.isfinite(digital["tau2"])
