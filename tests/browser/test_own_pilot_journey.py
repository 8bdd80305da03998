"""End-to-end: a researcher's own pilot from a set-up file to the reports (issue 12, Tests).

No Python on the researcher's side: the pilot comes from one CSV a researcher fills in
(``transferkit setup import``); participants use the web sheet in headless Chromium: one
picks their company and sends the needs analysis (the company's needs report counts it),
one sets GAS goals and, later, with the same code, rates them (the pilot report shows
T-scores from both ratings and no pending goals); paper sheets typed into a CSV
(``transferkit db import responses``) appear in the pilot report.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sheet_driver import begin, fill

from transferkit.cli import main
from transferkit.reports import content as rd
from transferkit.reports import run_report
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import load_template

pytestmark = [pytest.mark.browser]

SETUP = (
    "record;network_id;name;company_id;employees;pilot_id;title_de;companies;start;loops;"
    "hourly_rate;participant\n"
    "network;N7;Transfernetz Nord;;;;;;;;;\n"
    "company;N7;Tischlerei Berg;C71;8;;;;;;;\n"
    "company;N7;Druckerei Alt;C72;30;;;;;;;\n"
    "pilot;N7;;;;P71;Agile Werkstatt;C71;C72;01.03.2026;3;48;\n"
)


class Pilot:
    def __init__(self, url: str, server: BackgroundServer) -> None:
        self.url = url
        self.server = server

    def link(self, query: str) -> str:
        return self.server.url(f"sheet?{query}")

    def cli(self, *args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--db", self.url])
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pilot]:
    tmp = tmp_path_factory.mktemp("own-pilot")
    url = f"sqlite:///{tmp / 'store.db'}"
    setup = tmp / "setup.csv"
    # two companies in one cell of a ';' file: the companies column takes ',' here
    setup.write_text(SETUP.replace("C71;C72;01.03", "C71,C72;01.03"), encoding="utf-8")
    result = CliRunner().invoke(main, ["setup", "import", str(setup), "--db", url])
    assert result.exit_code == 0, result.output
    with BackgroundServer(make_app(url, token="")) as server:
        yield Pilot(url, server)


def test_the_set_up_file_made_the_pilot(pilot: Pilot) -> None:
    with Store(pilot.url) as store:
        row = store.pilots().set_index("pilot_id").loc["P71"]
        assert set(str(row["companies"]).split(";")) == {"C71", "C72"}
        assert row["loops"] == 3


def test_a_web_needs_analysis_counts_in_the_chosen_companys_report(
    pilot: Pilot, new_page: Any
) -> None:
    def respondents() -> int:
        with Store(pilot.url) as store:
            return int(rd.needs_report(store, "C72", "de").key_figures["n_respondents"])

    before = respondents()
    template = load_template("needs_analysis")
    answers = template.example_answers(seed=5)
    page = new_page()
    begin(page, pilot.link("sheet=needs_analysis&pilot=P71&loop=1"), "J0URN1")
    page.wait_for_selector(".tk-company:visible")
    assert page.locator(".tk-company option").all_inner_texts()[1:] == [
        "Tischlerei Berg",
        "Druckerei Alt",
    ]
    page.select_option("#tk-company-select", "C72")
    while page.locator(".tk-section-next:visible").count():
        fill(page, template, answers, only_shown=True)
        page.click(".tk-section-next")
    fill(page, template, answers, only_shown=True)
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible")
    assert respondents() == before + 1
    with Store(pilot.url) as store:
        assert store.participant_company("J0URN1") == "C72"


def test_goals_now_rated_later_and_paper_sheets_reach_the_pilot_report(
    pilot: Pilot, new_page: Any, tmp_path: Path
) -> None:
    link = pilot.link("sheet=pilot_goals&pilot=P71")
    start = new_page()
    begin(start, link, "G0AL71")
    start.select_option("#tk-company-select", "C71")  # not registered yet: picks the company
    start.locator(".tk-q-topic .tk-opt-digital_tools input").check()
    row = start.locator(".tk-q-goals .tk-rows .tk-item-row").first
    row.locator(".tk-field-goal").fill("Angebote mit dem neuen Werkzeug schreiben")
    for level in row.locator(".tk-field-level").all():
        level.fill(f"Stufe {level.get_attribute('data-level')}")
    row.locator(".tk-field-baseline").select_option("-2")
    start.click(".tk-submit")
    start.wait_for_selector(".tk-confirm:visible")

    pending = run_report("pilot", {"db": pilot.url, "pilot_id": "P71"}, tmp_path / "before")
    gas = pending.key_figures["gas"]
    assert isinstance(gas, dict)
    assert (gas["n_rated"], gas["n_pending"]) == (0, 1)

    later = new_page()  # another device, the same code
    begin(later, link, "G0AL71")
    later.wait_for_selector(".tk-followup")
    later.locator(".tk-followup-goal[data-index='0'] input.tk-followup-rating[value='1']").check()
    later.click(".tk-submit")
    later.wait_for_selector(".tk-confirm:visible")

    paper = tmp_path / "paper.csv"
    paper.write_text(
        "sheet;participant;format;reaction_1;reaction_2;reaction_3;learning_1;learning_2;"
        "behaviour_1;behaviour_2;recommend;comment\n"
        "1;;Kurzer Workshop;5;4;4;3;4;4;3;9;\n"
        "2;;Kurzer Workshop;4;4;5;4;4;3;3;10;\n",
        encoding="utf-8",
    )
    for _ in range(2):  # typed in twice by mistake: the sheet numbers keep it once
        pilot.cli(
            "db", "import", "responses", str(paper), "--template", "training_feedback",
            "--pilot", "P71", "--loop", "1",
        )  # fmt: skip

    result = run_report("pilot", {"db": pilot.url, "pilot_id": "P71"}, tmp_path / "after")
    gas = result.key_figures["gas"]
    assert isinstance(gas, dict)
    assert (gas["n_rated"], gas["n_pending"]) == (1, 0)
    assert gas["t_follow_up"] > gas["t_baseline"]  # from -2 at the start to +1 at the end
    nps = result.key_figures["nps"]
    assert nps == pytest.approx(100.0)  # both paper sheets recommend with 9 and 10
