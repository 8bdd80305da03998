"""Sheet forms without a browser: rendering, answers round trip, validation messages, submit."""

from __future__ import annotations

from typing import Any

import pytest

from transferkit.drafts import DraftKey, DraftStore
from transferkit.exceptions import AnswerValidationError, ParameterError
from transferkit.query import SheetRequest, parse_query
from transferkit.sheets import SheetApp, SheetForm, restrict_template, sheet_app
from transferkit.store import Store
from transferkit.templates import list_templates, load_template


def _cases() -> list[tuple[str, str | None]]:
    out = []
    for name in list_templates():
        template = load_template(name)
        out += [(name, phase) for phase in (template.phase_ids() or [None])]
    return out


@pytest.mark.parametrize(("name", "phase"), _cases())
def test_every_builtin_template_renders_and_round_trips(name: str, phase: str | None) -> None:
    template = load_template(name)
    form = SheetForm(template, phase=phase, lang="en")
    assert set(form.widgets) == {q.id for q in template.all_questions(phase)}
    for q in template.all_questions(phase):
        assert f"tk-q-{q.id}" in form.widgets[q.id].box._dom_classes
    example = template.example_answers(phase)
    form.set_answers(example)
    assert template.validate(form.answers(), phase=phase) == template.validate(example, phase=phase)


def test_required_questions_are_marked() -> None:
    template = load_template("training_feedback")
    form = SheetForm(template)
    for q in template.all_questions():
        assert ("tk-required" in form.widgets[q.id].label.value) == q.required


@pytest.mark.parametrize(("lang", "word"), [("de", "Bitte"), ("en", "Please")])
def test_missing_answers_are_shown_next_to_their_question(lang: str, word: str) -> None:
    template = load_template("training_feedback")
    form = SheetForm(template, lang=lang)
    form.set_answers({"reaction_1": 4})
    with pytest.raises(AnswerValidationError) as info:
        form.validate()
    missing = {p.question_id for p in info.value.problems}
    assert "reaction_1" not in missing
    assert "reaction_2" in missing
    assert form.widgets["reaction_1"].error.layout.display == "none"
    error = form.widgets["reaction_2"].error
    assert error.layout.display is None
    assert word in error.value


def test_ranking_given_twice_is_a_problem() -> None:
    from transferkit.templates import load_template_string

    template = load_template_string(
        """
id: rank
version: 1
title: {de: R, en: R}
questions:
  - id: r
    type: ranking
    label: {de: Reihenfolge, en: Order}
    options:
      - {value: a, label: {de: A, en: A}}
      - {value: b, label: {de: B, en: B}}
"""
    )
    form = SheetForm(template)
    ranks = form.widgets["r"].ranks  # type: ignore[attr-defined]
    ranks["a"].value = 1
    ranks["b"].value = 1
    with pytest.raises(AnswerValidationError) as info:
        form.validate()
    assert info.value.problems[0].code == "duplicate_rank"
    ranks["b"].value = 2
    assert form.validate() == {"r": ["a", "b"]}


@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot")
    return s


def _app(store: Store, query: str) -> SheetApp:
    return SheetApp(
        load_template(parse_query(query).template or ""),
        parse_query(query),
        store=store,
        drafts=DraftStore.for_store(store),
        autosave_delay=0.01,
    )


def test_submit_stores_once_and_confirms(store: Store) -> None:
    app = _app(store, "sheet=training_feedback&pilot=P01&loop=1&code=K7M4QX")
    assert app.form is not None
    app.form.set_answers(load_template("training_feedback").example_answers())
    rid = app.submit()
    assert rid is not None
    assert "gespeichert" in app.confirm.value
    assert app.submit_button.disabled
    assert app.submit() == rid  # double click: the same response, nothing more
    again = _app(store, "sheet=training_feedback&pilot=P01&loop=1&code=K7M4QX")
    assert again.response_id == rid  # reload: already submitted
    assert len(store.responses(template="training_feedback")) == 1


def test_invalid_submit_stores_nothing(store: Store) -> None:
    app = _app(store, "sheet=training_feedback&pilot=P01&code=K7M4QX&lang=en")
    assert app.submit() is None
    assert "Not saved" in app.summary.value
    assert store.responses(template="training_feedback").empty


def test_draft_is_restored(store: Store) -> None:
    app = _app(store, "sheet=needs_analysis&pilot=P01&code=ABCDEF")
    assert app.form is not None
    app.form.set_answers({"imp_ai_use": 5})
    app.save_draft()
    reloaded = _app(store, "sheet=needs_analysis&pilot=P01&code=ABCDEF")
    assert reloaded.form is not None
    assert reloaded.form.answers() == {"imp_ai_use": 5}
    other = _app(store, "sheet=needs_analysis&pilot=P01&code=OTHER1")
    assert other.form is not None
    assert other.form.answers() == {}


def test_code_step_refuses_names(store: Store) -> None:
    app = _app(store, "sheet=training_feedback&pilot=P01")
    step = app.body.children[0]
    code, buttons, message = step.children[1], step.children[2], step.children[3]
    code.value = "Max Mustermann"
    buttons.children[0].click()
    assert "Namen" in message.value
    assert app.form is None
    code.value = "k7m4qx"
    buttons.children[0].click()
    assert app.code == "K7M4QX"
    assert app.form is not None


def test_vote_step_has_only_the_vote(store: Store) -> None:
    template = load_template("round_table")
    sub = restrict_template(template, ["votes"])
    assert [q.id for q in sub.all_questions()] == ["votes"]
    assert sub.id == template.id
    assert sub.version == template.version
    with pytest.raises(ParameterError, match="unknown question"):
        restrict_template(template, ["nope"])


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("", "template"),
        ("sheet=nope", "unknown template"),
        ("sheet=../../etc/passwd.yaml", "not"),
        ("sheet=training_feedback&loop=x", "whole number"),
        ("sheet=reflection_loop&pilot=P01", "phase"),
        ("sheet=reflection_loop&pilot=P01&phase=nope", "nope"),
        ("sheet=training_feedback&lang=fr", "de or en"),
    ],
)
def test_broken_links_give_a_message_not_a_traceback(store: Store, query: str, needle: str) -> None:
    widget: Any = sheet_app(query, store=store)
    assert "tk-page-error" in widget._dom_classes
    assert needle in widget.value
    assert "Traceback" not in widget.value


def test_parse_query_round_trip() -> None:
    request = SheetRequest(template="round_table", pilot="P01", loop=2, lang="en", questions="votes")
    assert parse_query(request.query()) == request


def test_draft_store_counts(store: Store) -> None:
    drafts = DraftStore.for_store(store)
    for code in ("A1B2C3", "D4E5F6"):
        drafts.save(DraftKey("needs_analysis", "P01", 1, None, code), {})
    drafts.mark_submitted(DraftKey("needs_analysis", "P01", 1, None, "A1B2C3"), 1)
    assert drafts.count("needs_analysis", pilot="P01") == 2
    assert drafts.count("needs_analysis", pilot="P01", submitted=True) == 1


def test_sheet_shares_layouts_and_styles(store: Store) -> None:
    """Every widget model costs time before the sheet is interactive: keep their number low."""
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    app = _app(store, "sheet=needs_analysis&pilot=P01&loop=1&code=K7M4QX")
    created = [_instances[k] for k in list(_instances) if k not in before]
    layouts = [x for x in created if type(x).__name__ == "Layout"]
    assert len(created) < 200, len(created)  # was 382 with a layout and a style per widget
    assert len(layouts) < 10
    form = app.form
    q = form.widgets["imp_ai_use"]
    q.visible = False
    assert not q.visible
    assert q.box.layout.display == "none"
    q.visible = True
    assert q.visible
    assert form.widgets["comp_ai_use"].visible


def test_widget_sheet_and_web_sheet_share_their_texts(store: Store) -> None:
    from transferkit.sheet_texts import text

    template = load_template("training_feedback")
    app = _app(store, "sheet=training_feedback&pilot=P01&loop=1&code=TEXTS1&lang=en")
    assert app.form is not None
    assert text("legend", "en") in app.body.children[0].value
    assert app.submit_button.description == text("submit", "en")
    with pytest.raises(AnswerValidationError) as info:
        template.validate({})
    assert app.submit() is None
    assert app.summary.value == "⚠ " + text("summary", "en", n=len(info.value.problems))
    app.form.set_answers(template.example_answers())
    rid = app.submit()
    assert app.confirm.value == text("confirm", "en", n=rid)
    step = _app(store, "sheet=training_feedback&pilot=P01").body.children[0]
    assert step.children[0].value == text("code_intro", "de")
