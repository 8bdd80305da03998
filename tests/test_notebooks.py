"""The four report notebooks, run once each on the demo network in one batch.

The key figures in each report's JSON must equal what the evaluation functions
return on the demo datasets (the tidy CSV files derived from the same responses).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from transferkit import evaluation as ev
from transferkit.cli.report import report as report_cli
from transferkit.datasets import import_demo, read_dataset
from transferkit.exceptions import ParameterError
from transferkit.reports import BatchResult, ReportJob, all_jobs, run_batch, run_report, write_index
from transferkit.store import Store

TRIVIAL = str(Path(__file__).parent / "notebooks" / "trivial.ipynb")
SCALES = {
    "digital": ["dig_1", "dig_2", "dig_3", "dig_4"],  # the templates' scale_group names
    "soft": ["soft_1", "soft_2", "soft_3", "soft_4"],
    "sustainability": ["sus_1", "sus_2", "sus_3"],
}


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'demo.db'}"
    import_demo(Store(url))
    return url


@pytest.fixture(scope="session")
def batch(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[BatchResult, Path]:
    out = tmp_path_factory.mktemp("reports")
    jobs = [
        ReportJob("pilot", {"db": demo_url, "pilot_id": "P01"}),
        ReportJob("network", {"db": demo_url, "company_id": "C03", "lang": "en"}),
        ReportJob(TRIVIAL, {"fail": True}, name="broken"),
        ReportJob("needs", {"db": demo_url, "company_id": "C03"}),
        ReportJob("protocol", {"db": demo_url, "pilot_id": "P01", "loop": 2}),
        ReportJob("pilot", {"db": demo_url, "pilot_id": "P01"}),  # would overwrite the first
    ]
    return run_batch(jobs, out, workers=2, progress=False), out


def key_figures(out: Path, name: str) -> dict[str, Any]:
    return json.loads((out / f"{name}.json").read_text(encoding="utf-8"))["key_figures"]


# ------------------------------------------------------------------ the batch
def test_batch_goes_on_past_a_broken_report_and_names_it(batch: tuple[BatchResult, Path]) -> None:
    result, out = batch
    assert [r.ok for r in result.results] == [True, True, False, True, True, False]
    for name in ("pilot_P01", "network_C03_en", "needs_C03", "protocol_P01_loop2"):
        assert (out / f"{name}.html").is_file()
        assert (out / f"{name}.json").is_file()
    summary = result.summary()
    assert "4 of 6 reports made" in summary
    assert "broken" in summary
    assert "cell In [" in summary
    assert "RuntimeError: broken on purpose" in summary
    assert "both write pilot_P01.html" in summary


@pytest.mark.parametrize("name", ["pilot_P01", "network_C03_en", "needs_C03", "protocol_P01_loop2"])
def test_html_has_no_code_but_summary_and_captioned_figures(
    batch: tuple[BatchResult, Path], name: str
) -> None:
    page = (batch[1] / f"{name}.html").read_text(encoding="utf-8")
    assert 'class="jp-InputArea' not in page
    assert 'class="jp-InputPrompt' not in page
    for source in (
        "from transferkit",
        "reports.content",
        "show_section",
        "open_store",
        "pilot_id: str",
    ):
        assert source not in page
    assert "Traceback" not in page
    assert "Warning" not in page
    if name != "protocol_P01_loop2":
        figures = re.findall(r'<img [^>]*src="data:image/png;base64,', page)
        captions = re.findall(r'class="tk-caption"', page)
        assert figures
        assert len(figures) == len(captions)


def test_reports_are_german_by_default_and_english_on_request(
    batch: tuple[BatchResult, Path],
) -> None:
    pilot = (batch[1] / "pilot_P01.html").read_text(encoding="utf-8")
    network = (batch[1] / "network_C03_en.html").read_text(encoding="utf-8")
    assert "An diesem Pilotprojekt haben 12 Personen teilgenommen." in pilot
    assert "Zielerreichung" in pilot
    assert "scientifically accompanied pilot projects" in network


# ------------------------------------------------------------- key figures
def _scale_scores(data: pd.DataFrame) -> pd.DataFrame:
    scores = ev.scale_scores(data, SCALES, reverse=["soft_3"], scale_range=(1, 5))
    wide = data[["participant", "pilot_id", "company_id", "time"]].join(scores)
    return wide.melt(
        id_vars=["participant", "pilot_id", "company_id", "time"],
        value_vars=list(SCALES),
        var_name="scale",
        value_name="score",
    )


def test_pilot_key_figures_equal_the_evaluation_functions(batch: tuple[BatchResult, Path]) -> None:
    kf = key_figures(batch[1], "pilot_P01")
    long = _scale_scores(read_dataset("self_assessment").query("pilot_id == 'P01'"))
    expected = ev.prepost(
        long,
        "pre",
        "post",
        subject="participant",
        group="scale",
        within="time",
        dv="score",
        overall=False,
    ).set_index("scale")
    for scale in SCALES:
        for column in ("n", "mean_pre", "mean_post", "mean_diff", "d_av", "p_t"):
            assert kf["effects"][scale][column] == pytest.approx(expected.loc[scale, column])
    gas = ev.gas_summary(read_dataset("gas_goals").query("pilot_id == 'P01'")).iloc[0]
    for column in ("t_baseline", "t_follow_up", "t_change"):
        assert kf["gas"][column] == pytest.approx(gas[column])
    money = ev.roi(read_dataset("benefits"), read_dataset("costs"), by="pilot_id")
    money = money[money["pilot_id"] == "P01"].iloc[0]
    assert kf["roi"]["roi_percent"] == pytest.approx(money["roi_percent"])
    assert kf["roi"]["costs"] == pytest.approx(money["costs"])
    ratings = read_dataset("loop_ratings").query("pilot_id == 'P01'")
    trends = ev.loop_trends(ratings, "loop_satisfaction")
    assert list(kf["loop_satisfaction"].values()) == pytest.approx(list(trends["mean"]))
    feedback = read_dataset("training_feedback").query("pilot_id == 'P01'")
    assert kf["nps"] == pytest.approx(ev.nps(feedback["recommend"])["nps"])
    levels = ev.kirkpatrick(read_dataset("indicators").query("pilot_id == 'P01'"))
    assert list(kf["kirkpatrick"].values()) == pytest.approx(list(levels["value"]))
    items = read_dataset("action_items").query("pilot_id == 'P01'")
    assert kf["action_items"]["total"] == len(items)
    assert kf["action_items"]["done"] == int((items["status"] == "done").sum())
    assert kf["n_participants"] == int((read_dataset("participants")["pilot_id"] == "P01").sum())


def test_network_key_figures_equal_the_evaluation_functions(
    batch: tuple[BatchResult, Path],
) -> None:
    kf = key_figures(batch[1], "network_C03_en")
    gas = ev.gas_summary(read_dataset("gas_goals"))
    for _, row in gas.iterrows():
        assert kf["gas"][row["pilot_id"]]["t_follow_up"] == pytest.approx(row["t_follow_up"])
    long = _scale_scores(read_dataset("self_assessment"))
    dig = ev.prepost(
        long[long["scale"] == "digital"],
        "pre",
        "post",
        subject="participant",
        group="pilot_id",
        within="time",
        dv="score",
        overall=False,
    )
    for _, row in dig.iterrows():
        assert kf["effects"][row["pilot_id"]]["digital"]["mean_diff"] == pytest.approx(
            row["mean_diff"]
        )
    assert kf["n_participants"] == len(read_dataset("participants"))


def test_network_benchmark_is_anonymous(batch: tuple[BatchResult, Path]) -> None:
    kf = key_figures(batch[1], "network_C03_en")
    page = (batch[1] / "network_C03_en.html").read_text(encoding="utf-8")
    companies = read_dataset("companies")
    others = companies[companies["company_id"] != "C03"]
    for name in others["name"]:
        assert name not in page  # no other company is named anywhere in the report
    assert "Lauchert Metallbau KG" in page
    metrics = kf["benchmark"]["metrics"]
    # the company's own change equals the mean change of its participants
    long = _scale_scores(read_dataset("self_assessment"))
    wide = (
        long[long["scale"] == "digital"]
        .pivot_table(index=["participant", "company_id"], columns="time", values="score")
        .reset_index()
    )
    change = wide["post"] - wide["pre"]
    assert metrics["change_digital"]["company"] == pytest.approx(
        change[wide["company_id"] == "C03"].mean()
    )
    assert metrics["change_digital"]["peers"] == pytest.approx(
        change[wide["company_id"] != "C03"].mean()
    )
    # groups of fewer than three companies are hidden, and one more so that the micro
    # companies are not the total minus the others (60 - 37 - 15 = 8, issue 14)
    assert kf["participation"]["size_class:micro"] == "–"
    sizes = {k: v for k, v in kf["participation"].items() if k.startswith("size_class:")}
    assert list(sizes.values()).count("–") >= 2


def test_network_report_pools_the_pilots_and_reads_their_differences(
    batch: tuple[BatchResult, Path],
) -> None:
    kf = key_figures(batch[1], "network_C03_en")
    page = (batch[1] / "network_C03_en.html").read_text(encoding="utf-8")
    long = _scale_scores(read_dataset("self_assessment"))
    for scale in SCALES:
        pairs = long[long["scale"] == scale].pivot_table(
            index=["pilot_id", "participant"], columns="time", values="score"
        )
        diff = (pairs["post"] - pairs["pre"]).dropna().groupby(level="pilot_id")
        per_pilot = pd.DataFrame({"yi": diff.mean(), "vi": diff.var(ddof=1) / diff.count()})
        expected = ev.meta_analysis(per_pilot, "yi", "vi").iloc[0]
        pooled = kf["pooled"][scale]
        assert pooled["k"] == 6
        assert pooled["estimate"] == pytest.approx(expected["estimate"])
        assert pooled["tau2"] == pytest.approx(expected["tau2"])
        assert pooled["i2"] == pytest.approx(expected["i2"])
    assert "diamond: estimate and 95% confidence interval" in page  # the figure caption
    assert "95% prediction interval" in page
    assert page.count("I² = ") == 3


def test_needs_key_figures_equal_the_evaluation_functions(batch: tuple[BatchResult, Path]) -> None:
    kf = key_figures(batch[1], "needs_C03")
    prio = ev.needs_priorities(read_dataset("needs"), by="company_id")
    prio = prio[prio["company_id"] == "C03"].sort_values("rank")
    assert [p["topic"] for p in kf["priorities"]] == list(prio["topic"])
    assert [p["priority"] for p in kf["priorities"]] == pytest.approx(list(prio["priority"]))
    plan = read_dataset("format_plan").query("company_id == 'C03'")
    cost = ev.format_cost(plan, 48, by="format")
    assert kf["format_cost_eur"] == pytest.approx(cost["cost_eur"].sum())


def test_protocol_key_figures_match_the_loop_data(batch: tuple[BatchResult, Path]) -> None:
    kf = key_figures(batch[1], "protocol_P01_loop2")
    ratings = read_dataset("loop_ratings").query("pilot_id == 'P01' and loop == 2")
    assert kf["phases"]["optimierung"]["mean_rating"] == pytest.approx(
        ratings["loop_satisfaction"].mean()
    )
    items = read_dataset("action_items").query("pilot_id == 'P01'")
    assert kf["decisions"] == int((items["loop_raised"] == 2).sum())
    page = (batch[1] / "protocol_P01_loop2.html").read_text(encoding="utf-8")
    for code in read_dataset("participants")["participant"]:
        assert code not in page  # no participant codes in a protocol handed out


# ------------------------------------------------------------- index and CLI
def test_index_links_every_report_and_lists_failures(batch: tuple[BatchResult, Path]) -> None:
    result, out = batch
    index = write_index(result.results, out, "de")
    page = index.read_text(encoding="utf-8")
    for name in (
        "pilot_P01.html",
        "network_C03_en.html",
        "needs_C03.html",
        "protocol_P01_loop2.html",
    ):
        assert f'href="{name}"' in page
    assert "Nicht erstellt" in page
    assert "broken on purpose" in page


def test_all_jobs_cover_every_pilot_the_network_and_needs(demo_url: str) -> None:
    jobs = all_jobs(Store(demo_url), "de", demo_url)
    kinds = [(j.kind, j.params.get("pilot_id") or j.params.get("company_id")) for j in jobs]
    assert kinds[:6] == [("pilot", f"P0{k}") for k in range(1, 7)]
    assert ("network", None) in kinds
    assert ("needs", "") in kinds
    assert ("needs", "C03") in kinds


def test_a_pilot_not_in_the_store_fails_before_a_kernel_starts(
    demo_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import papermill

    def no_kernel(*args: object, **kwargs: object) -> None:
        raise AssertionError("no kernel may start")

    monkeypatch.setattr(papermill, "execute_notebook", no_kernel)
    with pytest.raises(ParameterError) as info:
        run_report("pilot", {"db": demo_url, "pilot_id": "P99"}, tmp_path)
    assert str(info.value) == (
        "Invalid parameters for the pilot report (1 problem(s)):\n"
        "  - pilot 'P99' is not in the store; valid: P01, P02, P03, P04, P05, P06"
    )
    result = CliRunner().invoke(
        report_cli, ["needs", "--company", "C99", "--db", demo_url, "--out", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert (
        "company 'C99' is not in the store (did you mean 'C09'?); valid: C01, C02" in result.output
    )
    result = CliRunner().invoke(report_cli, ["protocol", "P01", "--loop", "7", "--db", demo_url])
    assert result.exit_code == 1
    assert "pilot P01 has no loop 7; valid loops: 1, 2, 3" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "heading"),
    [
        ("pilot_P01", "Methoden"),
        ("network_C03_en", "Methods"),
        ("needs_C03", "Methoden"),
        ("protocol_P01_loop2", "Methoden"),
    ],
)
def test_every_report_ends_with_methods_and_a_footer(
    batch: tuple[BatchResult, Path], name: str, heading: str
) -> None:
    page = (batch[1] / f"{name}.html").read_text(encoding="utf-8")
    assert f">{heading}<" in page
    assert 'class="tk-footer"' in page
    assert "transferkit" in page.split('class="tk-footer"', 1)[1]
