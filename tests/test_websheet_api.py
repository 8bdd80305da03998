"""The web sheet's page and JSON API against a real server (make_app in a thread, temporary SQLite)."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import pytest
from websheet_client import Client

from transferkit.exceptions import StoreError
from transferkit.live import idea_id
from transferkit.privacy import is_valid_code
from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import list_templates, load_template


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('websheet') / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Client:
    c = Client(server)
    status, _page = c.page("sheet=training_feedback&pilot=P01")  # sets the _xsrf cookie
    assert status == 200
    assert c.cookies.get("_xsrf")
    return c


def _code() -> str:
    return f"T{uuid.uuid4().int % 10**7:07d}"  # digits: never a name


def _rows(store_url: str, template: str, code: str | None = None) -> Any:
    with Store(store_url) as store:
        rows = store.responses(template=template)
    return rows if code is None else rows[rows["participant"] == code]


QUERY = "sheet=training_feedback&pilot=P01&loop=1"


# --------------------------------------------------------------------------- page
def test_page_is_one_complete_offline_document(client: Client) -> None:
    status, headers, data = client.request("GET", "sheet?sheet=needs_analysis&pilot=P01&loop=2")
    page = data.decode("utf-8")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<meta name="viewport"' in page
    assert '<html lang="de">' in page
    assert 'class="tk-sheet"' in page
    assert "Bedarfsanalyse" in page
    assert "tk-q-imp_ai_use" in page
    assert "<script src" not in page
    assert '<link rel="stylesheet"' not in page
    assert "http://" not in page
    assert "https://" not in page
    assert "'sha256-" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert len(data) < 90_000  # budget: see test_websheet_render


def test_page_is_gzipped_when_asked(client: Client) -> None:
    status, headers, data = client.request(
        "GET", "sheet?sheet=needs_analysis", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert len(data) < 20_000
    assert "tk-q-imp_ai_use" in gzip.decompress(data).decode("utf-8")


def test_english_page(client: Client) -> None:
    status, page = client.page("sheet=training_feedback&lang=en")
    assert status == 200
    assert '<html lang="en">' in page
    assert "Submit" in page
    assert "Absenden" not in page


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("", "template"),
        ("sheet=nope", "unknown template"),
        ("sheet=../../etc/passwd.yaml", "not allowed"),
        ("sheet=/etc/passwd.yaml", "not found"),
        ("sheet=training_feedback&loop=x", "whole number"),
        ("sheet=reflection_loop&pilot=P01", "phase"),
        ("sheet=reflection_loop&pilot=P01&phase=nope", "nope"),
        ("sheet=round_table&questions=nope", "unknown question"),
        ("sheet=training_feedback&lang=fr", "de or en"),
    ],
)
def test_broken_link_is_a_400_page_not_a_traceback(client: Client, query: str, needle: str) -> None:
    status, page = client.page(query)
    assert status == 400
    assert 'class="tk-page-error"' in page
    assert needle in page
    assert "Traceback" not in page
    assert 'class="tk-submit"' not in page


def test_name_as_code_in_the_link_shows_the_code_step(client: Client) -> None:
    status, page = client.page(f"{QUERY}&code=Max+Mustermann")
    assert status == 200
    assert "keinen Namen" in page
    assert '<section class="tk-code-step">' in page  # shown, not hidden


# --------------------------------------------------------------------------- API
def test_new_code(client: Client) -> None:
    status, data = client.get("new-code")
    assert status == 200
    assert is_valid_code(data["code"])
    assert client.get("new-code")[1]["code"] != data["code"]


def test_open_draft_submit_round_trip_stores_once(client: Client, store_url: str) -> None:
    code = _code()
    answers = load_template("training_feedback").example_answers(seed=1)
    status, opened = client.post("open", {"query": QUERY, "code": code.lower()})
    assert status == 200
    assert opened == {
        "ok": True,
        "code": code,
        "answers": {},
        "submitted": False,
        "response_id": None,
        "companies": [],
        "ask_company": False,
    }
    half = {k: answers[k] for k in list(answers)[:3]}
    assert client.post("draft", {"query": QUERY, "code": code, "answers": half}) == (
        200,
        {"ok": True},
    )
    assert client.post("open", {"query": QUERY, "code": code})[1]["answers"] == half
    status, result = client.post("submit", {"query": QUERY, "code": code, "answers": answers})
    assert status == 200
    assert result["ok"] is True
    assert result["again"] is False
    assert f"(Nr. {result['response_id']})" in result["message"]
    stored = _rows(store_url, "training_feedback", code)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert int(row["response_id"]) == result["response_id"]
    assert row["pilot"] == "P01"
    assert int(row["loop"]) == 1
    assert row["format"] == answers["format"]
    # a double click, a retry or a reload: the same response, nothing stored twice
    status, again = client.post("submit", {"query": QUERY, "code": code, "answers": answers})
    assert status == 200
    assert again["response_id"] == result["response_id"]
    assert again["again"] is True
    assert "bereits" in again["message"]
    assert len(_rows(store_url, "training_feedback", code)) == 1
    status, reopened = client.post("open", {"query": QUERY, "code": code})
    assert reopened["submitted"] is True
    assert "bereits" in reopened["message"]
    # a code may be known to others: nothing of what was sent comes back
    assert reopened["answers"] == {}
    assert reopened["feedback_html"] == ""
    assert answers["format"] not in json.dumps(reopened)
    assert again["feedback_html"] == ""


def test_concurrent_submits_of_one_code_store_one_row(
    server: BackgroundServer, store_url: str
) -> None:
    code = _code()
    answers = load_template("training_feedback").example_answers(seed=2)
    clients = []
    for _ in range(6):
        c = Client(server)
        c.page(QUERY)
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, Any]] = []

    def go(c: Client) -> None:
        barrier.wait()
        results.append(c.post("submit", {"query": QUERY, "code": code, "answers": answers}))

    threads = [threading.Thread(target=go, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [status for status, _ in results] == [200] * len(clients)
    assert len({data["response_id"] for _, data in results}) == 1
    assert len(_rows(store_url, "training_feedback", code)) == 1


def test_invalid_answers_are_422_problems_and_nothing_is_stored(
    client: Client, store_url: str
) -> None:
    code = _code()
    query = QUERY + "&lang=en"
    status, data = client.post(
        "submit", {"query": query, "code": code, "answers": {"reaction_1": 4}}
    )
    assert status == 422
    assert data["ok"] is False
    ids = {p["question_id"] for p in data["problems"]}
    assert {"format", "reaction_2", "recommend"} <= ids
    assert "reaction_1" not in ids
    assert all(p["message_de"] and p["message_en"] and p["code"] for p in data["problems"])
    assert data["summary"].startswith(f"Not saved yet: {len(data['problems'])} answer(s)")
    assert _rows(store_url, "training_feedback", code).empty
    # the answers are kept as the draft
    assert client.post("open", {"query": query, "code": code})[1]["answers"] == {"reaction_1": 4}


@pytest.mark.parametrize(
    ("answers", "question", "problem"),
    [
        ([1, 2], "*", "not_a_dict"),
        ("text", "*", "not_a_dict"),
        ({"reaction_1": "viel"}, "reaction_1", "invalid_point"),
        ({"reaction_1": {"a": 1}}, "reaction_1", "invalid_point"),
        ({"recommend": [3]}, "recommend", "not_a_number"),
        ({"nope": 1}, "nope", "unknown_question"),
    ],
)
def test_answers_of_a_wrong_type_are_422_not_500(
    client: Client, answers: Any, question: str, problem: str
) -> None:
    status, data = client.post("submit", {"query": QUERY, "code": _code(), "answers": answers})
    assert status == 422
    assert (question, problem) in {(p["question_id"], p["code"]) for p in data["problems"]}


def test_store_failure_is_503_and_the_draft_keeps_the_answers(
    client: Client, server: BackgroundServer, store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = server.app.settings["transferkit_service"]

    def broken(*_args: Any, **_kwargs: Any) -> int:
        raise StoreError("database is gone")

    monkeypatch.setattr(service.store, "submit", broken)
    code = _code()
    answers = load_template("training_feedback").example_answers(seed=3)
    status, data = client.post("submit", {"query": QUERY, "code": code, "answers": answers})
    assert status == 503
    assert data["ok"] is False
    assert "Speichern ist gerade nicht möglich" in data["error"]
    assert "Traceback" not in json.dumps(data)
    assert _rows(store_url, "training_feedback", code).empty
    assert client.post("open", {"query": QUERY, "code": code})[1]["answers"] == answers
    monkeypatch.undo()  # the store is back: the participant retries
    status, data = client.post("submit", {"query": QUERY, "code": code, "answers": answers})
    assert status == 200
    assert data["again"] is False
    assert len(_rows(store_url, "training_feedback", code)) == 1


@pytest.mark.parametrize(
    ("what", "body", "needle"),
    [
        ("submit", b"{not json", "not valid JSON"),
        ("submit", b"\xff\xfe", "not valid JSON"),
        ("open", b"[1, 2]", "JSON object"),
        ("open", json.dumps({"query": QUERY}).encode(), "missing code"),
        ("submit", json.dumps({"query": QUERY, "code": "K7M4QX"}).encode(), "missing answers"),
        ("draft", json.dumps({"code": "K7M4QX", "answers": {}}).encode(), "missing query"),
        ("open", json.dumps({"query": 7, "code": "K7M4QX"}).encode(), "must be strings"),
        (
            "draft",
            json.dumps({"query": QUERY, "code": "K7M4QX", "answers": [1]}).encode(),
            "object",
        ),
        (
            "open",
            json.dumps({"query": "sheet=nope", "code": "K7M4QX"}).encode(),
            "unknown template",
        ),
        (
            "open",
            json.dumps({"query": QUERY, "code": "Max Mustermann"}).encode(),
            "looks like a name",
        ),
    ],
)
def test_bad_requests_are_400_with_a_message(
    client: Client, what: str, body: bytes, needle: str
) -> None:
    status, data = client.post(what, None, raw=body)
    assert status == 400
    assert data["ok"] is False
    assert needle in data["error"]


def test_posts_need_the_xsrf_token(client: Client) -> None:
    body = {"query": QUERY, "code": "K7M4QX"}
    status, data = client.post("open", body, xsrf=False)
    assert status == 403
    assert "XSRF" in data["error"]
    status, _data = client.post("open", body, xsrf=False, **{"X-XSRFToken": "2|00|wrong|1"})
    assert status == 403
    assert client.post("open", body)[0] == 200


def test_xsrf_is_checked_even_without_xsrf_cookies(store_url: str) -> None:
    with BackgroundServer(make_app(store_url, token="", xsrf_cookies=False)) as running:
        c = Client(running)
        c.page(QUERY)
        body = {"query": QUERY, "code": "K7M4QX"}
        assert c.post("open", body, xsrf=False)[0] == 403
        assert c.post("open", body)[0] == 200


def test_token_is_required_when_set(store_url: str) -> None:
    with BackgroundServer(make_app(store_url, token="s3cret")) as running:
        stranger = Client(running)
        status, page = stranger.page(QUERY)
        assert status == 403
        assert 'class="tk-page-error"' in page
        assert stranger.page(QUERY + "&token=wrong")[0] == 403
        assert stranger.post("open", {"query": QUERY, "code": "K7M4QX"})[0] == 403
        assert stranger.get("new-code")[0] == 403
        participant = Client(running)
        status, page = participant.page(QUERY + "&token=s3cret")
        assert status == 200
        assert "s3cret" not in participant.cookies.get("transferkit_sheet_token", "s3cret")
        assert participant.post("open", {"query": QUERY, "code": "K7M4QX"})[0] == 200  # cookie
        script = Client(running)
        assert script.get("new-code", Authorization="token s3cret")[0] == 200
        assert script.get("new-code", Authorization="token s3cre")[0] == 403


def test_token_from_the_environment(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRANSFERKIT_TOKEN", "envtoken")
    with BackgroundServer(make_app(store_url)) as running:
        assert Client(running).page(QUERY)[0] == 403
        assert Client(running).page(QUERY + "&token=envtoken")[0] == 200


def _cases() -> list[tuple[str, str | None]]:
    out = []
    for name in list_templates():
        template = load_template(name)
        out += [(name, phase) for phase in (template.phase_ids() or [None])]
    return out


@pytest.mark.parametrize(("name", "phase"), _cases())
def test_example_answers_of_every_builtin_template_store_through_the_api(
    client: Client, store_url: str, name: str, phase: str | None
) -> None:
    template = load_template(name)
    answers = template.example_answers(phase, seed=7)
    votes = [
        q for q in template.all_questions(phase) if q.type == "dot_vote" and q.source == "ideas"
    ]
    for q in votes:  # points only on ideas that others have sent already
        ideas = answers[q.ideas_from].splitlines()
        with Store(store_url) as store:
            store.submit(
                template, {q.ideas_from: "\n".join(ideas)}, pilot="P01", loop=2, participant=_code()
            )
        answers[q.id] = {idea_id(ideas[0]): 1}
    query = urlencode(
        {"sheet": name, "pilot": "P01", "loop": 2, **({"phase": phase} if phase else {})}
    )
    code = _code()
    assert client.page(query)[0] == 200
    assert client.post("open", {"query": query, "code": code})[0] == 200
    status, data = client.post("submit", {"query": query, "code": code, "answers": answers})
    assert status == 200, data
    stored = _rows(store_url, name, code)
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["phase"] == phase if phase else pd.isna(row["phase"])
    cleaned = template.validate(answers, phase=phase)
    for qid, value in cleaned.items():
        assert row[qid] == value, qid


def test_feedback_after_submit_is_cheap_html(client: Client) -> None:
    template = load_template("needs_analysis")
    answers = template.example_answers(seed=4)
    answers.update(imp_ai_use=5, comp_ai_use=1)
    query = "sheet=needs_analysis&pilot=P01&loop=1"
    status, data = client.post("submit", {"query": query, "code": _code(), "answers": answers})
    assert status == 200
    html = data["feedback_html"]
    assert 'class="tk-feedback tk-feedback-top_priorities"' in html
    assert html.count('class="tk-bar"') == 3
    assert "Künstliche Intelligenz (KI) sinnvoll einsetzen" in html
    assert "<img" not in html


def test_ideas_for_a_dot_vote(client: Client, store_url: str) -> None:
    with Store(store_url) as store:
        template = load_template("round_table")
        store.submit(
            template,
            {"ideas": "Lernpaten\nMicro-Learning"},
            pilot="P01",
            loop=3,
            participant="IDEA01",
        )
        store.submit(template, {"ideas": "lernpaten"}, pilot="P01", loop=3, participant="IDEA02")
    status, data = client.get("ideas?sheet=round_table&pilot=P01&loop=3&questions=votes")
    assert status == 200
    assert data["ideas"] == [
        [idea_id("Lernpaten"), "Lernpaten"],
        [idea_id("Micro-Learning"), "Micro-Learning"],
    ]
    assert client.get("ideas?sheet=training_feedback")[1] == {"ideas": []}
    assert client.get("ideas?sheet=nope")[0] == 400
    query = "sheet=round_table&pilot=P01&loop=3&questions=votes"
    votes = {idea_id("Lernpaten"): 2, idea_id("Micro-Learning"): 1}
    status, data = client.post(
        "submit", {"query": query, "code": _code(), "answers": {"votes": votes}}
    )
    assert status == 200, data
    # The feedback names the ideas in the participants' words, not by their ids.
    feedback = data["feedback_html"]
    assert "Lernpaten: 2 Punkte" in feedback
    assert "Micro-Learning: 1 Punkt" in feedback
    assert idea_id("Lernpaten") not in feedback
    # points on an idea nobody sent: a 422 problem, nothing stored (the projector shows no such key)
    before = len(_rows(store_url, "round_table"))
    planted = {"<img src=x onerror=alert(1)>": 1}
    status, data = client.post(
        "submit", {"query": query, "code": _code(), "answers": {"votes": planted}}
    )
    assert status == 422
    assert [p["code"] for p in data["problems"]] == ["invalid_idea"]
    assert len(_rows(store_url, "round_table")) == before


def test_base_url(store_url: str) -> None:
    with BackgroundServer(make_app(store_url, token="", base_url="/tk/")) as running:
        c = Client(running, base="/tk/")
        status, page = c.page(QUERY)
        assert status == 200
        assert '"api":"/tk/sheet/api/"' in page
        assert c.post("open", {"query": QUERY, "code": "K7M4QX"})[0] == 200
        assert Client(running).page(QUERY)[0] == 404


def test_sheet_page_with_a_trailing_slash(client: Client) -> None:
    status, _headers, data = client.request("GET", f"sheet/?{QUERY}")
    assert status == 200
    assert 'class="tk-sheet"' in data.decode("utf-8")


def test_an_edited_custom_template_is_read_again(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A moderator who fixes a custom YAML during the workshop needs no server restart."""
    builtin = Path(__file__).parents[1] / "src/transferkit/templates/builtin"
    source = (builtin / "training_feedback.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "custom.yaml"
    custom.write_text(
        source.replace("id: training_feedback", "id: custom_feedback"), encoding="utf-8"
    )
    monkeypatch.setenv("TRANSFERKIT_TEMPLATE_DIR", str(tmp_path))
    with BackgroundServer(make_app(store_url, token="")) as running:
        c = Client(running)
        status, page = c.page("sheet=custom.yaml")
        assert status == 200
        assert "Rückmeldung zur Lerneinheit" in page
        edited = source.replace("id: training_feedback", "id: custom_feedback").replace(
            "de: Rückmeldung zur Lerneinheit", "de: Rückmeldung zum Werkstatt-Tag"
        )
        custom.write_text(edited, encoding="utf-8")
        os.utime(custom, ns=(custom.stat().st_atime_ns, custom.stat().st_mtime_ns + 1_000_000_000))
        status, page = c.page("sheet=custom.yaml")
        assert status == 200
        assert "Rückmeldung zum Werkstatt-Tag" in page
        assert "Rückmeldung zur Lerneinheit" not in page
        custom.write_text("id: [broken", encoding="utf-8")
        os.utime(custom, ns=(custom.stat().st_atime_ns, custom.stat().st_mtime_ns + 2_000_000_000))
        status, page = c.page("sheet=custom.yaml")
        assert status == 400
        assert "custom.yaml" in page


def test_sheet_path_imports_neither_pandas_nor_matplotlib(tmp_path: Path) -> None:
    script = f"""
import sys
from transferkit.sheets.web.service import SheetService
from transferkit.templates import load_template
service = SheetService("sqlite:///{tmp_path / "lean.db"}")
service.store.add_pilot("P01", "Pilot")
query = "sheet=needs_analysis&pilot=P01&loop=1"
assert service.page(query + "&code=K7M4QX", "/sheet/api/")[0] == 200
assert service.open({{"query": query, "code": "K7M4QX"}}).status == 200
assert service.draft({{"query": query, "code": "K7M4QX", "answers": {{"imp_ai_use": 5}}}}).status == 200
answers = load_template("needs_analysis").example_answers()
result = service.submit({{"query": query, "code": "K7M4QX", "answers": answers}})
assert result.status == 200 and "tk-bar" in result.payload["feedback_html"], result
print(sorted(m for m in ("pandas", "matplotlib", "ipywidgets", "numpy") if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# --------------------------------------------------------------------------- old links
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("template=training_feedback&pilot=P01&loop=1", "sheet=training_feedback&pilot=P01&loop=1"),
        (
            "pilot=P01&template=needs_analysis&lang=en&token=s3cret",
            "pilot=P01&sheet=needs_analysis&lang=en&token=s3cret",
        ),
        (
            "template=round_table&questions=votes&code=K7M4QX",
            "sheet=round_table&questions=votes&code=K7M4QX",
        ),
        ("sheet=needs_analysis&template=round_table", "sheet=needs_analysis"),  # the new name wins
    ],
)
def test_old_template_links_redirect_to_sheet(client: Client, old: str, new: str) -> None:
    """Printed links and QR codes of before (``?template=``) keep working: 301 to ``?sheet=``."""
    status, headers, _data = client.request("GET", f"sheet?{old}")
    assert status == 301
    assert headers["Location"] == f"/sheet?{new}"  # same path, other parameters kept, nothing added
    assert headers["Cache-Control"] == "no-store"
    status, headers, _data = client.request("GET", f"sheet/?{old}")
    assert (status, headers["Location"]) == (301, f"/sheet/?{new}")


def test_the_new_link_is_not_redirected_and_the_api_takes_old_queries(client: Client) -> None:
    assert client.page("sheet=training_feedback&pilot=P01")[0] == 200
    code = _code()
    # a page opened before the rename sends its old query to the API: still understood
    assert (
        client.post("open", {"query": "template=training_feedback&pilot=P01", "code": code})[0]
        == 200
    )


def test_sheet_links_name_the_sheet_not_the_voila_template() -> None:
    from transferkit.sheets.query import (
        KNOWN_PARAMETERS,
        SheetRequest,
        canonical_query,
        parse_query,
        sheet_url,
    )

    assert "template" not in KNOWN_PARAMETERS  # Voilà's own argument
    request = SheetRequest(template="needs_analysis", pilot="P01", loop=2)
    assert (
        sheet_url("http://h:1/", request)
        == "http://h:1/sheet?sheet=needs_analysis&pilot=P01&loop=2"
    )
    assert parse_query("template=needs_analysis&pilot=P01&loop=2") == request  # old links
    assert parse_query("sheet=needs_analysis&template=x&pilot=P01&loop=2") == request
    assert canonical_query(request.query()) is None
    assert canonical_query("") is None


def test_parse_query_round_trip() -> None:
    """Moved from the retired ipywidgets sheet's tests."""
    from transferkit.sheets.query import SheetRequest, parse_query

    request = SheetRequest(
        template="round_table", pilot="P01", loop=2, lang="en", questions="votes"
    )
    assert parse_query(request.query()) == request


def test_draft_store_counts(store_url: str) -> None:
    """Moved from the retired ipywidgets sheet's tests: the screens' participant counter reads these."""
    from transferkit.store.drafts import DraftKey, DraftStore

    with Store(store_url) as store:
        drafts = DraftStore.for_store(store)
        for code in ("A1B2C3", "D4E5F6"):
            drafts.save(DraftKey("counts_only", "P01", 1, None, code), {})
        drafts.mark_submitted(DraftKey("counts_only", "P01", 1, None, "A1B2C3"), 1)
        assert drafts.count("counts_only", pilot="P01") == 2
        assert drafts.count("counts_only", pilot="P01", submitted=True) == 1
