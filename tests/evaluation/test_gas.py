"""GAS T-scores: Kiresuk & Sherman (1968) / Turner-Stokes (2009) formula."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import EvaluationInputError, gas_summary, gas_tscore


def test_expected_level_is_fifty():
    # Kiresuk & Sherman (1968): every goal at the expected level (0) gives T = 50
    assert gas_tscore([0, 0, 0, 0]) == 50.0


@pytest.mark.parametrize(
    ("k", "expected"),
    # all goals at -1, equal weights, rho = 0.3: T = 50 - 10k / sqrt(0.7k + 0.3k^2)
    # (Turner-Stokes 2009 formula, hand-computed): 40.00, 37.60, 36.31, 35.49
    [(1, 40.00), (2, 37.60), (3, 36.31), (4, 35.49)],
)
def test_all_minus_one(k, expected):
    assert gas_tscore([-1] * k) == pytest.approx(expected, abs=0.005)


def test_single_goal_extremes():
    # one goal: T = 50 + 10x (denominator sqrt(0.7 + 0.3) = 1)
    assert gas_tscore([2]) == pytest.approx(70.0)
    assert gas_tscore([-2], weights=[5]) == pytest.approx(30.0)


def test_unequal_weights_hand_computed():
    # sum wx = 3 - 1 = 2; sum w^2 = 14; (sum w)^2 = 36; sqrt(0.7*14 + 0.3*36) = 4.5387
    assert gas_tscore([1, 0, -1], weights=[3, 2, 1]) == pytest.approx(54.4066, abs=1e-4)
    # rho = 0: T = 50 + 10 * 2 / sqrt(14) = 55.3452
    assert gas_tscore([1, 0, -1], [3, 2, 1], rho=0) == pytest.approx(55.3452, abs=1e-4)


def test_levels_outside_range_raise():
    with pytest.raises(EvaluationInputError, match=r"between -2 and 2; found 3"):
        gas_tscore([0, 3])
    with pytest.raises(EvaluationInputError, match="whole numbers"):
        gas_tscore([0.5])
    with pytest.raises(EvaluationInputError, match="weights"):
        gas_tscore([0, 1], weights=[1, -1])
    with pytest.raises(EvaluationInputError, match="empty"):
        gas_tscore([])


def goals() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pilot_id": ["P1", "P1", "P1", "P2", "P2"],
            "participant": ["a", "a", "b", "c", "c"],
            "weight": [2.0, 1.0, 1.0, 1.0, 3.0],
            "baseline": [-1, -2, -1, -1, -1],
            "follow_up": [1, 0, np.nan, 0, 2],
        }
    )


def test_summary_matches_tscore_per_group():
    res = gas_summary(goals(), ["pilot_id", "participant"]).set_index("participant")
    assert res.loc["a", "t_baseline"] == pytest.approx(gas_tscore([-1, -2], [2, 1]))
    assert res.loc["a", "t_follow_up"] == pytest.approx(gas_tscore([1, 0], [2, 1]))
    assert res.loc["c", "t_change"] == pytest.approx(
        gas_tscore([0, 2], [1, 3]) - gas_tscore([-1, -1], [1, 3])
    )
    assert res.loc["b", "n_missing"] == 1
    assert np.isnan(res.loc["b", "t_follow_up"])  # its only goal has no follow-up
    pilots = gas_summary(goals()).set_index("pilot_id")
    assert pilots.loc["P1", "n_goals"] == 3
    assert pilots.loc["P1", "t_follow_up"] == pytest.approx(gas_tscore([1, 0], [2, 1]))


def test_summary_errors():
    bad = goals()
    bad.loc[0, "follow_up"] = 4
    with pytest.raises(EvaluationInputError, match=r"'follow_up'.*found 4"):
        gas_summary(bad)
    with pytest.raises(EvaluationInputError, match=r"'pilot'.*Available columns"):
        gas_summary(goals(), "pilot")


def test_summary_counts_rated_and_pending_goals():
    # the T-scores use only goals rated at both times; the others are counted as pending
    res = gas_summary(goals()).set_index("pilot_id")
    assert res.loc["P1", "n_goals"] == 3
    assert res.loc["P1", "n_rated"] == 2
    assert res.loc["P1", "n_missing"] == 1
    assert res.loc["P1", "t_baseline"] == pytest.approx(gas_tscore([-1, -2], [2, 1]))
    none_rated = goals().assign(follow_up=np.nan)
    empty = gas_summary(none_rated).set_index("pilot_id")
    assert empty["n_rated"].tolist() == [0, 0]
    assert empty["t_follow_up"].isna().all()
    assert empty["t_baseline"].isna().all()  # no goal rated at both times: no T-score
