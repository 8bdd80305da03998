"""Participants belong to companies (issue 12, item 3).

A participant not yet registered picks their company from the pilot's companies
(or the link names it); the web answers then count in that company's needs report.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from websheet_client import Client

from transferkit.reports import content as rd
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import load_template

QUERY = "sheet=needs_analysis&pilot=P01&loop=1"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('companies') / 'store.db'}"
    with Store(url) as store:
        store.add_company("C01", "Tischlerei <Berg>")
        store.add_company("C02", "Druckerei Alt")
        store.add_company("C03", "Elsewhere GmbH")
        store.add_pilot("P01", "Zwei Firmen", companies="C01;C02", loops=2)
        store.add_pilot("P02", "Eine Firma", companies="C03", loops=2)
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running


def client(server: BackgroundServer, query: str = QUERY) -> Client:
    c = Client(server)
    assert c.page(query)[0] == 200  # sets the _xsrf cookie
    return c


def code() -> str:
    return f"T{uuid.uuid4().int % 10**7:07d}"


def respondents(store_url: str, company: str) -> int:
    with Store(store_url) as store:
        return int(rd.needs_report(store, company, "en").key_figures["n_respondents"])


ANSWERS = load_template("needs_analysis").example_answers(seed=2)


def test_a_new_participant_is_offered_the_pilots_companies(server: BackgroundServer) -> None:
    status, opened = client(server).post("open", {"query": QUERY, "code": code()})
    assert status == 200
    assert opened["ask_company"] is True
    assert opened["companies"] == [["C01", "Tischlerei <Berg>"], ["C02", "Druckerei Alt"]]


def test_web_answers_count_in_the_chosen_companys_report(
    server: BackgroundServer, store_url: str
) -> None:
    before = respondents(store_url, "C02")
    me = code()
    c = client(server)
    c.post("open", {"query": QUERY, "code": me})
    status, sent = c.post(
        "submit", {"query": QUERY, "code": me, "answers": ANSWERS, "company": "C02"}
    )
    assert status == 200, sent
    assert respondents(store_url, "C02") == before + 1
    with Store(store_url) as store:
        assert store.participant_company(me) == "C02"
    # Known now: the next sheet asks no more.
    status, opened = c.post("open", {"query": "sheet=training_feedback&pilot=P01", "code": me})
    assert opened["ask_company"] is False
    assert opened["companies"] == []


def test_a_missing_or_foreign_company_is_a_problem_and_nothing_is_stored(
    server: BackgroundServer, store_url: str
) -> None:
    me = code()
    c = client(server)
    for given, problem in (
        (None, "company_missing"),
        ("C03", "company_unknown"),
        ("C99", "company_unknown"),
    ):
        status, answer = c.post(
            "submit", {"query": QUERY, "code": me, "answers": ANSWERS, "company": given}
        )
        assert status == 422
        assert [p["code"] for p in answer["problems"]] == [problem]
    with Store(store_url) as store:
        assert me not in set(store.participants()["participant"])
        assert store.responses(template="needs_analysis", pilot="P01")["participant"].ne(me).all()


def test_a_pilot_with_one_company_asks_nothing_and_records_it(
    server: BackgroundServer, store_url: str
) -> None:
    query = "sheet=needs_analysis&pilot=P02&loop=1"
    me = code()
    c = client(server, query)
    _status, opened = c.post("open", {"query": query, "code": me})
    assert opened["ask_company"] is False
    assert c.post("submit", {"query": query, "code": me, "answers": ANSWERS})[0] == 200
    with Store(store_url) as store:
        assert store.participant_company(me) == "C03"


def test_a_link_for_one_company_carries_it(server: BackgroundServer, store_url: str) -> None:
    query = QUERY + "&company=C01"
    me = code()
    c = client(server, query)
    assert c.post("open", {"query": query, "code": me})[1]["ask_company"] is False
    assert c.post("submit", {"query": query, "code": me, "answers": ANSWERS})[0] == 200
    with Store(store_url) as store:
        assert store.participant_company(me) == "C01"


def test_the_store_refuses_a_company_outside_the_pilot() -> None:
    from transferkit.exceptions import StoreError

    with Store("sqlite://") as store:
        store.add_company("C01", "A")
        store.add_company("C02", "B")
        store.add_pilot("P01", "Pilot", companies="C01")
        with pytest.raises(StoreError, match="'C02' does not take part in pilot 'P01'"):
            store.submit(
                "needs_analysis", ANSWERS, pilot="P01", participant="K7M4Q2", company="C02"
            )
        store.add_participant("K7M4Q3", pilot="P01")  # registered before, without company
        store.submit("needs_analysis", ANSWERS, pilot="P01", participant="K7M4Q3", company="C01")
        assert store.participant_company("K7M4Q3") == "C01"
