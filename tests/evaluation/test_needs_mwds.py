"""Needs priority is Borich's mean weighted discrepancy score (issue 14, item 7).

Formula: Borich (1980), Journal of Teacher Education 31(3):39-42, as spelled out by
McKim & Saucier (2011), Journal of Extension 49(2) 2TOT8, and Narine & Harder (2021),
Advancements in Agricultural Development 2(3):96-111:
    DS_i  = importance_i - competence_i        (per respondent, both rated)
    WDS_i = DS_i * mean importance of the item
    MWDS  = sum(WDS_i) / n
No published worked table with raw ratings could be found with the search tool, so the
numbers below are a hand computation from that formula (each step written out).
"""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import needs_priorities


def test_mwds_by_hand_with_a_missing_rating() -> None:
    needs = pd.DataFrame(
        {
            "participant": ["a", "b", "c", "d", "a", "b", "c"],
            "topic": ["ai_use"] * 4 + ["teamwork"] * 3,
            "importance": [5, 4, 3, 4, 4, 4, 4],
            "competence": [2, 3, 3, np.nan, 3, 4, 2],  # d rated importance only
        }
    )
    res = needs_priorities(needs, by=None, area=None).set_index("topic")
    # ai_use: mean importance over a, b, c, d = (5 + 4 + 3 + 4) / 4 = 4.0
    #         discrepancies of a, b, c (both rated): 3, 1, 0 -> mean 4/3
    #         WDS = 12, 4, 0 -> MWDS = 16 / 3 = 5.333...
    assert res.loc["ai_use", "importance"] == pytest.approx(4.0)
    assert res.loc["ai_use", "gap"] == pytest.approx(4 / 3)
    assert res.loc["ai_use", "priority"] == pytest.approx(16 / 3)
    # teamwork: importance 4, 4, 4 -> 4.0; discrepancies 1, 0, 2 -> mean 1; MWDS = 4.0
    assert res.loc["teamwork", "priority"] == pytest.approx(4.0)
    assert res.loc["ai_use", "rank"] == 1


def test_mwds_differs_from_mean_differences_when_a_competence_is_missing() -> None:
    needs = pd.DataFrame(
        {
            "participant": ["a", "b", "c"],
            "topic": ["ai_use"] * 3,
            "importance": [5, 3, 1],
            "competence": [np.nan, 3, 1],  # the one who finds it most important left competence out
        }
    )
    row = needs_priorities(needs, by=None, area=None).iloc[0]
    # mean importance (5 + 3 + 1) / 3 = 3; discrepancies of b, c: 0, 0 -> MWDS = 0
    assert row["importance"] == pytest.approx(3.0)
    assert row["gap"] == pytest.approx(0.0)
    assert row["priority"] == pytest.approx(0.0)
    # mean importance - mean competence would claim a gap of 3 - 2 = 1 nobody reported
    assert row["importance"] - row["competence"] == pytest.approx(1.0)


def test_equal_priorities_rank_by_the_larger_gap() -> None:
    # x: importance 4, gap 1 -> 4.0; y: importance 2, gap 2 -> 4.0; z: 5 x 0.5 = 2.5
    needs = pd.DataFrame(
        {
            "topic": ["x", "y", "z"],
            "importance": [4.0, 2.0, 5.0],
            "competence": [3.0, 0.0, 4.5],
        }
    )
    res = needs_priorities(needs, by=None, area=None).set_index("topic")
    assert res.loc["x", "priority"] == res.loc["y", "priority"] == 4.0
    assert res.loc["y", "rank"] == 1  # the larger gap first
    assert res.loc["x", "rank"] == 2
    assert res.loc["z", "rank"] == 3


def test_topics_equal_in_priority_and_gap_share_a_rank() -> None:
    needs = pd.DataFrame(
        {"topic": ["x", "y", "z"], "importance": [4.0, 4.0, 5.0], "competence": [3.0, 3.0, 1.0]}
    )
    res = needs_priorities(needs, by=None, area=None).set_index("topic")
    assert res["rank"].to_dict() == {"x": 2, "y": 2, "z": 1}


def test_the_issue_example_a_smaller_gap_on_a_more_important_topic_ranks_higher() -> None:
    # issue 14: "a gap of 0,93 ranks above 1,05" - 3.9 x 0.93 = 3.627 > 3.3 x 1.05 = 3.465
    needs = pd.DataFrame(
        {"topic": ["a", "b"], "importance": [3.9, 3.3], "competence": [2.97, 2.25]}
    )
    res = needs_priorities(needs, by=None, area=None).set_index("topic")
    assert res.loc["a", "gap"] == pytest.approx(0.93)
    assert res.loc["b", "gap"] == pytest.approx(1.05)
    assert res.loc["a", "priority"] == pytest.approx(3.627)
    assert res.loc["b", "priority"] == pytest.approx(3.465)
    assert res.loc["a", "rank"] == 1
