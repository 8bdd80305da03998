"""prepost: checked against Lakens (2013), scipy.stats.ttest_rel and scipy.stats.wilcoxon."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from transferkit.evaluation import EvaluationInputError, prepost

# Lakens (2013), Frontiers in Psychology 4:863, Table 1: movie ratings of 10 people
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def lakens() -> pd.DataFrame:
    return pd.DataFrame({"pre": MOVIE_2, "post": MOVIE_1})


def test_lakens_published_values():
    row = prepost(lakens(), "pre", "post").iloc[0]
    assert row["mean_diff"] == pytest.approx(1.0)
    assert row["t"] == pytest.approx(4.74, abs=0.005)  # Lakens 2013: t(9) = 4.74
    assert row["df"] == 9
    assert row["p_t"] == pytest.approx(0.001, abs=0.0005)  # Lakens 2013: p = 0.001
    assert row["d_z"] == pytest.approx(1.50, abs=0.005)  # Lakens 2013: d_z = 1.50
    assert row["d_av"] == pytest.approx(1.13, abs=0.005)  # Lakens 2013: d_av = 1.13
    # hand-computed from Lakens 2013 eq. 9 with r = 0.7255: d_rm = 1.50 * sqrt(2 * 0.2745)
    assert row["d_rm"] == pytest.approx(1.1113, abs=1e-4)
    # Lakens 2013 eq. 4 correction, n1 + n2 = 20: 1.1287 * (1 - 3/71); pingouin hedges: 1.0783
    assert row["g_av"] == pytest.approx(1.0810, abs=1e-4)
    assert row["n"] == 10
    assert row["n_dropped"] == 0


def test_matches_scipy_ttest_and_wilcoxon_exact():
    pre, post = np.array(MOVIE_2, float), np.array(MOVIE_1, float) + np.linspace(0, 0.9, 10)
    row = prepost(pd.DataFrame({"a": pre, "b": post}), "a", "b").iloc[0]
    ref = stats.ttest_rel(post, pre)
    assert row["t"] == pytest.approx(ref.statistic)
    assert row["p_t"] == pytest.approx(ref.pvalue)
    ci = ref.confidence_interval()
    assert row["ci95_low"] == pytest.approx(ci.low)
    assert row["ci95_high"] == pytest.approx(ci.high)
    w = stats.wilcoxon(post, pre, method="exact")  # one zero (dropped), no ties: exact
    assert row["w"] == pytest.approx(w.statistic)
    assert row["p_wilcoxon"] == pytest.approx(w.pvalue)


def test_groups_match_scipy_per_group_including_ties_and_large_n():
    rng = np.random.default_rng(1)
    sizes = {"A": 8, "B": 30, "C": 120, "D": 400}
    frames = []
    for g, n in sizes.items():
        pre = rng.integers(1, 6, n).astype(float)
        post = np.clip(pre + rng.integers(-1, 3, n), 1, 5)
        frames.append(pd.DataFrame({"g": g, "pre": pre, "post": post}))
    data = pd.concat(frames, ignore_index=True)
    res = prepost(data, "pre", "post", group="g").set_index("g")
    for g in [*sizes, "overall"]:
        part = data if g == "overall" else data[data["g"] == g]
        t = stats.ttest_rel(part["post"], part["pre"])
        # Reference: scipy with the normal approximation and tie correction, which
        # prepost uses whenever there are ties (these data have many).
        w = stats.wilcoxon(part["post"], part["pre"], method="approx")
        assert res.loc[g, "t"] == pytest.approx(t.statistic), g
        assert res.loc[g, "p_t"] == pytest.approx(t.pvalue), g
        assert res.loc[g, "w"] == pytest.approx(w.statistic), g
        assert res.loc[g, "p_wilcoxon"] == pytest.approx(w.pvalue, rel=1e-6), g
    assert res.loc["overall", "n"] == sum(sizes.values())


def test_missing_pairs_are_dropped_and_counted():
    data = lakens()
    data.loc[[0, 3], "post"] = np.nan
    data.loc[5, "pre"] = np.nan
    row = prepost(data, "pre", "post").iloc[0]
    assert row["n"] == 7
    assert row["n_dropped"] == 3
    ok = data.dropna()
    assert row["t"] == pytest.approx(stats.ttest_rel(ok["post"], ok["pre"]).statistic)


def test_n_equals_one():
    row = prepost(pd.DataFrame({"pre": [3.0], "post": [4.0]}), "pre", "post").iloc[0]
    assert row["n"] == 1
    assert row["mean_diff"] == 1.0
    assert np.isnan(row["t"])
    assert np.isnan(row["p_t"])
    assert np.isnan(row["d_z"])
    # scipy.stats.wilcoxon([1.0]): statistic 0, exact p = 1
    assert row["w"] == 0.0
    assert row["p_wilcoxon"] == pytest.approx(1.0)


def test_all_differences_zero():
    data = pd.DataFrame({"pre": [1, 2, 3, 4], "post": [1, 2, 3, 4]})
    row = prepost(data, "pre", "post").iloc[0]
    assert row["mean_diff"] == 0
    assert np.isnan(row["t"])  # scipy.stats.ttest_rel gives nan (0/0)
    assert np.isnan(stats.ttest_rel(data["post"], data["pre"]).statistic)
    assert row["w"] == 0
    assert np.isnan(row["p_wilcoxon"])
    assert row["d_z"] != row["d_z"]  # nan


def test_all_missing_post_column():
    data = pd.DataFrame({"pre": [1.0, 2.0], "post": [np.nan, np.nan]})
    row = prepost(data, "pre", "post").iloc[0]
    assert row["n"] == 0
    assert row["n_dropped"] == 2
    assert np.isnan(row["mean_diff"])


def test_long_format_equals_wide():
    wide = lakens().assign(person=[f"p{i}" for i in range(10)], pilot=["P1"] * 5 + ["P2"] * 5)
    long = wide.melt(
        id_vars=["person", "pilot"], value_vars=["pre", "post"], var_name="time", value_name="score"
    )
    a = prepost(wide, "pre", "post", subject="person", group="pilot")
    b = prepost(long, "pre", "post", subject="person", group="pilot", within="time", dv="score")
    pd.testing.assert_frame_equal(a, b)
    assert list(a["pilot"]) == ["P1", "P2", "overall"]


def test_errors_name_the_column():
    with pytest.raises(EvaluationInputError, match=r"'after'.*Available columns: 'pre', 'post'"):
        prepost(lakens(), "pre", "after")
    text = lakens().assign(post=[str(v) for v in MOVIE_1])
    with pytest.raises(EvaluationInputError, match="'post' must be numeric"):
        prepost(text, "pre", "post")
    with pytest.raises(EvaluationInputError, match="more than once"):
        prepost(lakens().assign(s=["a"] * 10), "pre", "post", subject="s")
    with pytest.raises(EvaluationInputError, match="both"):
        prepost(lakens(), "pre", "post", within="time")
