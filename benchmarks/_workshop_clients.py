"""Participants for ``bench_workshop.py``: a light HTTP client and a real Chromium page.

* :func:`http_participant` speaks the web sheet's JSON API like the page's own
  script does (tornado's ``AsyncHTTPClient``, no browser): GET the join link
  with the participant token (and keep the ``_xsrf`` cookie; the API calls then
  carry the token as ``Authorization: token ...``; the code travels only in the
  JSON bodies, never in a URL), POST ``sheet/api/open``, POST ``sheet/api/draft`` with half
  the answers, think, POST ``sheet/api/submit`` with all of them; then, given a
  :class:`Ballot`, vote from the phone API: GET the vote page
  (``sheet/vote?...``), POST ``sheet/api/vote/open``, POST ``sheet/api/vote/cast``
  with the ballot's points (the vote's latency is the cast's round trip).
* :func:`page_participant` opens a sheet (the web sheet or the Voilà sheet) in a
  fresh Chromium context (on the web sheet it types the code into
  ``.tk-code input`` and clicks ``.tk-code-start``, as a participant does), answers by clicking like a participant and submits;
  submit latency is measured inside the page (``performance.now()`` from the
  click until ``.tk-confirm`` is shown), so no Playwright round trip is in it.
  Given a :class:`Ballot` it then opens the vote page, types the code, clicks
  ``+`` per point and sends (latency from the click on ``.tk-vote-send`` until
  ``.tk-vote-saved`` shows, measured in the page the same way).
* :func:`visit` is one measured first visit (time to interactive, time to first
  byte, bytes loaded).

Not a benchmark of its own; imported by ``bench_workshop.py``.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

VIEWPORT = {"width": 390, "height": 844}  # a phone
# Interactive: the submit button, or (a sheet in sections, submit on the last one) "next".
INTERACTIVE = ".tk-submit:enabled:visible, .tk-section-next:visible"
NEXT = ".tk-section-next"
TIMEOUT_MS = 120_000

# In the page: click the button, resolve with the ms until the confirmation is shown
# (or the error summary shows up, or 30 s pass). Argument: [button, confirm, error] selectors.
SUBMIT_JS = """
([buttonSel, confirmSel, errorSel]) => new Promise((resolve) => {
  const shown = (sel) => {
    const el = document.querySelector(sel);
    return el !== null && el.getClientRects().length > 0 && el.textContent.trim() !== "";
  };
  const button = document.querySelector(buttonSel);
  const t0 = performance.now();
  let done = false;
  const finish = (result) => {
    if (done) return;
    done = true;
    observer.disconnect();
    clearInterval(poll);
    resolve(result);
  };
  const check = () => {
    if (shown(confirmSel)) finish({ok: true, ms: performance.now() - t0});
    else if (shown(errorSel)) finish({ok: false, ms: performance.now() - t0,
      error: "error summary: " + document.querySelector(errorSel).textContent.trim()});
    else if (performance.now() - t0 > 30000) finish({ok: false, ms: 30000, error: "timeout (30 s)"});
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true});
  const poll = setInterval(check, 5);
  (button.tagName === "BUTTON" ? button : button.querySelector("button") || button).click();
})
"""
SHEET_SUBMIT = [".tk-submit", ".tk-confirm", ".tk-error-summary"]
VOTE_SEND = [".tk-vote-send", ".tk-vote-saved", ".tk-vote-error"]

# In the page: answer radio and checkbox questions (one click each, like a participant).
CLICK_JS = """
(clicks) => {
  for (const [selector, index] of clicks) {
    const els = document.querySelectorAll(selector);
    if (els.length <= index) return selector;
    const el = els[index];
    if (!el.checked) el.click();
  }
  return null;
}
"""

# In the page, after it is interactive: navigation timing of the document and bytes loaded.
TIMING_JS = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  return {
    ttfb_ms: nav.responseStart - nav.startTime,
    html_bytes: nav.decodedBodySize,
    html_transfer: nav.transferSize,
    transfer_bytes: nav.transferSize + res.reduce((s, e) => s + (e.transferSize || 0), 0),
    requests: 1 + res.length,
  };
}
"""


def css_id(value: object) -> str:
    """The CSS class suffix the sheets use for an id or option value."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(value))


def plan_answers(template: Any, seed: int) -> tuple[list[tuple[str, int]], dict[str, str]]:
    """(selector, index) clicks for radios/checkboxes and text fills for the example answers."""
    answers = template.example_answers(seed=seed)
    clicks: list[tuple[str, int]] = []
    fills: dict[str, str] = {}
    for q in template.all_questions(None):
        if q.id not in answers:
            continue
        value = answers[q.id]
        box = f".tk-q-{css_id(q.id)}"
        if q.type in ("likert", "single_choice"):
            values = (
                [p.value for p in q.points] if q.type == "likert" else [o.value for o in q.options]
            )
            clicks.append((f"{box} input[type=radio]", values.index(value)))
        elif q.type == "multi_choice":
            clicks += [(f"{box} .tk-opt-{css_id(v)} input[type=checkbox]", 0) for v in value]
        elif q.type in ("text", "number"):
            fills[f"{box} input"] = str(value)
        elif q.type == "long_text":
            fills[f"{box} textarea"] = "\n".join(value) if isinstance(value, list) else str(value)
    return clicks, fills


@dataclass(frozen=True)
class Ballot:
    """A vote to cast after the sheet: the vote link's query and the points per item key."""

    query: str  # e.g. pilot=P01&loop=1&vote=round_table
    points: dict[str, int]


@dataclass
class Outcome:
    """One participant of the load."""

    kind: str  # "http" or "page"
    code: str
    ok: bool = False
    submit_ms: float | None = None  # submit round trip (http) / click -> .tk-confirm (page)
    open_ms: float | None = None  # GET of the page (http) / time to interactive (page)
    response_id: int | None = None
    error: str | None = None
    finished: float = 0.0  # perf_counter() at the end
    vote_ok: bool = False  # the cast was answered 200 with the ballot as sent
    vote_ms: float | None = None  # cast round trip (http) / click -> .tk-vote-saved (page)
    vote_at: float | None = None  # perf_counter() when the cast was confirmed
    vote_points: dict[str, int] | None = None  # the ballot confirmed
    vote_error: str | None = None


# --------------------------------------------------------------------------- first visits
CODE_INPUT = ".tk-code input"
CODE_START = ".tk-code-start"


async def enter_code(page: Any, code: str) -> None:
    """The web sheet's code step: type the code, click the start button (as a participant)."""
    await page.wait_for_selector(CODE_INPUT, state="visible", timeout=TIMEOUT_MS)
    await page.fill(CODE_INPUT, code)
    await page.click(CODE_START, timeout=TIMEOUT_MS)


async def visit(browser: Any, url: str, code: str | None = None) -> dict[str, float]:
    """One first visit in a fresh context: seconds until ``.tk-submit`` is visible and enabled
    (a sheet in sections: until its first section's "next" shows).

    With ``code`` (the web sheet) the code is typed on the page and the start
    button clicked as soon as the code field shows; that step (a programmatic
    fill, no human typing time, plus the ``open`` round trip) is in the time.
    """
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        if code is not None:
            await enter_code(page, code)
        await page.wait_for_selector(INTERACTIVE, state="visible", timeout=TIMEOUT_MS)
        tti = time.perf_counter() - start
        timing = await page.evaluate(TIMING_JS)
        return {"tti": tti, **timing}
    finally:
        await context.close()


# --------------------------------------------------------------------------- HTTP participant
def _xsrf_from(headers: Any) -> str | None:
    for cookie in headers.get_list("Set-Cookie"):
        name, _, rest = cookie.partition("=")
        if name.strip() == "_xsrf":
            return rest.split(";", 1)[0].strip().strip('"')
    return None


def _reason(response: Any) -> str:
    """A short reason for a failed API call: status and the JSON error/problems."""
    if response.code == 599:
        return f"no answer ({type(response.error).__name__}: {str(response.error)[:80]})"
    text = (response.body or b"").decode("utf-8", "replace")
    try:
        data = json.loads(text)
        detail = data.get("error") or data.get("problems") or data
    except ValueError:
        detail = text
    return f"HTTP {response.code}: {str(detail)[:120]}"


async def http_participant(
    client: Any,
    base: str,
    query: str,
    code: str,
    answers: dict[str, Any],
    think: float,
    token: str | None = None,
    ballot: Ballot | None = None,
) -> Outcome:
    """GET the web sheet, open, save a half draft, think, submit (contract of ``transferkit.sheets.web``);
    then cast ``ballot`` (if given) from the phone API, as the vote page does.

    ``query`` is the link's query without code and token (what the page's script
    sends as ``query``); ``token`` the participant secret: in the GET's URL, as
    in the join link, and as ``Authorization: token ...`` on the API calls.
    """
    out = Outcome("http", code)
    try:
        start = time.perf_counter()
        link = f"{base}sheet?{query}" + (f"&token={quote(token, safe='')}" if token else "")
        page = await client.fetch(link, raise_error=False, request_timeout=120)
        out.open_ms = (time.perf_counter() - start) * 1000
        if page.code != 200:
            out.error = f"GET sheet: {_reason(page)}"
            return out
        xsrf = _xsrf_from(page.headers)
        if xsrf is None:
            out.error = "GET sheet: no _xsrf cookie"
            return out
        headers = {
            "Content-Type": "application/json",
            "X-XSRFToken": xsrf,
            "Cookie": f"_xsrf={xsrf}",
        }
        if token:
            headers["Authorization"] = f"token {token}"

        async def post(what: str, payload: dict[str, Any]) -> Any:
            return await client.fetch(
                f"{base}sheet/api/{what}",
                method="POST",
                headers=headers,
                body=json.dumps(payload),
                raise_error=False,
                request_timeout=120,
            )

        opened = await post("open", {"query": query, "code": code})
        if opened.code != 200 or not json.loads(opened.body).get("ok"):
            out.error = f"open: {_reason(opened)}"
            return out
        keys = list(answers)
        half = {k: answers[k] for k in keys[: len(keys) // 2]}
        draft = await post("draft", {"query": query, "code": code, "answers": half})
        if draft.code != 200 or not json.loads(draft.body).get("ok"):
            out.error = f"draft: {_reason(draft)}"
            return out
        await asyncio.sleep(think)
        start = time.perf_counter()
        submitted = await post("submit", {"query": query, "code": code, "answers": answers})
        out.submit_ms = (time.perf_counter() - start) * 1000
        data = json.loads(submitted.body) if submitted.code in (200, 422, 503) else {}
        if submitted.code == 200 and data.get("ok"):
            out.ok = True
            out.response_id = data.get("response_id")
        else:
            out.error = f"submit: {_reason(submitted)}"
            return out
        if ballot is not None:
            await _http_vote(client, base, code, ballot, token, headers, out)
    except Exception as error:  # noqa: BLE001 - report, do not stop the others
        out.error = f"{type(error).__name__}: {str(error)[:160]}"
    finally:
        out.finished = time.perf_counter()
    return out


async def _http_vote(
    client: Any,
    base: str,
    code: str,
    ballot: Ballot,
    token: str | None,
    headers: dict[str, str],
    out: Outcome,
) -> None:
    """GET the vote page, ``vote/open``, ``vote/cast``; the figures into ``out``."""
    link = f"{base}sheet/vote?{ballot.query}" + (f"&token={quote(token, safe='')}" if token else "")
    page = await client.fetch(
        link, headers={"Cookie": headers["Cookie"]}, raise_error=False, request_timeout=120
    )
    if page.code != 200:
        out.vote_error = f"GET vote page: {_reason(page)}"
        return
    xsrf = _xsrf_from(page.headers)
    if xsrf is not None:  # a new cookie (else the sheet's stays valid)
        headers = {**headers, "X-XSRFToken": xsrf, "Cookie": f"_xsrf={xsrf}"}

    async def post(what: str, payload: dict[str, Any]) -> Any:
        return await client.fetch(
            f"{base}sheet/api/vote/{what}",
            method="POST",
            headers=headers,
            body=json.dumps(payload),
            raise_error=False,
            request_timeout=120,
        )

    opened = await post("open", {"query": ballot.query, "code": code})
    if opened.code != 200 or not json.loads(opened.body).get("ok"):
        out.vote_error = f"vote/open: {_reason(opened)}"
        return
    start = time.perf_counter()
    cast = await post("cast", {"query": ballot.query, "code": code, "points": ballot.points})
    out.vote_ms = (time.perf_counter() - start) * 1000
    data = json.loads(cast.body) if cast.code in (200, 400, 409, 503) else {}
    if cast.code == 200 and data.get("ok") and data.get("ballot") == ballot.points:
        out.vote_ok = True
        out.vote_at = time.perf_counter()
        out.vote_points = dict(ballot.points)
    elif cast.code == 200:
        out.vote_error = (
            f"vote/cast: ballot stored as {data.get('ballot')!r}, sent {ballot.points!r}"
        )
    else:
        out.vote_error = f"vote/cast: {_reason(cast)}"


# --------------------------------------------------------------------------- page participant
async def page_participant(
    browser: Any,
    url: str,
    template: Any,
    seed: int,
    code: str,
    think: float,
    *,
    type_code: bool = False,
    ballot: Ballot | None = None,
    vote_url: str | None = None,
) -> Outcome:
    """Open ``url`` in a fresh context, answer by clicking, think, submit; latency in the page.

    With ``ballot`` and ``vote_url`` (the vote page's link with the participant
    token): then vote on that page like a participant (code, ``+`` per point, send).

    ``type_code`` (the web sheet): type ``code`` on the page's code step first;
    the Voilà sheet takes it from ``url``. ``open_ms`` includes that step.
    """
    out = Outcome("page", code)
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = await context.new_page()
        start = time.perf_counter()
        await page.goto(url, wait_until="commit")
        if type_code:
            await enter_code(page, code)
        await page.wait_for_selector(INTERACTIVE, state="visible")
        out.open_ms = (time.perf_counter() - start) * 1000
        clicks, fills = plan_answers(template, seed=seed)
        missing = await page.evaluate(CLICK_JS, clicks)
        if missing:
            out.error = f"no element for {missing}"
            return out
        await fill_by_section(page, fills)
        await page.wait_for_timeout(think * 1000)  # a participant looks over the sheet
        result = await page.evaluate(SUBMIT_JS, SHEET_SUBMIT)
        out.submit_ms = float(result["ms"])
        if result["ok"]:
            out.ok = True
        else:
            out.error = str(result.get("error", "?"))[:160]
            return out
        if ballot is not None and vote_url is not None:
            await _page_vote(page, vote_url, code, ballot, out)
    except Exception as error:  # noqa: BLE001 - report, do not stop the others
        out.error = f"{type(error).__name__}: {str(error)[:160]}"
    finally:
        out.finished = time.perf_counter()
        await context.close()
    return out


async def fill_by_section(page: Any, fills: dict[str, str]) -> None:
    """Type the text answers section by section (a sheet in sections shows one at a time),
    clicking "next" until the last section (with the submit button) is shown."""
    left = dict(fills)
    for _ in range(50):  # bounded: a sheet has far fewer sections
        for selector in [s for s in left if await page.is_visible(s)]:
            await page.fill(selector, left.pop(selector))
        if not await page.is_visible(NEXT):
            break
        await page.click(NEXT)
    for selector, text in left.items():  # not shown in any section: as before
        await page.fill(selector, text)


async def _page_vote(page: Any, url: str, code: str, ballot: Ballot, out: Outcome) -> None:
    """The vote page in the participant's page: code, ``+`` per point, send; latency in the page."""
    try:
        await page.goto(url, wait_until="commit")
        await page.fill("#tk-vote-code-input", code)
        await page.click(".tk-vote-start")
        await page.wait_for_selector(".tk-vote-box", state="visible")
        for key, n in ballot.points.items():
            for _ in range(n):
                await page.click(f'.tk-vote-row[data-item="{key}"] .tk-vote-plus')
        result = await page.evaluate(SUBMIT_JS, VOTE_SEND)
        out.vote_ms = float(result["ms"])
        if result["ok"]:
            out.vote_ok = True
            out.vote_at = time.perf_counter()  # a Playwright round trip late: lag a bit smaller
            out.vote_points = dict(ballot.points)
        else:
            out.vote_error = str(result.get("error", "?"))[:160]
    except Exception as error:  # noqa: BLE001 - report, do not stop the others
        out.vote_error = f"{type(error).__name__}: {str(error)[:160]}"
