"""End-to-end: the needs analysis one section at a time in headless Chromium (phone-sized)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import wait_until

from transferkit.sheets.web import BackgroundServer, make_app
from transferkit.sheets.web.render import css_id
from transferkit.store import Store
from transferkit.store.drafts import DraftKey
from transferkit.templates import load_template
from transferkit.templates.sections import sheet_sections

pytestmark = [pytest.mark.browser]

QUERY = "sheet=needs_analysis&pilot=P01&loop=1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackgroundServer, str]]:
    store_url = f"sqlite:///{tmp_path_factory.mktemp('sections-browser') / 'store.db'}"
    with Store(store_url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    with BackgroundServer(make_app(store_url, token="")) as running:
        yield running, store_url


def answer_section(page: Any, template: Any, qids: list[str], answers: dict[str, Any]) -> None:
    """Answer the questions ``qids`` like a participant (they are in the shown section)."""
    for qid in qids:
        if qid not in answers:
            continue
        q, value, box = template.question(qid), answers[qid], f".tk-q-{css_id(qid)}"
        if q.type == "likert":
            page.click(f"{box} .tk-opt-{css_id(value)} input[type=radio]")
        elif q.type == "multi_choice":
            for v in value:
                page.click(f"{box} .tk-opt-{css_id(v)} input[type=checkbox]")
        elif q.type == "number":
            page.fill(f"{box} input", str(value))
        elif q.type == "long_text":
            page.fill(f"{box} textarea", str(value))
        else:
            raise NotImplementedError(q.type)


def progress(page: Any) -> tuple[str, str | None, str | None]:
    bar = page.locator(".tk-progress-bar")
    return (
        page.inner_text(".tk-progress-text"),
        bar.get_attribute("aria-valuenow"),
        bar.get_attribute("aria-valuetext"),
    )


def shown_sections(page: Any) -> list[str]:
    return list(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('.tk-section'))"
            ".filter((s) => !s.hidden).map((s) => s.dataset.section)"
        )
    )


def test_walk_the_needs_analysis_section_by_section(
    server: tuple[BackgroundServer, str], new_page: Any, shot: Any
) -> None:
    running, store_url = server
    template = load_template("needs_analysis")
    sections = sheet_sections(template)
    answers = template.example_answers(seed=5)
    answers["other_topics"] = "Schulung zum neuen ERP"
    code = f"P{uuid.uuid4().int % 10**7:07d}"
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(running.url(f"sheet?{QUERY}"))
    page.locator(".tk-code input").fill(code)
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-section-next:visible")

    assert progress(page) == ("Abschnitt 1 von 4", "1", "Abschnitt 1 von 4")
    assert shown_sections(page) == ["digital"]
    assert page.locator(".tk-submit").is_hidden()
    assert page.locator(".tk-section-back").is_hidden()

    # a required question left open blocks "next" and is marked
    first = sections[0].question_ids
    answer_section(page, template, first[:-1], answers)
    page.click(".tk-section-next")
    assert shown_sections(page) == ["digital"]
    assert progress(page)[0] == "Abschnitt 1 von 4"
    assert page.locator(".tk-error-summary").is_visible()
    missing = page.locator(f".tk-q-{css_id(first[-1])}")
    assert "tk-invalid" in (missing.get_attribute("class") or "")
    assert "Bitte beantworten" in missing.locator(".tk-error").inner_text()
    assert page.locator(".tk-invalid").count() == 1  # only the one left open

    answer_section(page, template, first[-1:], answers)
    page.click(".tk-section-next")
    assert shown_sections(page) == ["soft"]
    assert progress(page) == ("Abschnitt 2 von 4", "2", "Abschnitt 2 von 4")
    # the focus moves to the new section's heading (screen readers read it)
    assert page.evaluate("document.activeElement.id") == "tk-sec-soft"
    assert page.locator(".tk-error-summary").is_hidden()
    width = page.evaluate("document.querySelector('.tk-progress-fill').style.width")
    assert width == "50%"

    # back keeps the answers of both sections
    answer_section(page, template, sections[1].question_ids[:2], answers)
    page.click(".tk-section-back")
    assert shown_sections(page) == ["digital"]
    assert page.evaluate("document.activeElement.id") == "tk-sec-digital"
    page.click(".tk-section-next")
    answer_section(page, template, sections[1].question_ids[2:], answers)
    page.click(".tk-section-next")
    assert progress(page)[0] == "Abschnitt 3 von 4"
    answer_section(page, template, sections[2].question_ids, answers)
    page.click(".tk-section-next")
    assert progress(page) == ("Abschnitt 4 von 4", "4", "Abschnitt 4 von 4")
    assert page.locator(".tk-section-next").is_hidden()
    assert page.locator(".tk-submit").is_visible()
    answer_section(page, template, sections[3].question_ids, answers)

    # the draft keeps every section's answers: a reload restores them, at section 1
    key = DraftKey("needs_analysis", "P01", 1, None, code)
    service = running.app.settings["transferkit_service"]

    def drafted() -> bool:
        draft = service.drafts.load(key)
        return draft is not None and draft.answers.get("other_topics") == answers["other_topics"]

    assert wait_until(drafted, 10, 0.1)
    page.reload()
    page.wait_for_selector(".tk-section-next:visible")
    assert progress(page)[0] == "Abschnitt 1 von 4"
    assert page.evaluate("window.tkSheet.answers()") == template.validate(answers)
    for _ in range(3):
        page.click(".tk-section-next")
    shot(page, "websheet_sections_last")
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible")
    assert page.locator(".tk-section-nav").is_hidden()
    with Store(store_url) as store:
        rows = store.responses(template="needs_analysis")
    mine = rows[rows["participant"] == code]
    assert len(mine) == 1
    assert mine.iloc[0]["other_topics"] == answers["other_topics"]
    assert errors == []


def test_a_problem_found_on_submit_opens_its_section(
    server: tuple[BackgroundServer, str], new_page: Any
) -> None:
    """The server's problems lead to the section of the first one (e.g. a changed draft)."""
    running, _store_url = server
    page = new_page()
    page.goto(running.url(f"sheet?{QUERY}"))
    page.locator(".tk-code input").fill(f"Q{uuid.uuid4().int % 10**7:07d}")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-section-next:visible")
    # as if the last section were reached with section 1 unanswered (a stale tab, a bug)
    page.evaluate(
        "() => { document.querySelectorAll('.tk-section').forEach((x, i) => { x.hidden = i !== 3; });"
        " document.querySelector('.tk-submit').hidden = false; }"
    )
    page.click(".tk-submit")
    page.wait_for_selector(".tk-error-summary:visible")
    assert shown_sections(page) == ["digital"]
    assert progress(page)[0] == "Abschnitt 1 von 4"


# --------------------------------------------------------------------------- data entry
MODERATOR = "entry-browser-secret"


@pytest.fixture(scope="module")
def entry_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BackgroundServer, str]]:
    store_url = f"sqlite:///{tmp_path_factory.mktemp('entry-browser') / 'store.db'}"
    with Store(store_url) as store:
        store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    app = make_app(store_url, token="", moderator_token=MODERATOR)
    with BackgroundServer(app) as running:
        yield running, store_url


def type_sheet(page: Any, template: Any, answers: dict[str, Any]) -> None:
    """Type a paper sheet's answers (the types of training_feedback)."""
    for q in template.all_questions():
        if q.id not in answers:
            continue
        value, box = answers[q.id], f".tk-q-{css_id(q.id)}"
        if q.type in ("likert", "single_choice"):
            page.click(f"{box} .tk-opt-{css_id(value)} input[type=radio]")
        elif q.type == "scale":
            page.click(f"{box} .tk-scale-btn[data-value='{value}']")
        elif q.type == "long_text":
            page.fill(f"{box} textarea", str(value))
        elif q.type in ("text", "number"):
            page.fill(f"{box} input", str(value))
        else:
            raise NotImplementedError(q.type)


def test_moderator_types_in_paper_sheets_one_after_another(
    entry_server: tuple[BackgroundServer, str], new_page: Any, shot: Any
) -> None:
    running, store_url = entry_server
    template = load_template("training_feedback")
    page = new_page(1000, 900)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    query = "sheet=training_feedback&pilot=P01&loop=1"
    page.goto(running.url(f"sheet/entry?{query}&token={MODERATOR}"))
    page.wait_for_selector(".tk-entry-step")
    assert "token=" not in page.url  # the secret leaves the address bar (a cookie now)
    sheets = {"1": template.example_answers(seed=1), "2": template.example_answers(seed=2)}
    for number, answers in sheets.items():
        page.fill("#tk-entry-sheet", number)
        page.click(".tk-code-start")
        page.wait_for_selector(".tk-submit:visible")
        assert page.inner_text(".tk-code-shown") == f"Bogen {number}"
        # the form is empty for every sheet
        assert page.evaluate("window.tkSheet.answers()") == {}
        partial = dict(answers)
        missing = next(q.id for q in template.questions if q.required)
        partial.pop(missing)
        type_sheet(page, template, partial)
        page.click(".tk-submit")  # validated like the web sheet
        page.wait_for_selector(".tk-error-summary:visible")
        assert "tk-invalid" in (page.get_attribute(f".tk-q-{css_id(missing)}", "class") or "")
        type_sheet(page, template, {missing: answers[missing]})
        page.click(".tk-submit")
        page.wait_for_selector(".tk-entry-done:visible")
        assert f"Bogen {number} gespeichert" in page.inner_text(".tk-entry-done")
        assert page.locator(".tk-form").is_hidden()
        assert page.input_value("#tk-entry-sheet") == ""
    with Store(store_url) as store:
        rows = store.responses(template="training_feedback")
    assert len(rows) == 2
    assert sorted(rows["format"]) == sorted(a["format"] for a in sheets.values())
    # sheet 1 again: told at once that it is stored; storing it again adds nothing
    page.fill("#tk-entry-sheet", "1")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-submit:visible")
    assert "schon gespeichert" in page.inner_text(".tk-error-summary")
    type_sheet(page, template, sheets["1"])
    page.click(".tk-submit")
    page.wait_for_selector(".tk-entry-done:visible")
    assert "war schon gespeichert" in page.inner_text(".tk-entry-done")
    shot(page, "websheet_entry")
    with Store(store_url) as store:
        assert len(store.responses(template="training_feedback")) == 2
    assert errors == []


def test_serve_opens_data_entry_with_the_moderator_secret_only(voila_server: Any) -> None:
    """In ``transferkit serve`` (Voilà) the entry mode takes Voilà's moderator secret."""
    import urllib.error
    import urllib.request

    base = f"http://127.0.0.1:{voila_server.port}/sheet/entry?sheet=training_feedback&pilot=P01"

    def status(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    assert status(base) == 403
    assert status(base + "&token=wrong") == 403
    assert status(f"{base}&token={voila_server.moderator_token}") == 200
