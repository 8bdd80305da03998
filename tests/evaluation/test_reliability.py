"""Cronbach's alpha (pingouin), scale scores, Krippendorff's alpha (Krippendorff 2011)."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import (
    EvaluationInputError,
    cronbach_alpha,
    krippendorff_alpha,
    scale_scores,
)

nan = np.nan
# Krippendorff (2011) "Computing Krippendorff's alpha-reliability", 4 coders x 12 units
K2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


@pytest.mark.parametrize(
    ("level", "published"),
    # published in Krippendorff (2011): nominal .743, ordinal .815, interval .849, ratio .797
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011(level, published):
    assert krippendorff_alpha(K2011, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_tidy_and_text_codes():
    letters = {1: "a", 2: "b", 3: "c", 4: "d", 5: "e"}
    rows = [
        {"unit": u, "coder": f"c{c}", "category": letters[int(v)]}
        for c, codes in enumerate(K2011)
        for u, v in enumerate(codes)
        if not np.isnan(v)
    ]
    tidy = pd.DataFrame(rows)
    got = krippendorff_alpha(tidy, "nominal", unit="unit", coder="coder", value="category")
    assert got == pytest.approx(0.743, abs=5e-4)  # Krippendorff (2011)
    got = krippendorff_alpha(tidy, "ordinal", unit="unit", coder="coder", value="category")
    assert got == pytest.approx(0.815, abs=5e-4)  # sorted a..e keeps the order of 1..5
    with pytest.raises(EvaluationInputError, match="numeric codes"):
        krippendorff_alpha(tidy, "interval", unit="unit", coder="coder", value="category")


def test_krippendorff_edge_cases():
    assert krippendorff_alpha([[1, 1, 1], [1, 1, 1]]) != krippendorff_alpha(
        [[1, 1, 1], [1, 1, 1]]
    )  # nan
    with pytest.raises(EvaluationInputError, match="two coders"):
        krippendorff_alpha([[1, 2, 3]])
    with pytest.raises(EvaluationInputError, match="at least two coders"):
        krippendorff_alpha([[1, nan], [nan, 2]])
    with pytest.raises(EvaluationInputError, match="level"):
        krippendorff_alpha(K2011, "cardinal")


def items() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    base = rng.normal(size=40)
    data = {
        f"q{i}": np.clip(np.round(3 + base + rng.normal(0, 0.8, 40)), 1, 5) for i in range(1, 5)
    }
    df = pd.DataFrame(data)
    df.iloc[2, 1] = nan
    df.iloc[7, 3] = nan
    return df


@pytest.mark.parametrize("policy", ["pairwise", "listwise"])
def test_cronbach_matches_pingouin(policy):
    import pingouin as pg

    alpha, (low, high) = cronbach_alpha(items(), nan_policy=policy)
    ref_alpha, ref_ci = pg.cronbach_alpha(data=items(), nan_policy=policy)  # reference impl.
    assert alpha == pytest.approx(ref_alpha)
    if policy == "pairwise":
        assert low == pytest.approx(ref_ci[0], abs=5e-4)  # pingouin rounds its CI to 3 places
        assert high == pytest.approx(ref_ci[1], abs=5e-4)
    else:
        # pingouin 0.7 keeps n from before the listwise drop; we use the people
        # actually analysed (38 of 40), as R psych::alpha(use="complete.obs") does.
        # Feldt (1987) interval by hand: 1 - (1 - alpha) * F_{0.025/0.975}(n - 1, (n - 1)(k - 1))
        from scipy import stats

        n, k = 38, 4
        assert low == pytest.approx(1 - (1 - alpha) * stats.f.isf(0.025, n - 1, (n - 1) * (k - 1)))
        assert high == pytest.approx(1 - (1 - alpha) * stats.f.isf(0.975, n - 1, (n - 1) * (k - 1)))


def test_cronbach_pingouin_published_example():
    import pingouin as pg

    data = pg.read_dataset("cronbach_alpha").pivot_table(
        index="Subj", columns="Items", values="Scores"
    )
    alpha, (low, high) = cronbach_alpha(data)
    # pingouin docs (cronbach_alpha example): 0.5917, CI [0.195, 0.84]
    assert alpha == pytest.approx(0.5917, abs=1e-4)
    assert (round(low, 3), round(high, 2)) == (0.195, 0.84)


def test_cronbach_edge_cases():
    df = items().assign(const=3.0)  # a constant item has zero variance; alpha still defined
    alpha, _ = cronbach_alpha(df)
    assert np.isfinite(alpha)
    all_const = pd.DataFrame({"a": [2.0] * 5, "b": [3.0] * 5})
    assert np.isnan(cronbach_alpha(all_const)[0])
    with pytest.raises(EvaluationInputError, match=r"'empty'.*no values"):
        cronbach_alpha(items().assign(empty=nan))
    with pytest.raises(EvaluationInputError, match="two items"):
        cronbach_alpha(items()[["q1"]])
    with pytest.raises(EvaluationInputError, match="two people"):
        cronbach_alpha(items().iloc[:1])
    with pytest.raises(EvaluationInputError, match="'q1' must be numeric"):
        cronbach_alpha(items().astype({"q1": str}))


def test_scale_scores():
    df = pd.DataFrame({"a": [1, 5, nan], "b": [2, 4, nan], "c": [5, 1, 3]})
    score = scale_scores(df, ["a", "b", "c"], reverse=["c"], scale_range=(1, 5))
    assert list(score) == [pytest.approx(4 / 3), pytest.approx(14 / 3), 3.0]
    both = scale_scores(df, {"x": ["a", "b"], "y": ["c"]}, min_items=2)
    assert list(both.columns) == ["x", "y"]
    assert np.isnan(both.loc[2, "x"])
    assert np.isnan(both.loc[0, "y"])
    with pytest.raises(EvaluationInputError, match="scale_range"):
        scale_scores(df, ["a", "c"], reverse=["c"])
    with pytest.raises(EvaluationInputError, match="outside"):
        scale_scores(df, ["a", "c"], scale_range=(1, 4))
    with pytest.raises(EvaluationInputError, match="'d'"):
        scale_scores(df, ["a", "d"])
