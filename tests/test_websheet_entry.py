"""The moderator's data-entry mode of the web sheet, over HTTP: who may enter, what is stored.

Attack first: a participant's link or secret never opens the entry mode and stores nothing.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websheet_client import Client

from transferkit.datasets.paper import import_paper_answers, paper_submission_id
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import load_template

PARTICIPANT = "part-secret-1234"
MODERATOR = "mod-secret-5678"
QUERY = "sheet=training_feedback&pilot=P01&loop=1"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('entry') / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    app = make_app(store_url, token=PARTICIPANT, moderator_token=MODERATOR, warm_up=False)
    with BackgroundServer(app) as running:
        yield running


def count(store_url: str) -> int:
    with Store(store_url) as store:
        return len(store.responses(template="training_feedback"))


def participant(server: BackgroundServer) -> Client:
    c = Client(server)
    status, _page = c.page(f"{QUERY}&token={PARTICIPANT}")  # token cookie and _xsrf cookie
    assert status == 200
    return c


def moderator(server: BackgroundServer) -> tuple[Client, str]:
    c = Client(server)
    status, _headers, page = c.request("GET", f"sheet/entry?{QUERY}&token={MODERATOR}")
    assert status == 200
    return c, page.decode("utf-8")


def config(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="tk-config">(.*?)</script>', page, re.DOTALL
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


ANSWERS = load_template("training_feedback").example_answers(seed=2)


# --------------------------------------------------------------------------- the attack
@pytest.mark.parametrize("extra", ["mode=entry", "entry=1", "mode=entry&sheet_no=5", "entry"])
def test_a_participant_link_with_entry_parameters_is_the_participant_sheet(
    server: BackgroundServer, extra: str
) -> None:
    c = Client(server)
    status, page = c.page(f"{QUERY}&{extra}&token={PARTICIPANT}")
    assert status == 200
    assert "tk-entry-step" not in page
    assert "entry" not in config(page)
    assert 'class="tk-code-step"' in page  # the participant's code step


@pytest.mark.parametrize(
    "suffix", ["", f"&token={PARTICIPANT}", "&token=wrong", f"&token={MODERATOR}x"]
)
def test_the_entry_page_needs_the_moderator_secret(server: BackgroundServer, suffix: str) -> None:
    c = participant(server)  # even with the participant's cookie
    status, headers, page = c.request("GET", f"sheet/entry?{QUERY}{suffix}")
    assert status == 403
    text = page.decode("utf-8")
    assert "Moderationsschlüssel" in text
    assert "tk-entry-step" not in text
    assert "transferkit_entry_token" not in (headers.get("Set-Cookie") or "")


def test_the_entry_api_refuses_participants_and_stores_nothing(
    server: BackgroundServer, store_url: str
) -> None:
    before = count(store_url)
    c = participant(server)
    body = {"query": QUERY, "sheet": "901", "answers": ANSWERS}
    for headers in ({}, {"Authorization": f"token {PARTICIPANT}"}):
        status, data = c.post("entry", body, **headers)
        assert status == 403, data
        assert data["ok"] is False
        assert "Moderationsschlüssel" in data["error"]
    # the participant API does not take a sheet number either: the answers go in as the
    # participant's own sheet (their code), never as a paper sheet
    status, data = c.post("submit", {**body, "code": "K7M4QX", "mode": "entry"})
    assert status == 200
    with Store(store_url) as store:
        rows = store.responses(template="training_feedback")
    assert len(rows) == before + 1
    paper = paper_submission_id("training_feedback", "P01", 1, None, "901")
    assert paper not in set(rows["submission_id"])
    assert rows.iloc[-1]["participant"] == "K7M4QX"


def test_without_a_moderator_secret_the_mode_is_off(store_url: str) -> None:
    with BackgroundServer(make_app(store_url, token="", warm_up=False)) as running:
        c = Client(running)
        status, _h, page = c.request("GET", f"sheet/entry?{QUERY}&token=")
        assert status == 403
        assert "ausgeschaltet" in page.decode("utf-8")
        c.page(QUERY)  # the _xsrf cookie
        status, data = c.post("entry", {"query": QUERY, "sheet": "1", "answers": ANSWERS})
        assert status == 403
        assert "no moderator secret" in data["error"]


def test_the_moderator_cookie_is_not_the_participant_cookie(server: BackgroundServer) -> None:
    """The entry cookie is derived from the moderator secret alone (a participant cannot make it)."""
    c, _page = moderator(server)
    assert c.cookies["transferkit_entry_token"] not in (PARTICIPANT, MODERATOR)
    other = participant(server)
    assert other.cookies.get("transferkit_sheet_token") != c.cookies["transferkit_entry_token"]


# --------------------------------------------------------------------------- the moderator
def test_entry_page_asks_for_the_sheet_number(server: BackgroundServer) -> None:
    _c, page = moderator(server)
    assert "tk-entry-step" in page
    assert "Bogen-Nr." in page
    assert config(page)["entry"] is True
    assert config(page)["entry_texts"]["stored"].startswith("✔ Bogen {sheet}")
    assert MODERATOR not in page  # the secret is not written into the page


def test_sheets_are_validated_stored_once_and_by_number(
    server: BackgroundServer, store_url: str
) -> None:
    c, _page = moderator(server)
    before = count(store_url)
    assert c.post("entry", {"query": QUERY, "sheet": "17"}) == (
        200,
        {"ok": True, "sheet": "17", "response_id": None},
    )
    # validated exactly like the web sheet: every problem, nothing stored
    bad = {**ANSWERS, "reaction_1": 9}
    bad.pop("format")
    status, data = c.post("entry", {"query": QUERY, "sheet": "17", "answers": bad})
    assert status == 422
    assert {p["question_id"] for p in data["problems"]} == {"reaction_1", "format"}
    assert count(store_url) == before
    # stored, with the code written on the sheet
    body = {"query": QUERY, "sheet": " 17 ", "participant": "p17-a", "answers": ANSWERS}
    status, data = c.post("entry", body)
    assert status == 200, data
    assert data["again"] is False
    assert data["message"] == f"✔ Bogen 17 gespeichert (Nr. {data['response_id']}). Nächster Bogen:"
    assert count(store_url) == before + 1
    with Store(store_url) as store:
        rows = store.responses(template="training_feedback")
    row = rows[rows["response_id"] == data["response_id"]].iloc[0]
    assert row["participant"] == "P17-A"
    assert row["submission_id"] == paper_submission_id("training_feedback", "P01", 1, None, "17")
    assert row["format"] == ANSWERS["format"]
    # typed again (even with other answers): nothing changes
    status, again = c.post(
        "entry", {"query": QUERY, "sheet": "17", "answers": {**ANSWERS, "reaction_1": 1}}
    )
    assert status == 200
    assert again["again"] is True
    assert again["response_id"] == data["response_id"]
    assert "schon gespeichert" in again["message"]
    assert count(store_url) == before + 1
    status, known = c.post("entry", {"query": QUERY, "sheet": "17"})
    assert known["response_id"] == data["response_id"]
    assert "ist schon gespeichert" in known["message"]


def test_entered_sheets_and_imported_files_share_the_sheet_number(
    server: BackgroundServer, store_url: str, tmp_path: Path
) -> None:
    """``db import responses`` after typing in sheet 23 adds nothing for sheet 23."""
    c, _page = moderator(server)
    status, _data = c.post("entry", {"query": QUERY, "sheet": "23", "answers": ANSWERS})
    assert status == 200
    columns = ["sheet", *ANSWERS]
    values = ["23", *(";".join(v) if isinstance(v, list) else str(v) for v in ANSWERS.values())]
    path = tmp_path / "paper.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([columns, values])
    with Store(store_url) as store:
        added = import_paper_answers(
            store, load_template("training_feedback"), path, pilot="P01", loop=1
        )
    assert added == 0


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"sheet": ""}, "Bogen-Nr."),
        ({"sheet": "<script>"}, "Bogen-Nr."),
        ({"sheet": "1" * 21}, "Bogen-Nr."),
        ({"sheet": 5}, "Bogen-Nr."),
        ({"sheet": "5", "participant": "Anna Schmidt"}, "Code"),
        ({"sheet": "5", "answers": []}, "answers"),
    ],
)
def test_bad_entries_are_400_with_a_message(
    server: BackgroundServer, store_url: str, body: dict[str, Any], needle: str
) -> None:
    c, _page = moderator(server)
    before = count(store_url)
    status, data = c.post("entry", {"query": QUERY, **body})
    assert status == 400, data
    assert needle in data["message"]
    assert count(store_url) == before


def test_the_entry_api_needs_the_xsrf_token(server: BackgroundServer, store_url: str) -> None:
    c, _page = moderator(server)
    before = count(store_url)
    status, _data = c.post("entry", {"query": QUERY, "sheet": "31", "answers": ANSWERS}, xsrf=False)
    assert status == 403
    assert count(store_url) == before
