"""A pilot set up without Python (issue 12, item 1): commands, a workbook, code cards.

Each test works the way a researcher does: through the ``transferkit`` command
(click's runner) or one file, then reads the store back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from transferkit.cli import main
from transferkit.datasets.setup import SETUP_KINDS, import_setup, write_setup_workbook
from transferkit.exceptions import DatasetError, StoreError
from transferkit.privacy import code_problem
from transferkit.store import Store


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'setup.db'}"


def run(url: str, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(main, [*args, "--db", url])
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def counts(url: str) -> dict[str, int]:
    with Store(url) as store:
        info = store.info()["counts"]
    return {k: info[k] for k in ("networks", "companies", "pilots", "participants")}


# ------------------------------------------------------------------ commands
def test_network_company_pilot_from_the_command_line(url: str) -> None:
    run(url, "network", "add", "N1", "Transfernetz Süd", "--region", "Oberbayern")
    run(
        url,
        "company",
        "add",
        "C01",
        "Tischlerei Berg",
        "--employees",
        "8",
        "--network",
        "N1",
        "--roles",
        "sender;best_practice",
        "--sector",
        "Handwerk",
    )
    run(url, "company", "add", "C02", "Druckerei Alt", "--size-class", "small")
    run(
        url,
        "pilot",
        "add",
        "P01",
        "--title-de",
        "Agile Werkstatt",
        "--title-en",
        "Agile workshop",
        "--companies",
        "C01;C02",
        "--start",
        "2026-03-01",
        "--end",
        "2026-09-30",
        "--loops",
        "3",
        "--hourly-rate",
        "52.5",
        "--currency",
        "CHF",
        "--network",
        "N1",
    )
    with Store(url) as store:
        company = store.companies().set_index("company_id").loc["C01"]
        pilot = store.pilots().set_index("pilot_id").loc["P01"]
    assert company["size_class"] == "micro"  # derived from 8 employees
    assert set(str(company["roles"]).split(";")) == {"sender", "best_practice"}
    assert pilot["companies"] == "C01;C02"
    assert (pilot["loops"], pilot["hourly_rate"], pilot["currency"]) == (3, 52.5, "CHF")
    assert "Agile Werkstatt" in run(url, "pilot", "list")
    assert "Tischlerei Berg" in run(url, "company", "list")
    assert "Transfernetz Süd" in run(url, "network", "list")


def test_edit_changes_only_the_options_given(url: str) -> None:
    run(url, "company", "add", "C01", "Tischlerei Berg", "--employees", "8", "--sector", "Handwerk")
    run(
        url,
        "pilot",
        "add",
        "P01",
        "--title-de",
        "Agile Werkstatt",
        "--companies",
        "C01",
        "--loops",
        "3",
        "--hourly-rate",
        "48",
        "--start",
        "2026-03-01",
    )
    run(url, "pilot", "edit", "P01", "--loops", "5")
    run(url, "company", "edit", "C01", "--region", "Allgäu")
    with Store(url) as store:
        pilot = store.pilots().set_index("pilot_id").loc["P01"]
        company = store.companies().set_index("company_id").loc["C01"]
    assert pilot["loops"] == 5
    assert pilot["hourly_rate"] == 48  # kept
    assert pilot["title_de"] == "Agile Werkstatt"
    assert pilot["companies"] == "C01"
    assert str(pilot["start"])[:10] == "2026-03-01"
    assert (company["region"], company["sector"], company["employees"]) == ("Allgäu", "Handwerk", 8)


def test_edit_of_an_unknown_id_names_the_known_ones(url: str) -> None:
    run(url, "pilot", "add", "P01", "--title-de", "A")
    output = run(url, "pilot", "edit", "P9", "--loops", "2", ok=False)
    assert "unknown pilot 'P9' (known: P01)" in output


def test_remove_refuses_what_is_still_used_and_removes_the_rest(url: str) -> None:
    run(url, "network", "add", "N1", "Netz")
    run(url, "company", "add", "C01", "Berg", "--network", "N1")
    run(url, "pilot", "add", "P01", "--title-de", "A", "--companies", "C01")
    output = run(url, "network", "remove", "N1", "--yes", ok=False)
    assert "still used by 1 companies" in output
    output = run(url, "company", "remove", "C01", "--yes", ok=False)
    assert "1 pilots" in output
    run(url, "pilot", "remove", "P01", "--yes")
    run(url, "company", "remove", "C01", "--yes")
    run(url, "network", "remove", "N1", "--yes")
    assert counts(url) == {"networks": 0, "companies": 0, "pilots": 0, "participants": 0}


def test_a_pilot_with_answers_cannot_be_removed(url: str) -> None:
    with Store(url) as store:
        store.add_pilot("P01", "A")
        store.add_participant("K7M4QX", pilot="P01")
        with pytest.raises(StoreError, match="1 participants"):
            store.remove_pilot("P01")
        assert len(store.pilots()) == 1


def test_participant_remove_is_erasure(url: str) -> None:
    with Store(url) as store:
        store.add_participant("K7M4QX")
    output = run(url, "participant", "remove", "k7m4qx", "--yes")
    assert "K7M4QX erased" in output
    assert counts(url)["participants"] == 0


def test_a_name_is_refused_as_participant(url: str) -> None:
    output = run(url, "participant", "add", "Anna", ok=False)
    assert "name" in output.lower()


# ------------------------------------------------------------------ code cards
def test_codes_are_registered_and_printed_as_cards_without_names(url: str, tmp_path: Path) -> None:
    run(url, "company", "add", "C01", "Berg")
    run(url, "pilot", "add", "P01", "--title-de", "Agile <Werkstatt> & mehr", "--companies", "C01")
    out = tmp_path / "cards.html"
    output = run(
        url,
        "participant",
        "codes",
        "--n",
        "12",
        "--pilot",
        "P01",
        "--company",
        "C01",
        "--out",
        str(out),
    )
    assert "12 codes registered" in output
    with Store(url) as store:
        people = store.participants()
    assert len(people) == 12
    assert set(people["pilot_id"]) == {"P01"}
    assert set(people["company_id"]) == {"C01"}
    page = out.read_text(encoding="utf-8")
    for code in people["participant"]:
        assert code_problem(code) is None
        assert f">{code}<" in page
    assert "Agile &lt;Werkstatt&gt; &amp; mehr" in page  # a title is text, never HTML
    assert "<Werkstatt>" not in page
    assert len(re.findall(r'class="tk-card"', page)) == 12


def test_codes_for_an_unknown_pilot_are_refused(url: str, tmp_path: Path) -> None:
    output = run(
        url,
        "participant",
        "codes",
        "--n",
        "3",
        "--pilot",
        "P9",
        "--out",
        str(tmp_path / "x.html"),
        ok=False,
    )
    assert "unknown pilot 'P9'" in output
    assert counts(url)["participants"] == 0
    assert not (tmp_path / "x.html").exists()


# ------------------------------------------------------------------ the workbook
def filled_workbook(path: Path, *, bad: bool = False) -> Path:
    write_setup_workbook(path)
    book = load_workbook(path)
    book["networks"].append(["N1", "Transfernetz Süd", "Oberbayern"])
    book["companies"].append(["C01", "Tischlerei Berg", None, 8, "Handwerk", None, "N1", "sender"])
    book["companies"].append(["C02", "Druckerei Alt", "small", None, None, None, "N1", None])
    book["pilots"].append(
        [
            "P01",
            "Agile Werkstatt",
            "Agile workshop",
            "N1",
            "agile",
            "C01;C99" if bad else "C01;C02",
            "01.03.2026",
            "2026-09-30",
            4,
            48,
            "EUR",
        ]
    )
    book["participants"].append(["K7M4QX", "C01", "P01"])
    book["participants"].append(["Anna Schmidt" if bad else "Q9XR2T", "C02", "P01"])
    if bad:
        book["pilots"].append(
            ["P02", "Zweites", None, None, None, None, "31.02.2026", None, "drei", None, None]
        )
    book.save(path)
    return path


def test_the_workbook_template_has_a_sheet_per_kind_and_help(tmp_path: Path) -> None:
    book = load_workbook(write_setup_workbook(tmp_path / "setup.xlsx"))
    assert book.sheetnames == ["help", *SETUP_KINDS]
    for kind, spec in SETUP_KINDS.items():
        assert [c.value for c in book[kind][1]] == [f.name for f in spec.fields]
    documented = {(row[0], row[1]) for row in book["help"].iter_rows(min_row=2, values_only=True)}
    assert documented == {(kind, f.name) for kind, spec in SETUP_KINDS.items() for f in spec.fields}


def test_a_filled_workbook_sets_up_a_pilot(url: str, tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "setup.xlsx")
    output = run(url, "setup", "import", str(path))
    assert "1 networks, 2 companies, 1 pilots, 2 participants" in output
    with Store(url) as store:
        pilot = store.pilots().set_index("pilot_id").loc["P01"]
        people = store.participants().set_index("participant")
    assert str(pilot["start"])[:10] == "2026-03-01"  # a German date
    assert pilot["loops"] == 4
    assert people.loc["Q9XR2T", "company_id"] == "C02"
    run(url, "setup", "import", str(path))  # again: updates, adds nothing
    assert counts(url) == {"networks": 1, "companies": 2, "pilots": 1, "participants": 2}


def test_a_wrong_workbook_stores_nothing_and_names_every_problem(url: str, tmp_path: Path) -> None:
    path = filled_workbook(tmp_path / "setup.xlsx", bad=True)
    with Store(url) as store, pytest.raises(DatasetError) as caught:
        import_setup(store, path)
    message = str(caught.value)
    assert "nothing was stored" in message
    assert "sheet pilots, row 3: start: '31.02.2026' is not a date" in message
    assert "sheet pilots, row 3: loops: 'drei' is not a number" in message
    assert "sheet pilots, row 2:" in message
    assert "C99" in message
    assert "sheet participants, row 3:" in message  # a name
    assert counts(url) == {"networks": 0, "companies": 0, "pilots": 0, "participants": 0}


def test_a_misspelt_column_and_an_unknown_sheet_are_named(url: str, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Unternehmen"
    sheet.append(["company_id", "nmae"])
    sheet.append(["C01", "Berg"])
    book.create_sheet("pilot_projekte").append(["pilot_id"])
    book.save(tmp_path / "x.xlsx")
    with Store(url) as store, pytest.raises(DatasetError) as caught:
        import_setup(store, tmp_path / "x.xlsx")
    message = str(caught.value)
    assert "'name' is missing; the file has 'nmae' instead" in message
    assert "unknown sheet 'pilot_projekte'" in message


def test_one_csv_with_a_record_column(url: str, tmp_path: Path) -> None:
    path = tmp_path / "setup.csv"
    path.write_text(
        "record;network_id;name;company_id;employees;pilot_id;title_de;companies;start;loops;"
        "hourly_rate;participant;pilot_id\n"
        "Netzwerk;N1;Netz Süd;;;;;;;;;;\n"
        "Unternehmen;N1;Berg;C01;12;;;;;;;;\n"
        "pilot;N1;;;;P01;Agile Werkstatt;C01;01.03.2026;3;47,50;;\n",
        encoding="utf-8",
    )
    with Store(url) as store, pytest.raises(DatasetError, match="'pilot_id' appears twice"):
        import_setup(store, path)
    path.write_text(
        path.read_text(encoding="utf-8")
        .replace(";participant;pilot_id\n", ";participant\n")
        .replace(";;\n", ";\n"),
        encoding="utf-8",
    )
    with Store(url) as store:
        assert import_setup(store, path) == {
            "networks": 1,
            "companies": 1,
            "pilots": 1,
            "participants": 0,
        }
        pilot = store.pilots().set_index("pilot_id").loc["P01"]
    assert pilot["hourly_rate"] == 47.5  # decimal comma in a ';' file
    assert counts(url)["companies"] == 1


def test_a_csv_row_of_an_unknown_record_kind(url: str, tmp_path: Path) -> None:
    path = tmp_path / "setup.csv"
    path.write_text("record,network_id,name\nnetwork,N1,Netz\nfirma,N2,Netz 2\n", encoding="utf-8")
    with (
        Store(url) as store,
        pytest.raises(DatasetError, match="line 3: record 'firma' is not one of"),
    ):
        import_setup(store, path)
    assert counts(url)["networks"] == 0


def test_a_file_that_cannot_be_written_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(main, ["setup", "template", str(blocker / "setup.xlsx")])
    assert result.exit_code == 1
    assert "cannot read or write" in result.output
    assert "Traceback" not in result.output


def test_codes_are_not_registered_when_their_cards_cannot_be_written(
    url: str, tmp_path: Path
) -> None:
    run(url, "pilot", "add", "P01", "--title-de", "A")
    output = run(
        url,
        "participant",
        "codes",
        "--n",
        "3",
        "--pilot",
        "P01",
        "--out",
        str(tmp_path / "missing" / "cards.html"),
        ok=False,
    )
    assert "no codes registered" in output
    assert counts(url)["participants"] == 0
