"""NPS (Reichheld 2003) and ROI (Phillips 1997)."""

import numpy as np
import pandas as pd
import pytest

from transferkit.evaluation import EvaluationInputError, nps, roi


def test_nps_definition():
    # Reichheld (2003): % promoters (9-10) minus % detractors (0-6)
    res = nps([10, 9, 9, 8, 7, 6, 3, 10, 10, 5, np.nan])
    assert res["n"] == 10
    assert res["promoters"] == pytest.approx(0.5)
    assert res["passives"] == pytest.approx(0.2)
    assert res["detractors"] == pytest.approx(0.3)
    assert res["nps"] == pytest.approx(20.0)
    assert nps([0, 6]).loc["nps"] == -100
    assert nps([9]).loc["nps"] == 100


def test_nps_errors():
    with pytest.raises(EvaluationInputError, match="found 11"):
        nps([11])
    with pytest.raises(EvaluationInputError, match="no values"):
        nps([np.nan])


def test_phillips_worked_example():
    # Phillips ROI: benefits 240,000, costs 80,000 -> BCR 3.0, ROI = 160,000/80,000 x 100 = 200 %
    res = roi(240_000, [50_000, 30_000])
    assert res["net_benefits"] == 160_000
    assert res["bcr"] == 3.0
    assert res["roi_percent"] == 200.0


def test_roi_per_pilot():
    costs = pd.DataFrame(
        {
            "pilot_id": ["P1", "P1", "P2"],
            "cost_item": ["a", "b", "a"],
            "amount_eur": [1000, 1000, 500],
        }
    )
    benefits = pd.DataFrame(
        {"pilot_id": ["P1", "P2"], "benefit_item": ["x", "x"], "amount_eur": [3000, 400]}
    )
    res = roi(benefits, costs, by="pilot_id").set_index("pilot_id")
    assert res.loc["P1", "roi_percent"] == 50.0
    assert res.loc["P2", "roi_percent"] == pytest.approx(-20.0)
    assert res.loc["P2", "bcr"] == pytest.approx(0.8)
    with pytest.raises(EvaluationInputError, match="'pilot'"):
        roi(benefits, costs, by="pilot")
    with pytest.raises(EvaluationInputError, match="negative"):
        roi(-1, 5)
    assert np.isinf(roi(10, 0)["bcr"])
