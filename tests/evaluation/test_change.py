"""Reliable Change Index: Jacobson & Truax (1991) formula, hand-computed worked example."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import (
    EvaluationInputError,
    reliable_change,
    reliable_change_summary,
)


def test_worked_example():
    # Hand computation with Jacobson & Truax (1991): SD_pre = 7.5, r_xx = 0.88
    # SE = 7.5 * sqrt(0.12) = 2.5981; S_diff = sqrt(2) * SE = 3.6742; RCI = -10 / 3.6742 = -2.7217
    res = reliable_change([30], [20], sd_pre=7.5, reliability=0.88)
    assert res["s_diff"].iloc[0] == pytest.approx(3.6742, abs=1e-4)
    assert res["rci"].iloc[0] == pytest.approx(-2.7217, abs=1e-4)
    assert res["category"].iloc[0] == "deteriorated"


def test_direction_and_threshold():
    s_diff = np.sqrt(2) * 10 * np.sqrt(1 - 0.8)  # 6.3246
    post = [50 + 1.97 * s_diff, 50 + 1.95 * s_diff, 50 - 2.5 * s_diff]
    res = reliable_change([50, 50, 50], post, 10, 0.8)
    assert list(res["category"]) == ["improved", "no_reliable_change", "deteriorated"]
    res = reliable_change([50, 50, 50], post, 10, 0.8, higher_is_better=False)
    assert list(res["category"]) == ["deteriorated", "no_reliable_change", "improved"]


def test_missing_and_index_and_estimated_sd():
    pre = pd.Series([10.0, 12.0, np.nan, 14.0], index=["a", "b", "c", "d"])
    res = reliable_change(pre, [11, 20, 5, 14], None, 0.9)
    assert list(res.index) == ["a", "b", "c", "d"]
    assert pd.isna(res.loc["c", "category"])
    assert res["s_diff"].iloc[0] == pytest.approx(np.sqrt(2) * 2.0 * np.sqrt(0.1))  # SD(10,12,14)=2


def test_summary_counts():
    res = reliable_change_summary(
        [30, 25, 20, 22, 10],
        [20, 24, 27, 31, np.nan],
        7.5,
        0.88,
        group=pd.Series(["A", "A", "B", "B", "B"], name="pilot"),
    )
    assert list(res.columns[:5]) == ["pilot", "n", "improved", "no_reliable_change", "deteriorated"]
    b = res.set_index("pilot").loc["B"]
    assert (b["n"], b["improved"], b["no_reliable_change"]) == (2, 1, 1)
    assert b["pct_improved"] == 50.0


def test_bad_input():
    with pytest.raises(EvaluationInputError, match="reliability"):
        reliable_change([1], [2], 1.0, 1.2)
    with pytest.raises(EvaluationInputError, match="same length"):
        reliable_change([1, 2], [2], 1.0, 0.8)
    with pytest.raises(EvaluationInputError, match="sd_pre"):
        reliable_change([1, 2], [2, 3], 0.0, 0.8)
