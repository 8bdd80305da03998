"""likert_summary: counts, median (numpy), mean CI (scipy.stats.t.interval)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from transferkit.evaluation import EvaluationInputError, likert_summary


def test_against_numpy_and_scipy():
    rng = np.random.default_rng(7)
    df = pd.DataFrame({"a": rng.integers(1, 6, 57).astype(float), "b": rng.integers(1, 6, 57)})
    df.loc[[3, 9], "a"] = np.nan
    res = likert_summary(df, ["a", "b"], 5).set_index("item")
    for item in ("a", "b"):
        x = df[item].dropna().to_numpy(float)
        row = res.loc[item]
        assert row["n"] == len(x)
        assert [row[f"n_{v}"] for v in range(1, 6)] == [int((x == v).sum()) for v in range(1, 6)]
        assert row["pct_4"] == pytest.approx(100 * np.mean(x == 4))
        assert row["median"] == np.median(x)
        assert row["top2"] == pytest.approx(100 * np.mean(x >= 4))
        assert row["mean"] == pytest.approx(x.mean())
        assert row["sd"] == pytest.approx(x.std(ddof=1))
        low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        assert row["ci95_low"] == pytest.approx(low)
        assert row["ci95_high"] == pytest.approx(high)


def test_even_n_median_and_custom_levels():
    df = pd.DataFrame({"q": [-2, -1, 1, 2]})
    row = likert_summary(df, "q", [-2, -1, 0, 1, 2]).iloc[0]
    assert row["median"] == 0.0  # numpy.median([-2, -1, 1, 2])
    assert row["n_m2"] == 1
    assert row["bottom2"] == 50.0


def test_edge_cases():
    df = pd.DataFrame({"q": [np.nan, np.nan], "c": [3, 3], "one": [4, np.nan]})
    res = likert_summary(df, ["q", "c", "one"]).set_index("item")
    assert res.loc["q", "n"] == 0
    assert np.isnan(res.loc["q", "mean"])
    assert np.isnan(res.loc["q", "median"])
    assert res.loc["c", "sd"] == 0
    assert res.loc["one", "mean"] == 4
    assert np.isnan(res.loc["one", "ci95_low"])
    with pytest.raises(EvaluationInputError, match=r"'c' has values 7"):
        likert_summary(pd.DataFrame({"c": [1, 7]}), "c", 5)
    with pytest.raises(EvaluationInputError, match=r"'x'.*Available"):
        likert_summary(df, "x")
