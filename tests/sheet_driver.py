"""Driving the web sheet in Chromium like a participant: open it with a code, answer, page on.

Shared by the browser tests (``tests`` is on the path: ``pytest.ini_options.pythonpath``).
"""

from __future__ import annotations

from typing import Any

from transferkit.sheets.web.render import css_id

# In the page: click radios, checkboxes and buttons like a participant (one round trip).
CLICK_JS = """
(selectors) => {
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    if (el === null) return selector;
    if (!el.checked) el.click();
  }
  return null;
}
"""


# The ids of the questions in the section on screen.
SHOWN_JS = """
() => Array.from(document.querySelectorAll(".tk-section:not([hidden]) .tk-question"), (b) => b.dataset.qid)
"""


def fill(
    page: Any,
    template: Any,
    answers: dict[str, Any],
    phase: str | None = None,
    *,
    only_shown: bool = False,
) -> None:
    """Answer a web sheet like a participant (the types of the built-in sheets).

    ``only_shown``: only the questions of the section on screen (a sheet in sections).
    """
    clicks: list[str] = []
    shown = (
        set(page.evaluate(SHOWN_JS))
        if only_shown
        else {q.id for q in template.all_questions(phase)}
    )
    for q in template.all_questions(phase):
        if q.id not in answers or q.id not in shown:
            continue
        value = answers[q.id]
        box = f".tk-q-{css_id(q.id)}"
        if q.type in ("likert", "single_choice"):
            clicks.append(f"{box} .tk-opt-{css_id(value)} input[type=radio]")
        elif q.type == "scale":
            clicks.append(f"{box} .tk-scale-btn[data-value='{value}']")
        elif q.type in ("text", "number"):
            page.fill(f"{box} input", str(value))
        elif q.type == "long_text":
            page.fill(
                f"{box} textarea", "\n".join(value) if isinstance(value, list) else str(value)
            )
        elif q.type == "multi_choice":
            clicks += [f"{box} .tk-opt-{css_id(v)} input[type=checkbox]" for v in value]
        else:
            raise NotImplementedError(q.type)
    assert page.evaluate(CLICK_JS, clicks) is None


def begin(page: Any, url: str, code: str) -> None:
    """Open the sheet and enter ``code`` on the page (codes are never put into URLs)."""
    page.goto(url)
    page.wait_for_selector(".tk-code-start")
    page.locator(".tk-code input").fill(code)
    page.click(".tk-code-start")
    page.wait_for_selector(".tk-form:visible")
