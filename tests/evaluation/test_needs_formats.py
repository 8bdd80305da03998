"""needs_priorities (hand-computed) and format_cost."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import EvaluationInputError, format_cost, needs_priorities


def needs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "company_id": ["C1", "C1", "C1", "C1", "C2", "C2"],
            "topic": ["ai_use", "ai_use", "teamwork", "teamwork", "ai_use", "teamwork"],
            "area": ["digital", "digital", "soft", "soft", "digital", "soft"],
            "importance": [5, 4, 2, 2, 3, 4],
            "competence": [2, 1, 4, 5, 3, 2],
        }
    )


def test_needs_priorities_hand_computed():
    res = needs_priorities(needs())
    c1 = res[(res["scope"] == "company") & (res["company_id"] == "C1")].set_index("topic")
    assert c1.loc["ai_use", "gap"] == 3.0  # 4.5 - 1.5
    assert c1.loc["ai_use", "priority"] == 13.5  # 4.5 * 3
    assert c1.loc["ai_use", "quadrant"] == "develop"
    assert c1.loc["teamwork", "quadrant"] == "reduce"
    assert c1.loc["ai_use", "rank"] == 1
    net = res[res["scope"] == "network"].set_index("topic")
    assert net.loc["ai_use", "importance"] == 4.0  # (5 + 4 + 3) / 3
    assert net.loc["ai_use", "competence"] == 2.0
    assert net.loc["teamwork", "n"] == 3
    assert net["company_id"].isna().all()
    assert set(net["area"]) == {"digital", "soft"}


def test_needs_errors():
    with pytest.raises(EvaluationInputError, match="'importance' must be numeric"):
        needs_priorities(needs().astype({"importance": str}))
    with pytest.raises(EvaluationInputError, match="'firm'"):
        needs_priorities(needs(), by="firm")


def test_format_cost():
    plan = pd.DataFrame(
        {
            "company_id": ["C1", "C1", "C2"],
            "participant": ["a", "a", "b"],
            "format": ["micro_learning", "workshop", "workshop"],
            "sessions": [12, 2, 1],
            "minutes_per_session": [5, 180, 240],
        }
    )
    res = format_cost(plan, {"C1": 40.0, "C2": 60.0})
    assert list(res.columns[:3]) == ["company_id", "participant", "format"]
    row = res.set_index("format").loc["micro_learning"]
    assert row["minutes"] == 60
    assert row["hours"] == 1.0
    assert row["cost_eur"] == 40.0
    per_format = format_cost(plan, 50.0, by="format").set_index("format")
    assert per_format.loc["workshop", "minutes"] == 600
    assert per_format.loc["workshop", "cost_eur"] == pytest.approx(500.0)
    assert per_format.loc["workshop", "minutes_per_session"] == 200
    with pytest.raises(EvaluationInputError, match="no rate for company_id C2"):
        format_cost(plan, {"C1": 40.0})
    with pytest.raises(EvaluationInputError, match="'sessions' must be numeric"):
        format_cost(plan.astype({"sessions": str}), 40.0)
    assert np.isnan(
        format_cost(plan.assign(sessions=0), 1.0, by="format")["minutes_per_session"]
    ).all()
