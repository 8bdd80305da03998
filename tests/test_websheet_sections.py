"""The web sheet in sections, over HTTP: headings, progress indicator, script config, drafts."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from websheet_client import Client

from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.store import Store
from transferkit.templates import load_template
from transferkit.templates.sections import sheet_sections

NEEDS = "sheet=needs_analysis&pilot=P01"


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sections') / 'store.db'}"
    with Store(url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    return url


@pytest.fixture(scope="module")
def server(store_url: str) -> Iterator[BackgroundServer]:
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running


@pytest.fixture
def client(server: BackgroundServer) -> Client:
    return Client(server)


class _Outline(HTMLParser):
    """Sections in document order, each with its heading and its question ids."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict[str, Any]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        classes = (a.get("class") or "").split()
        if tag == "section" and "tk-section" in classes:
            self.sections.append({"id": a["data-section"], "attrs": a, "title": "", "q": []})
        elif tag == "h2" and "tk-section-title" in classes:
            self._in_heading = True
            self.sections[-1]["heading"] = a
        elif "tk-question" in classes and self.sections:
            self.sections[-1]["q"].append(a["data-qid"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self._in_heading:
            self.sections[-1]["title"] += data


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    parser.close()
    return parser


def _config(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="tk-config">(.*?)</script>', page, re.DOTALL
    )
    assert match is not None
    return dict(json.loads(match.group(1)))


@pytest.mark.parametrize(
    ("lang", "first", "progress"),
    [
        ("de", "Digitale Schlüsselqualifikationen", "Abschnitt 1 von 4"),
        ("en", "Digital key qualifications", "Section 1 of 4"),
    ],
)
def test_needs_analysis_page_has_four_sections_in_order(
    client: Client, lang: str, first: str, progress: str
) -> None:
    status, page = client.page(f"{NEEDS}&lang={lang}")
    assert status == 200
    outline = _outline(page)
    template = load_template("needs_analysis")
    expected = [(s.id, s.question_ids) for s in sheet_sections(template)]
    assert [(s["id"], s["q"]) for s in outline.sections] == expected
    assert outline.sections[0]["title"] == first
    for s in outline.sections:
        # without the script: every section shown, one long form
        assert "hidden" not in s["attrs"]
        # the heading can take the focus and names its section
        assert s["heading"]["tabindex"] == "-1"
        assert s["attrs"]["aria-labelledby"] == s["heading"]["id"]
    bars = [a for tag, a in outline.tags if a.get("role") == "progressbar"]
    assert len(bars) == 1
    bar = bars[0]
    assert (bar["aria-valuemin"], bar["aria-valuemax"], bar["aria-valuenow"]) == ("1", "4", "1")
    assert bar["aria-valuetext"] == progress
    # progress and back/next start hidden: only the script shows them
    progress_box = next(
        a for _t, a in outline.tags if "tk-progress" in (a.get("class") or "").split()
    )
    nav = next(a for _t, a in outline.tags if "tk-section-nav" in (a.get("class") or "").split())
    assert "hidden" in progress_box
    assert "hidden" in nav


def test_script_config_lists_sections_with_their_required_questions(client: Client) -> None:
    _status, page = client.page(NEEDS)
    config = _config(page)
    template = load_template("needs_analysis")
    sections = config["sections"]
    assert [s["id"] for s in sections] == ["digital", "soft", "sustainability", "formats_time"]
    last = sections[-1]
    assert last["questions"] == ["formats", "minutes_per_week", "discussed_with", "other_topics"]
    # required as in the template: discussed_with and other_topics are optional
    assert last["required"] == [q for q in last["questions"] if template.question(q).required]
    assert last["required"] == ["formats", "minutes_per_week"]
    assert last["labels"]["formats"] == template.question("formats").label.de
    assert config["section_texts"]["progress"] == "Abschnitt {n} von {total}"


def test_a_sheet_without_sections_has_no_section_markup(client: Client) -> None:
    _status, page = client.page("sheet=training_feedback&pilot=P01")
    assert 'class="tk-section' not in page
    assert 'role="progressbar"' not in page
    assert _config(page)["sections"] == []


def test_drafts_and_submit_work_across_sections(client: Client, store_url: str) -> None:
    """The draft holds answers of every section; the submit validates the whole sheet."""
    client.page(NEEDS)  # the _xsrf cookie
    code = f"S{uuid.uuid4().int % 10**7:07d}"
    answers = load_template("needs_analysis").example_answers(seed=3)
    first_two = {k: v for k, v in answers.items() if k.endswith(("_data_literacy", "_teamwork"))}
    assert client.post("draft", {"query": NEEDS, "code": code, "answers": first_two}) == (
        200,
        {"ok": True},
    )
    assert client.post("open", {"query": NEEDS, "code": code})[1]["answers"] == first_two
    status, result = client.post("submit", {"query": NEEDS, "code": code, "answers": first_two})
    assert status == 422
    missing = {p["question_id"] for p in result["problems"]}
    assert "imp_ai_use" in missing  # section 1
    assert "formats" in missing  # section 4
    status, result = client.post("submit", {"query": NEEDS, "code": code, "answers": answers})
    assert status == 200, result
    with Store(store_url) as store:
        rows = store.responses(template="needs_analysis")
    assert len(rows[rows["participant"] == code]) == 1
