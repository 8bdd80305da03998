"""The demo network: loader, catalogue and the invariants the demo data promises."""

from __future__ import annotations

import dataclasses
import re

import krippendorff
import numpy as np
import pandas as pd
import pytest

from transferkit.datasets import (
    CATALOGUE,
    DemoNetwork,
    dataset_names,
    list_datasets,
    load_demo,
    read_dataset,
    read_responses,
)
from transferkit.datasets.generate import TOPICS
from transferkit.exceptions import DatasetError
from transferkit.privacy import is_valid_code, looks_like_name

DIG = ["dig_1", "dig_2", "dig_3", "dig_4"]
SOFT = ["soft_1", "soft_2", "soft_3", "soft_4"]
SUS = ["sus_1", "sus_2", "sus_3"]


@pytest.fixture(scope="module")
def demo() -> DemoNetwork:
    return load_demo()


def scored(sa: pd.DataFrame) -> pd.DataFrame:
    """Self-assessment with soft_3 recoded and scale means."""
    out = sa.assign(soft_3=6 - sa["soft_3"])
    return out.assign(
        dig=out[DIG].mean(axis=1), soft=out[SOFT].mean(axis=1), sus=out[SUS].mean(axis=1)
    )


def change(sa: pd.DataFrame, scale: str) -> pd.Series:
    """Mean post - pre of a scale per pilot (complete pairs only)."""
    wide = scored(sa).pivot(index=["pilot_id", "participant"], columns="time", values=scale)
    diff = (wide["post"] - wide["pre"]).dropna()
    return diff.groupby(level="pilot_id").mean()


def cronbach_alpha(items: pd.DataFrame) -> float:
    # alpha = k/(k-1) * (1 - sum(item variances) / variance(total)), Cronbach (1951)
    items = items.dropna()
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))


# ------------------------------------------------------------------ loader


def test_load_demo_has_every_dataset(demo: DemoNetwork) -> None:
    tables = demo.tables()
    assert set(tables) | {"responses"} == set(CATALOGUE)
    for name, df in tables.items():
        assert list(df.columns) == [c.name for c in CATALOGUE[name].columns], name
        assert len(df) > 0, name
    assert isinstance(demo.responses, list)
    assert "DemoNetwork(" in repr(demo)


def test_demo_network_is_frozen(demo: DemoNetwork) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo.companies = pd.DataFrame()  # type: ignore[misc]


def test_load_demo_returns_fresh_frames() -> None:
    first = load_demo()
    first.companies.loc[0, "name"] = "changed"
    assert load_demo().companies.loc[0, "name"] != "changed"


def test_list_datasets_matches_files() -> None:
    catalogue = list_datasets()
    assert list(catalogue.columns) == ["name", "description", "rows", "columns"]
    assert catalogue["name"].tolist() == dataset_names()
    for row in catalogue.itertuples(index=False):
        assert read_dataset(row.name).shape == (row.rows, row.columns)


def test_read_dataset_unknown_name_lists_valid_names() -> None:
    with pytest.raises(DatasetError, match="Unknown demo dataset 'needz'") as info:
        read_dataset("needz")
    for name in ("companies", "self_assessment", "format_plan", "responses"):
        assert name in str(info.value)


def test_read_dataset_types() -> None:
    sa = read_dataset("self_assessment")
    assert sa["dig_1"].dtype == np.float64
    assert pd.api.types.is_string_dtype(sa["participant"])
    pilots = read_dataset("pilots")
    assert pd.api.types.is_datetime64_any_dtype(pilots["start"])
    assert read_dataset("companies")["employees"].dtype == np.int64
    responses = read_dataset("responses")
    assert isinstance(responses.loc[0, "answers"], dict)
    assert len(responses) == len(read_responses())


# ------------------------------------------------------------------ structure


def test_companies(demo: DemoNetwork) -> None:
    c = demo.companies
    assert len(c) == 12
    assert c["company_id"].is_unique
    expected = np.select([c["employees"] < 10, c["employees"] < 50], ["micro", "small"], "medium")
    assert (c["size_class"] == expected).all()
    assert (c["employees"] < 250).all()
    assert set(c["size_class"]) == {"micro", "small", "medium"}
    assert set(c["sector"]) == {"metal_electrical", "textile"}
    roles = c["roles"].str.split(";").explode()
    assert set(roles) == {"organiser", "financier", "sender", "best_practice"}
    assert (c["roles"].str.split(";").str.len() > 1).any()  # several roles per company


def test_pilots(demo: DemoNetwork) -> None:
    p = demo.pilots
    assert p["pilot_id"].tolist() == ["P01", "P02", "P03", "P04", "P05", "P06"]
    companies = set(demo.companies["company_id"])
    for ids in p["companies"].str.split(";"):
        assert 1 <= len(ids) <= 3
        assert set(ids) <= companies
    assert (p["start"] < p["end"]).all()
    assert p["start"].dt.year.isin([2025, 2026]).all()
    assert p["end"].dt.year.isin([2025, 2026]).all()
    assert (p["loops"] == 3).all()


def test_participants_are_pseudonymous(demo: DemoNetwork) -> None:
    part = demo.participants
    assert 50 <= len(part) <= 70
    assert part["participant"].is_unique
    assert part["participant"].map(is_valid_code).all()
    assert not part["participant"].map(looks_like_name).any()
    assert part["participant"].str.fullmatch(r"[A-Z0-9]{6}").all()
    pilot_companies = dict(zip(demo.pilots["pilot_id"], demo.pilots["companies"], strict=True))
    for row in part.itertuples(index=False):
        assert row.company_id in pilot_companies[row.pilot_id].split(";")
    assert part.groupby("pilot_id").size().min() >= 8


def test_no_names_in_any_text(demo: DemoNetwork) -> None:
    codes = set(demo.participants["participant"])
    assert not demo.action_items["owner"].map(looks_like_name).any()
    for record in demo.responses:
        assert record["participant"] in codes
        for action in record["answers"].get("actions", []):
            assert not looks_like_name(action["who"])
    assert "@" not in (pd.Series(demo.responses).astype(str).str.cat())


def test_every_participant_appears_in_the_data(demo: DemoNetwork) -> None:
    codes = set(demo.participants["participant"])
    assert set(demo.self_assessment["participant"]) == codes
    assert set(demo.needs["participant"]) == codes
    assert set(demo.format_plan["participant"]) == codes
    assert set(demo.loop_ratings["participant"]) <= codes


# ------------------------------------------------------------------ self-assessment


def test_self_assessment_values_and_missing(demo: DemoNetwork) -> None:
    sa = demo.self_assessment
    items = sa[DIG + SOFT + SUS]
    assert items.stack().dropna().between(1, 5).all()
    assert set(sa["time"]) == {"pre", "post"}
    counts = sa["time"].value_counts()
    assert counts["pre"] == len(demo.participants)
    assert 2 <= counts["pre"] - counts["post"] <= 6  # some dropped out before post
    assert not sa.duplicated(["participant", "time"]).any()


def test_effects_are_built_in(demo: DemoNetwork) -> None:
    sa = demo.self_assessment
    dig, soft, sus = change(sa, "dig"), change(sa, "soft"), change(sa, "sus")
    assert dig["P01"] > 0.3  # digital tool
    assert dig["P05"] > 0.3  # AI assistant
    assert soft["P02"] > 0.3  # agile methods
    assert sus["P04"] > 0.3  # sustainable product
    assert abs(soft["P04"]) < 0.15  # no change in soft skills
    assert abs(dig["P04"]) < 0.15
    pre_sd = scored(sa).query("time == 'pre'")["dig"].std()
    assert 0.5 < dig["P01"] / pre_sd < 1.1


@pytest.mark.parametrize("items", [DIG, SOFT, SUS], ids=["dig", "soft", "sus"])
def test_scales_are_reliable(demo: DemoNetwork, items: list[str]) -> None:
    sa = demo.self_assessment.assign(soft_3=6 - demo.self_assessment["soft_3"])
    for time in ("pre", "post"):
        alpha = cronbach_alpha(sa.loc[sa["time"] == time, items])
        assert 0.7 <= alpha <= 0.95, (time, alpha)


def test_soft_3_is_reverse_keyed(demo: DemoNetwork) -> None:
    pre = demo.self_assessment.query("time == 'pre'")
    assert pre["soft_3"].corr(pre["soft_1"]) < 0
    assert pre["soft_2"].corr(pre["soft_1"]) > 0


# ------------------------------------------------------------------ GAS, feedback, needs


def test_gas_goals(demo: DemoNetwork) -> None:
    g = demo.gas_goals
    sizes = g.groupby("pilot_id").size()
    assert set(sizes.index) == set(demo.pilots["pilot_id"])
    assert sizes.between(2, 4).all()
    assert g["weight"].between(1, 3).all()
    assert g["baseline"].isin([-2, -1]).mean() >= 0.8
    assert g["follow_up"].dropna().between(-2, 2).all()
    assert g["follow_up"].isna().sum() >= 1
    assert g["follow_up"].nunique() >= 4  # spread over the levels
    assert g["goal_id"].is_unique


def test_training_feedback_and_nps(demo: DemoNetwork) -> None:
    tf = demo.training_feedback
    items = [c for c in tf.columns if re.fullmatch(r"(reaction|learning|behaviour)_\d", c)]
    assert len(items) == 7
    assert tf[items].stack().dropna().between(1, 5).all()
    assert tf["recommend"].between(0, 10).all()
    promoters = (tf["recommend"] >= 9).mean()
    detractors = (tf["recommend"] <= 6).mean()
    passives = 1 - promoters - detractors
    assert min(promoters, detractors, passives) >= 0.08
    assert len(tf) < len(demo.participants)  # not everyone returned the sheet
    assert set(tf["format"]) <= {
        "micro_learning", "e_learning", "blended", "workshop", "wissensrunde", "peer_case",
        "tandem",
    }  # fmt: skip


def test_needs(demo: DemoNetwork) -> None:
    needs = demo.needs
    assert (needs.groupby("participant").size() == len(TOPICS)).all()
    assert (needs["area"] == needs["topic"].map(TOPICS)).all()
    assert needs[["importance", "competence"]].stack().dropna().between(1, 5).all()
    gap = (needs["importance"] - needs["competence"]).groupby(needs["topic"]).mean()
    assert gap.idxmax() == "ai_use"
    profile = demo.needs_profile
    assert profile["minutes_per_week"].between(15, 180).all()
    assert profile["discussed_with"].isna().any()


def test_format_plan_time_costs(demo: DemoNetwork) -> None:
    plan = demo.format_plan
    limits = {
        "micro_learning": (3, 10),
        "e_learning": (15, 120),
        "workshop": (120, 240),
        "blended": (45, 180),
        "wissensrunde": (30, 60),
        "peer_case": (45, 90),
        "tandem": (30, 90),
    }
    for fmt, (lo, hi) in limits.items():
        minutes = plan.loc[plan["format"] == fmt, "minutes_per_session"]
        assert minutes.between(lo, hi).all(), fmt
    assert (plan["sessions"] >= 1).all()
    assert plan["format"].nunique() >= 6


# ------------------------------------------------------------------ loops and actions


def test_loop_ratings_trends(demo: DemoNetwork) -> None:
    lr = demo.loop_ratings
    ratings = ["info_useful", "app_success", "exchange_quality", "loop_satisfaction"]
    assert lr[ratings].stack().dropna().between(1, 5).all()
    assert set(lr["loop"]) == {1, 2, 3}
    assert lr[ratings].isna().any().any()  # phases not submitted
    mean = lr.assign(score=lr[ratings].mean(axis=1)).groupby(["pilot_id", "loop"])["score"].mean()
    trend = mean.xs(3, level="loop") - mean.xs(1, level="loop")
    assert (trend > 0.2).sum() >= 4
    assert trend["P02"] < 0


def test_action_item_statuses_are_consistent(demo: DemoNetwork) -> None:
    ai = demo.action_items
    assert ai["item_id"].is_unique
    assert set(ai["status"]) == {"open", "done", "carried_over", "dropped"}
    closed = ai[ai["status"].isin(["done", "dropped"])]
    assert (closed["loop_closed"] > closed["loop_raised"]).all()
    assert (closed["loop_closed"] <= 3).all()
    unfinished = ai[ai["status"].isin(["open", "carried_over"])]
    assert unfinished["loop_closed"].isna().all()
    assert (ai.loc[ai["status"] == "open", "loop_raised"] == 3).all()
    assert (ai.loc[ai["status"] == "carried_over", "loop_raised"] < 3).all()
    assert (ai["status"] == "open").sum() >= 2
    assert set(ai.loc[ai["loop_raised"] == 1, "pilot_id"]) == set(demo.pilots["pilot_id"])


# ------------------------------------------------------------------ money, indicators, coding


def test_roi_mix(demo: DemoNetwork) -> None:
    costs = demo.costs.groupby("pilot_id")["amount_eur"].sum()
    benefits = demo.benefits.groupby("pilot_id")["amount_eur"].sum()
    roi = (benefits - costs) / costs
    assert roi["P05"] < 0
    assert (roi.drop("P05") > 0).all()
    assert (demo.costs["amount_eur"] > 0).all()


def test_indicators_cover_all_levels(demo: DemoNetwork) -> None:
    ind = demo.indicators
    for _, levels in ind.groupby("pilot_id")["level"]:
        assert sorted(levels) == [1, 2, 3, 4]
    l1 = ind.query("level == 1").set_index("pilot_id")["value"]
    tf = demo.training_feedback
    expected = tf[["reaction_1", "reaction_2", "reaction_3"]].mean(axis=1).groupby(tf["pilot_id"])
    assert np.allclose(l1.sort_index(), expected.mean().sort_index().round(2))


def test_coding_agreement(demo: DemoNetwork) -> None:
    coding = demo.coding
    assert len(coding) == 120
    assert coding["unit"].nunique() == 40
    assert coding["coder"].nunique() == 3
    assert coding["category"].isna().any()
    wide = coding.pivot(index="coder", columns="unit", values="category")
    codes = {c: i for i, c in enumerate(sorted(coding["category"].dropna().unique()))}
    data = wide.apply(lambda col: col.map(codes)).to_numpy(dtype=float)
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    assert 0.6 <= alpha <= 0.9
