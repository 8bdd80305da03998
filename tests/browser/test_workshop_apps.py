"""End-to-end: the workshop apps in a real Voilà server and headless Chromium."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from server_helpers import wait_until as shared_wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def fill(page: Any, template: Any, answers: dict[str, Any], phase: str | None = None) -> None:
    """Answer a rendered sheet like a participant would."""
    for q in template.all_questions(phase):
        if q.id not in answers:
            continue
        value = answers[q.id]
        box = page.locator(f".tk-q-{q.id}")
        if q.type in ("likert", "single_choice"):
            values = (
                [p.value for p in q.points] if q.type == "likert" else [o.value for o in q.options]
            )
            box.locator("input[type=radio]").nth(values.index(value)).check()
        elif q.type == "scale":
            box.locator("button", has_text=str(value)).filter(has_text=f"{value}").first.click()
        elif q.type in ("text", "number"):
            box.locator("input").fill(str(value))
        elif q.type == "long_text":
            text = "\n".join(value) if isinstance(value, list) else str(value)
            box.locator("textarea").fill(text)
        elif q.type == "multi_choice":
            for v in value:
                box.locator(f".tk-opt-{v} input[type=checkbox]").check()
        else:
            raise NotImplementedError(q.type)


def web_sheet(server: Any, query: str) -> str:
    """The participants' link to the web sheet that ``transferkit serve`` adds to Voilà."""
    return f"http://127.0.0.1:{server.port}/sheet?{query}"


def join(page: Any, server: Any, query: str, code: str) -> None:
    """Open the web sheet of ``transferkit serve`` and type the code on the page (never in a URL)."""
    page.goto(web_sheet(server, query))
    page.wait_for_selector(".tk-code-start", timeout=60_000)
    page.locator(".tk-code input").fill(code)
    page.click(".tk-code-start")


def wait_until(check: Any, timeout: float = 15.0) -> Any:
    return shared_wait_until(check, timeout, 0.25)


def test_participant_fills_in_and_submits(voila_server: Any, new_page: Any, shot: Any) -> None:
    from transferkit.templates import load_template

    template = load_template("training_feedback")
    answers = template.example_answers(seed=3)
    answers.pop("comment", None)
    page = new_page()
    join(page, voila_server, "sheet=training_feedback&pilot=P01&loop=1", "K7M4QX")
    page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
    assert page.locator(".tk-required").count() >= 8  # required questions are marked
    fill(page, template, answers)
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible", timeout=15_000)
    assert "gespeichert" in page.inner_text(".tk-confirm")
    shot(page, "sheet_submitted")
    stored = voila_server.store().responses(template="training_feedback", pilot="P01")
    assert len(stored) == 1
    row = stored.iloc[0]
    assert row["participant"] == "K7M4QX"
    assert row["format"] == answers["format"]
    assert int(row["recommend"]) == int(answers["recommend"])
    # a reload asks for the code again; the same code stores nothing twice and says so
    page.reload()
    page.wait_for_selector(".tk-code-start", timeout=60_000)
    page.locator(".tk-code input").fill("K7M4QX")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-confirm:visible", timeout=60_000)
    assert "bereits" in page.inner_text(".tk-confirm")
    assert len(voila_server.store().responses(template="training_feedback", pilot="P01")) == 1


def test_web_sheet_in_serve_shows_the_feedback_chart(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    """Self-assessment: right after submitting, the participant sees their profile as bars."""
    from transferkit.sheets.feedback import feedback_content
    from transferkit.templates import load_template

    template = load_template("competence_self_assessment")
    answers = template.validate(template.example_answers(seed=11))
    page = new_page()
    join(page, voila_server, "sheet=competence_self_assessment&pilot=P01", "PROF01")
    page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
    fill(page, template, answers)
    page.click(".tk-submit")
    page.wait_for_selector(".tk-confirm:visible", timeout=15_000)
    page.wait_for_selector(".tk-feedback .tk-bar", timeout=15_000)
    content = feedback_content(template, answers, lang="de")
    assert content is not None
    shown = page.locator(".tk-feedback .tk-bar-value").all_inner_texts()
    assert shown == [f"{row.value:g}".replace(".", ",") for row in content.rows]  # German sheet
    widths = page.locator(".tk-feedback .tk-bar").evaluate_all(
        "bars => bars.map(b => b.offsetWidth)"
    )
    assert max(widths) > 0  # the page's style sheet draws the bars
    shot(page, "sheet_feedback_profile")


def test_invalid_sheet_shows_errors_and_stores_nothing(
    voila_server: Any, new_page: Any, shot: Any
) -> None:
    page = new_page()
    join(page, voila_server, "sheet=training_feedback&pilot=P01&loop=1&lang=en", "INVAL1")
    page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
    page.locator(".tk-q-reaction_1 input[type=radio]").nth(2).check()
    page.click(".tk-submit")
    page.wait_for_selector(".tk-error-summary:visible", timeout=15_000)
    assert "Not saved" in page.inner_text(".tk-error-summary")
    errors = page.locator(".tk-question .tk-error:visible")
    assert errors.count() >= 5
    assert page.locator(".tk-q-reaction_1 .tk-error:visible").count() == 0  # answered: no error
    assert "answer" in page.locator(".tk-q-reaction_2 .tk-error").inner_text().lower()
    shot(page, "sheet_errors")
    stored = voila_server.store().responses(template="training_feedback")
    assert "INVAL1" not in set(stored["participant"])


def test_draft_survives_reload(voila_server: Any, new_page: Any) -> None:
    page = new_page()
    join(page, voila_server, "sheet=training_feedback&pilot=P01&loop=1", "DRAFT7")
    page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
    page.locator(".tk-q-reaction_1 input[type=radio]").nth(3).check()
    time.sleep(2.0)  # autosave runs 0.7 s after the last change
    page.reload()
    page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
    radio = page.locator(".tk-q-reaction_1 input[type=radio]").nth(3)
    assert wait_until(lambda: radio.is_checked(), 10)


def test_code_step_without_code(voila_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(web_sheet(voila_server, "sheet=training_feedback&pilot=P01"))
    page.wait_for_selector(".tk-code-start", timeout=60_000)
    page.locator(".tk-code input").fill("Max Mustermann")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-code-step .tk-error:has-text('Namen')", timeout=10_000)
    page.locator(".tk-code input").fill("Q7M4QX")
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-submit:enabled", timeout=10_000)


def test_broken_link_shows_a_message_not_a_traceback(voila_server: Any, new_page: Any) -> None:
    page = new_page()
    page.goto(web_sheet(voila_server, "sheet=nonexistent&loop=x"))
    page.wait_for_selector(".tk-page-error", timeout=60_000)
    text = page.inner_text("body")
    assert "loop" in text
    assert "Traceback" not in text


def test_moderator_sees_two_participants_live(voila_server: Any, new_page: Any, shot: Any) -> None:
    from transferkit.templates import load_template

    template = load_template("reflection_loop")
    moderator = new_page(1280, 900)
    moderator.goto(voila_server.url("reflection_loop.ipynb", "pilot=P01&loop=2"))
    moderator.wait_for_selector(".tk-counter", timeout=60_000)
    moderator.locator(".lm-TabBar-tab", has_text="Information").click()
    texts = {
        "PART01": f"Kanban-Board ausprobiert {uuid.uuid4().hex[:4]}",
        "PART02": f"Wissensrunde gestartet {uuid.uuid4().hex[:4]}",
    }
    # both join through the web sheet (the screen's join link)
    for code, text in texts.items():
        page = new_page()
        query = "sheet=reflection_loop&pilot=P01&loop=2&phase=information"
        join(page, voila_server, query, code)
        page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
        fill(page, template, {"learned": text, "info_useful": 4}, phase="information")
        page.click(".tk-submit")
        page.wait_for_selector(".tk-confirm:visible", timeout=15_000)
    cards = moderator.locator(".tk-cards-information")
    for text in texts.values():
        assert wait_until(lambda t=text: t in cards.inner_text(), 10), f"{text!r} not shown live"
    assert "PART01" not in moderator.inner_text("body")  # anonymous by default
    shot(moderator, "reflection_loop_live")


def test_round_table_vote_totals(voila_server: Any, new_page: Any, shot: Any) -> None:
    from transferkit.live import idea_id
    from transferkit.templates import load_template

    store = voila_server.store()
    template = load_template("round_table")
    store.submit(
        template,
        {"ideas": "Lernpaten\nMicro-Learning am Band"},
        pilot="P01",
        loop=1,
        participant="IDEA01",
    )
    store.submit(template, {"ideas": "Lernpaten"}, pilot="P01", loop=1, participant="IDEA02")
    cast = {"VOTE01": {"Lernpaten": 2, "Micro-Learning am Band": 1}, "VOTE02": {"Lernpaten": 1}}
    screen = new_page(1280, 900)
    screen.goto(voila_server.url("round_table.ipynb", "pilot=P01&loop=1"))
    screen.wait_for_selector(".tk-join svg", timeout=60_000)
    shot(screen, "round_table_join")
    for code, votes in cast.items():  # through the web sheet
        page = new_page()
        query = "sheet=round_table&pilot=P01&loop=1&questions=votes"
        join(page, voila_server, query, code)
        page.wait_for_selector(".tk-submit:enabled", timeout=60_000)
        page.wait_for_selector(f".tk-opt-{idea_id('Lernpaten')} .tk-vote-plus", timeout=15_000)
        for text, n in votes.items():
            for _ in range(n):
                page.locator(f".tk-opt-{idea_id(text)} .tk-vote-plus").click()
        page.wait_for_selector(f".tk-vote-left:has-text('{3 - sum(votes.values())}')")
        page.click(".tk-submit")
        page.wait_for_selector(".tk-confirm:visible", timeout=15_000)
    screen.locator(".lm-TabBar-tab", has_text="Ergebnis").click()
    expected = {idea_id("Lernpaten"): 3, idea_id("Micro-Learning am Band"): 1}

    def shown() -> dict[str, int]:
        out = {}
        for row in screen.locator(".tk-vote-row").all():
            out[row.get_attribute("data-option")] = int(row.locator(".tk-vote-points").inner_text())
        return out

    assert wait_until(lambda: shown() == expected, 10), shown()
    # the projector chart is in the same widget as the table: it shows the same points
    assert screen.locator(".tk-vote-chart .tk-bar-value").all_inner_texts() == ["3", "1"]
    assert wait_until(lambda: "2" in screen.inner_text(".tk-count-voters"), 5)
    shot(screen, "round_table_results")
    screen.locator(".lm-TabBar-tab", has_text="Ideenwand").click()
    assert "Micro-Learning am Band" in screen.inner_text(".tk-idea-wall")
    shot(screen, "round_table_wall")


def test_visitor_cannot_run_code(voila_server: Any, new_page: Any, tmp_path: Path) -> None:
    import websocket

    page = new_page()
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(voila_server.url("round_table.ipynb", "pilot=P01&loop=1"))
    page.wait_for_selector(".tk-join svg", timeout=60_000)
    source = page.content()
    assert "round_table_app" not in source  # no source code shown
    channel = next(u for u in sockets if "/channels" in u).split("?")[0]
    # without the moderator secret a visitor cannot even connect to the kernel
    with pytest.raises(websocket.WebSocketBadStatusException, match="403"):
        websocket.create_connection(f"{channel}?session_id={uuid.uuid4().hex}", timeout=10)
    # with it (a moderator's own tab), raw execute requests are still ignored
    channel += f"?session_id={uuid.uuid4().hex}&token={voila_server.moderator_token}"
    marker = tmp_path / "pwned.txt"
    ws = websocket.create_connection(channel, timeout=10)

    def message(msg_type: str, content: dict[str, Any]) -> str:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "visitor",
            "session": uuid.uuid4().hex,
            "date": "2026-01-01T00:00:00Z",
            "version": "5.3",
        }
        return json.dumps(
            {
                "header": header,
                "parent_header": {},
                "metadata": {},
                "content": content,
                "channel": "shell",
                "buffers": [],
            }
        ), header["msg_id"]

    try:
        code = f"open({str(marker)!r}, 'w').write('x')"
        raw, exec_id = message(
            "execute_request",
            {
                "code": code,
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        ws.send(raw)
        info, info_id = message("kernel_info_request", {})
        ws.send(info)  # positive control: the connection itself works
        got_info = False
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            try:
                opcode, data = ws.recv_data()
            except (
                websocket.WebSocketTimeoutException,
                websocket.WebSocketConnectionClosedException,
            ):
                break
            if opcode != websocket.ABNF.OPCODE_TEXT or not data:
                continue
            reply = json.loads(data)
            parent = reply.get("parent_header", {}).get("msg_id")
            assert parent != exec_id, f"kernel answered the execute_request: {reply['msg_type']}"
            if parent == info_id and reply["msg_type"] == "kernel_info_reply":
                got_info = True
                ws.settimeout(3)
        assert got_info, "no kernel_info_reply: the websocket test proves nothing"
    finally:
        ws.close()
    time.sleep(1)
    assert not marker.exists()
    assert "execute_request" in voila_server.log.read_text()  # logged as "not allowed. Ignoring."
