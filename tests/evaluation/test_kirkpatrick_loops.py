"""kirkpatrick, loop_trends (numpy.polyfit), action_item_flow (hand-counted)."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import (
    EvaluationInputError,
    action_item_flow,
    kirkpatrick,
    loop_trends,
)


def test_kirkpatrick_levels():
    ind = pd.DataFrame(
        {
            "pilot_id": ["P1", "P1", "P1", "P2"],
            "level": [1, 2, 2, 4],
            "indicator": ["satisfaction", "test_score", "quiz", "time_saved"],
            "value": [4.0, 78.0, 60.0, -38.0],
            "unit": ["likert_1_5", "percent", "percent", "percent"],
        }
    )
    res = kirkpatrick(ind)
    assert len(res) == 8
    p1 = res[res["pilot_id"] == "P1"].set_index("level")
    assert p1.loc[2, "value"] == 69.0
    assert p1.loc[2, "indicators"] == "test_score; quiz"
    assert not p1.loc[3, "covered"]
    assert list(p1["level_name"]) == ["reaction", "learning", "behaviour", "results"]
    mixed = ind.assign(unit=["a", "b", "c", "d"])
    assert kirkpatrick(mixed).loc[1, "unit"] == "mixed"
    with pytest.raises(EvaluationInputError, match="levels 1-4; found 5"):
        kirkpatrick(ind.assign(level=[1, 2, 5, 4]))


def test_loop_trends_against_polyfit():
    rng = np.random.default_rng(2)
    rows = [
        (p, loop, int(rng.integers(1, 6)))
        for p in ("P1", "P2")
        for loop in (1, 2, 3, 4)
        for _ in range(5)
    ]
    df = pd.DataFrame(rows, columns=["pilot_id", "loop", "sat"])
    res = loop_trends(df, ["sat"])
    for p, part in res.groupby("pilot_id"):
        means = df[df["pilot_id"] == p].groupby("loop")["sat"].mean()
        assert part["mean"].tolist() == pytest.approx(means.tolist())
        assert part["slope"].iloc[0] == pytest.approx(np.polyfit(means.index, means, 1)[0])
        assert part["change"].iloc[1:].tolist() == pytest.approx(means.diff().iloc[1:].tolist())
    single = loop_trends(df[df["loop"] == 1], "sat")
    assert single["slope"].isna().all()


def test_action_item_flow_hand_counted():
    items = pd.DataFrame(
        {
            "pilot_id": ["P1"] * 5 + ["P2"],
            "loop_raised": [1, 1, 1, 2, 3, 1],
            "status": ["done", "dropped", "carried_over", "done", "open", "open"],
            "loop_closed": pd.array([1, 2, None, 3, None, None], dtype="Int64"),
        }
    )
    res = action_item_flow(items).set_index(["pilot_id", "loop"])
    # loop 1: 3 opened, 1 done, 2 carried over; rate 1/3
    assert res.loc[("P1", 1)].tolist()[:5] == [0, 3, 1, 0, 2]
    assert res.loc[("P1", 1), "completion_rate"] == pytest.approx(1 / 3)
    # loop 2: 2 carried in, 1 opened, 1 dropped, 2 carried over; nothing done
    assert res.loc[("P1", 2)].tolist()[:5] == [2, 1, 0, 1, 2]
    # loop 3: 2 in, 1 opened, 1 done, 2 still open
    assert res.loc[("P1", 3)].tolist()[:5] == [2, 1, 1, 0, 2]
    assert res.loc[("P2", 1), "carried_over"] == 1
    with pytest.raises(EvaluationInputError, match="unknown values"):
        action_item_flow(items.assign(status="finished"))
