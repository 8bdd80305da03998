"""Attacks on the web sheet by a participant who holds the link (issue 10).

Each test is one finding: written against the server as a hostile or careless
participant would use it, and asserting that the answer is a documented 4xx
and that nothing is stored or half-stored.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
from sqlalchemy.exc import OperationalError
from websheet_client import Client

from transferkit.guard import ServerLimits
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store

QUERY = "sheet=training_feedback&pilot=P01&loop=1"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('websheet-security') / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
        store.add_pilot("P02", "Pilot zwei", "Pilot two")  # no planned number of loops
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Client:
    c = Client(server)
    assert c.page(QUERY)[0] == 200
    return c


def _code() -> str:
    return f"T{uuid.uuid4().int % 10**7:07d}"  # digits: never a name


def _count(store_url: str, template: str = "training_feedback") -> int:
    with Store(store_url) as store:
        return len(store.responses(template=template))


def _answers() -> dict[str, Any]:
    from transferkit.templates import load_template

    return load_template("training_feedback").example_answers(seed=3)


# ---------------------------------------------------------------- malformed JSON
@pytest.mark.parametrize(
    "raw",
    [
        (
            b'{"query": "sheet=training_feedback&pilot=P01&loop=1", "code": "K7M4QX", '
            b'"answers": {"recommend": NaN}}'
        ),
        (
            b'{"query": "sheet=training_feedback&pilot=P01&loop=1", "code": "K7M4QX", '
            b'"answers": {"recommend": Infinity}}'
        ),
        (
            b'{"query": "sheet=training_feedback&pilot=P01&loop=1", "code": "K7M4QX", '
            b'"answers": {"recommend": 1e400}}'
        ),
        b'{"query": "x", "code": "K7M4QX", "answers": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"query": "x", "code": "K7M4QX", "answers": {"a": '
        + b'{"b": ' * 20
        + b"1"
        + b"}" * 21
        + b"}",
    ],
    ids=["nan", "infinity", "overflow", "deep-list", "deep-object"],
)
@pytest.mark.parametrize("what", ["draft", "submit", "open"])
def test_non_finite_numbers_and_deep_nesting_are_400(
    client: Client, store_url: str, raw: bytes, what: str
) -> None:
    before = _count(store_url)
    status, data = client.post(what, None, raw=raw)
    assert status == 400, data
    assert "JSON" in data["error"]
    assert _count(store_url) == before
    # the server keeps serving, and the code's draft still opens (no NaN was kept)
    status, data = client.post("open", {"query": QUERY, "code": "K7M4QX"})
    assert status == 200, data


# ---------------------------------------------------------------- link parameters
@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("sheet=training_feedback&pilot=P01&loop=100000000000000000000", "9999"),
        ("sheet=training_feedback&pilot=P01&loop=999", "1–3"),
        ("sheet=training_feedback&pilot=P01&loop=0", "1–3"),
        ("sheet=training_feedback&pilot=P02&loop=500", "1–99"),
        ("sheet=training_feedback&pilot=P77&loop=1", "P77"),
    ],
)
def test_links_out_of_range_or_to_unknown_pilots_are_a_permanent_400(
    client: Client, store_url: str, query: str, needle: str
) -> None:
    status, page = client.page(query)
    assert status == 400
    assert needle in page
    assert "noch einmal" not in page  # not "try again in a moment": it never works
    before = _count(store_url)
    for what in ("open", "draft", "submit"):
        status, data = client.post(what, {"query": query, "code": _code(), "answers": _answers()})
        assert status == 400, (what, data)
        assert needle in data["error"]
    assert _count(store_url) == before


def test_a_pilot_without_planned_loops_takes_loops_up_to_99(client: Client) -> None:
    status, _page = client.page("sheet=training_feedback&pilot=P02&loop=7")
    assert status == 200


# ---------------------------------------------------------------- drafts
@pytest.mark.parametrize(
    ("answers", "problem"),
    [
        ({"nope": "x"}, "unknown_question"),
        ({"format": "<script>alert(1)</script>"}, "invalid_option"),
        ({"reaction_1": {"deep": [1, 2, 3]}}, "invalid_point"),
        ({"comment": "x" * 25_000}, "too_long"),
    ],
)
def test_drafts_are_validated_like_answers(
    client: Client, answers: dict[str, Any], problem: str
) -> None:
    code = _code()
    status, data = client.post("draft", {"query": QUERY, "code": code, "answers": answers})
    assert status == 422, data
    assert problem in [p["code"] for p in data["problems"]]
    assert client.post("open", {"query": QUERY, "code": code})[1]["answers"] == {}


def test_a_draft_over_32_kb_is_413(client: Client) -> None:
    code = _code()
    answers = {"comment": "x" * 19_000, "format": "workshop", "nope" * 2000: "y" * 15_000}
    status, data = client.post("draft", {"query": QUERY, "code": code, "answers": answers})
    assert status == 413, data
    assert client.post("open", {"query": QUERY, "code": code})[1]["answers"] == {}


def test_unfinished_drafts_are_kept_as_typed(client: Client) -> None:
    code = _code()
    half = {"format": "workshop", "recommend": "1", "comment": "noch nicht fertig"}
    status, data = client.post("draft", {"query": QUERY, "code": code, "answers": half})
    assert status == 200, data
    assert client.post("open", {"query": QUERY, "code": code})[1]["answers"] == half


def test_a_sent_sheet_cannot_be_changed_or_read_with_its_code(
    client: Client, store_url: str
) -> None:
    code = _code()
    answers = _answers()
    answers["comment"] = "Frau Berger hat mir das gezeigt"
    assert client.post("submit", {"query": QUERY, "code": code, "answers": answers})[0] == 200
    # someone who saw the code on a neighbour's phone
    stranger = Client(client.server)
    assert stranger.page(QUERY)[0] == 200
    status, data = stranger.post("open", {"query": QUERY, "code": code})
    assert status == 200
    assert data["submitted"] is True
    assert data["answers"] == {}
    assert "Berger" not in json.dumps(data)
    status, data = stranger.post(
        "draft", {"query": QUERY, "code": code, "answers": {"comment": "spoilt"}}
    )
    assert status == 409
    status, data = stranger.post("submit", {"query": QUERY, "code": code, "answers": answers})
    assert status == 200
    assert "Berger" not in json.dumps(data)
    with Store(store_url) as store:
        rows = store.responses(template="training_feedback")
    mine = rows[rows["participant"] == code]
    assert len(mine) == 1
    assert mine.iloc[0]["comment"] == "Frau Berger hat mir das gezeigt"


def test_drafts_are_limited_per_code_and_in_total(store_url: str) -> None:
    app = make_app(store_url, token="")
    service = app.settings["transferkit_service"]
    service.drafts.max_per_participant = 2
    with BackgroundServer(app) as running:
        client = Client(running)
        assert client.page(QUERY)[0] == 200
        code = _code()
        for loop in (1, 2):
            query = f"sheet=training_feedback&pilot=P01&loop={loop}"
            assert client.post("draft", {"query": query, "code": code, "answers": {}})[0] == 200
        status, data = client.post(
            "draft",
            {"query": "sheet=training_feedback&pilot=P01&loop=3", "code": code, "answers": {}},
        )
        assert status == 429
        assert data["retry"] is False
        assert "Moderation" in data["message"]
        # updating an existing draft is still fine
        status, _ = client.post(
            "draft", {"query": QUERY, "code": code, "answers": {"format": "tandem"}}
        )
        assert status == 200
        service.drafts.max_per_participant = 40
        service.drafts.max_total = 1
        assert client.post("open", {"query": QUERY, "code": _code()})[0] == 429


# ---------------------------------------------------------------- store full
def test_a_full_store_is_reported_plainly_not_as_try_again(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(store_url, token="")
    service = app.settings["transferkit_service"]

    def full(*_args: Any, **_kwargs: Any) -> int:
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(service.store, "submit", full)
    with BackgroundServer(app) as running:
        client = Client(running)
        assert client.page(QUERY)[0] == 200
        code = _code()
        with caplog.at_level(logging.ERROR):
            status, data = client.post(
                "submit", {"query": QUERY, "code": code, "answers": _answers()}
            )
        assert status == 507
        assert data["retry"] is False
        assert "voll oder schreibgeschützt" in data["message"]
        assert "TAKES NO MORE ANSWERS" in caplog.text
        # what was typed is kept in the draft
        assert client.post("open", {"query": QUERY, "code": code})[1]["answers"]


# ---------------------------------------------------------------- resources
def test_a_huge_body_is_refused_before_it_is_read(server: BackgroundServer) -> None:
    rss = psutil.Process().memory_info().rss
    for _ in range(8):
        with socket.create_connection((server.host, server.port), timeout=10) as sock:
            sock.sendall(
                b"POST /sheet/api/submit HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000000\r\n\r\n" + b"{" * 65536
            )
            answer = b""
            try:
                while chunk := sock.recv(65536):
                    answer += chunk
            except ConnectionResetError:
                pass
            assert b"200 OK" not in answer
    assert psutil.Process().memory_info().rss - rss < 20 * 1024 * 1024
    assert Client(server).page(QUERY)[0] == 200


def test_half_sent_requests_time_out_and_connections_are_limited(store_url: str) -> None:
    limits = ServerLimits(idle_timeout=1.0, max_per_address=5)
    with BackgroundServer(make_app(store_url, token=""), limits=limits) as running:
        idle = [socket.create_connection((running.host, running.port), timeout=5) for _ in range(5)]
        for sock in idle:
            sock.sendall(b"GET /sheet?sheet=training_feedback HTTP/1.1\r\nHost: x\r\n")  # no end
        extra = socket.create_connection((running.host, running.port), timeout=5)
        assert extra.recv(10) == b""  # over the limit: closed before anything is read
        extra.close()
        time.sleep(1.6)
        for sock in idle:  # the half-sent requests are closed by the header timeout
            assert sock.recv(10) == b""
            sock.close()
        time.sleep(0.2)
        assert Client(running).page(QUERY)[0] == 200


# ---------------------------------------------------------------- hygiene
def test_no_secret_or_code_in_the_log(store_url: str, caplog: pytest.LogCaptureFixture) -> None:
    with (
        BackgroundServer(make_app(store_url, token="s3cretXYZ")) as running,
        caplog.at_level(logging.INFO, logger="tornado.access"),
    ):
        client = Client(running)
        assert client.page(QUERY + "&token=wrongABC")[0] == 403
        assert client.page(QUERY + "&token=s3cretXYZ&code=K7M4QX")[0] == 200
        client.get("new-code?token=s3cretXYZ")
    assert "403" in caplog.text
    for secret in ("s3cretXYZ", "wrongABC", "K7M4QX"):
        assert secret not in caplog.text


def test_cookies_are_same_site(store_url: str) -> None:
    with BackgroundServer(make_app(store_url, token="s3cret")) as running:
        client = Client(running)
        _status, headers, _ = client.request("GET", f"sheet?{QUERY}&token=s3cret")
        cookies = headers.get_all("Set-Cookie")
    assert len(cookies) == 2
    assert all("samesite=" in c.lower() for c in cookies)


def test_the_code_in_an_old_link_is_not_put_into_the_page(client: Client) -> None:
    status, page = client.page(QUERY + "&code=QW8ERT")
    assert status == 200
    assert "QW8ERT" not in page


# ---------------------------------------------------------------- fuzz
def _json_values() -> Any:
    from hypothesis import strategies as st

    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(10**6), 10**6)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=40)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=12), children, max_size=4)
        ),
        max_leaves=12,
    )


def test_fuzzed_api_bodies_get_documented_answers_and_store_nothing_half(
    server: BackgroundServer, store_url: str
) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from transferkit.templates import load_template

    template = load_template("training_feedback")
    question_ids = [q.id for q in template.all_questions()]
    client = Client(server)
    assert client.page(QUERY)[0] == 200
    ok_submits: set[str] = set()
    answers = st.dictionaries(st.sampled_from([*question_ids, "nope"]), _json_values(), max_size=6)
    bodies = (
        st.fixed_dictionaries(
            {
                "query": st.sampled_from(
                    [QUERY, "sheet=nope", "sheet=training_feedback&loop=x", ""]
                ),
                "code": st.sampled_from(["K7M4QX", "Anna Schmidt", "", "P01-07"])
                | st.text(max_size=10),
                "answers": answers | _json_values(),
            }
        )
        | _json_values()
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(what=st.sampled_from(["open", "draft", "submit"]), body=bodies)
    def attempt(what: str, body: Any) -> None:
        status, data = client.post(what, body)
        assert status in {200, 400, 409, 422, 429}, (status, data)
        assert isinstance(data, dict)
        assert "Traceback" not in json.dumps(data)
        if what == "submit" and status == 200 and not data.get("again"):
            ok_submits.add(str(data["response_id"]))

    attempt()
    assert client.page(QUERY)[0] == 200  # still serving
    with Store(store_url) as store:
        rows = store.responses(template="training_feedback")
    stored = {str(r) for r in rows["response_id"]}
    assert ok_submits <= stored
    for record in rows.to_dict("records"):  # every stored sheet is a whole, valid sheet
        answers_stored = {
            q: record[q]
            for q in question_ids
            if q in record
            and not (isinstance(record[q], float) and record[q] != record[q])
            and record[q] is not None
        }
        template.validate(answers_stored)
