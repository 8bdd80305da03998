"""Workshop sheets: a template rendered as an ipywidgets form (the ``sheet.ipynb`` app).

:class:`SheetForm` turns the questions of a template (or of one phase of a
loop) into widgets, one per question type, collects the answers and shows
each validation problem next to its question in German or English.
:class:`SheetApp` adds the participant code, draft save/restore, the submit
button (idempotent: one ``submission_id`` per participant and sheet) and the
feedback after submitting. :func:`sheet_app` builds everything from the
page's query string and never shows a traceback to a participant.

CSS classes for tests and styling: ``tk-sheet``, ``tk-q-<id>`` (one box per
question), ``tk-error`` (a question's error), ``tk-error-summary``,
``tk-submit``, ``tk-confirm``, ``tk-code``, ``tk-code-start``, ``tk-page-error``,
``tk-opt-<value>`` (one option of a choice, vote or ranking).

Examples
--------
>>> from transferkit.templates import load_template_string
>>> t = load_template_string('''
... id: mini
... version: 1
... title: {de: Mini, en: Mini}
... questions:
...   - {id: team, type: text, label: {de: Team, en: Team}}
... ''')
>>> form = SheetForm(t, lang="en")
>>> form.set_answers({"team": "Sales"})
>>> form.answers()
{'team': 'Sales'}
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from transferkit.drafts import Draft, DraftKey, DraftStore
from transferkit.exceptions import (
    AnswerProblem,
    AnswerValidationError,
    ParameterError,
    TransferkitError,
)
from transferkit.feedback import BAR_CSS
from transferkit.query import SheetRequest, get_query_string, parse_query
from transferkit.sheet_session import (
    SheetSession,
    check_code,
    load_sheet_template,
    open_session,
    restrict_template,
)
from transferkit.sheet_texts import STATUS_LABELS, text

__all__ = [
    "PAGE_CSS",
    "QuestionWidget",
    "SheetApp",
    "SheetForm",
    "error_box",
    "load_sheet_template",
    "page_style",
    "question_widget",
    "restrict_template",
    "sheet_app",
    "warm_up",
]

log = logging.getLogger(__name__)

IdeasProvider = Callable[[Any], Sequence[tuple[str, str]]]

#: Phone-friendly styles for all workshop apps.
PAGE_CSS = """
.tk-sheet, .tk-app { max-width: 720px; width: 100%; margin: 0 auto; box-sizing: border-box; }
.tk-app-wide { max-width: 1200px; width: 100%; margin: 0 auto; }
.tk-question { border-bottom: 1px solid #e5e5e5; padding: 8px 0 12px 0; width: 100%; }
.tk-label { font-weight: 600; font-size: 1.05em; line-height: 1.35; }
.tk-help { color: #555; font-size: 0.92em; }
.tk-required { color: #b00020; }
.tk-error { color: #b00020; font-weight: 600; }
.tk-error-summary { color: #b00020; background: #fdecea; padding: 6px 10px; border-radius: 4px; }
.tk-confirm { color: #1b5e20; background: #e8f5e9; padding: 8px 12px; border-radius: 4px; }
.tk-page-error { color: #b00020; background: #fdecea; padding: 12px; border-radius: 4px; }
.tk-question .widget-radio-box label { white-space: normal; line-height: 1.3; padding: 3px 0; }
.tk-question .widget-toggle-buttons .widget-toggle-button { min-width: 2.6em; margin: 2px; }
.tk-question .widget-toggle-buttons { flex-wrap: wrap; }
.tk-question input, .tk-question textarea, .tk-question select { font-size: 16px; }
.tk-submit button, button.tk-submit { font-size: 1.1em; }
.tk-row { flex-wrap: wrap; }
.tk-results-table th, .tk-results-table td { padding: 4px 18px 4px 0; text-align: left; }
.tk-results-table td + td, .tk-results-table th + th { text-align: right; }
@media (max-width: 600px) {
  body { font-size: 16px; }
  .jp-OutputArea-output, .jp-Cell { padding: 0 !important; }
}
""" + BAR_CSS

def page_style() -> Any:
    """An ``IPython.display.HTML`` with :data:`PAGE_CSS`, to display once per app."""
    from IPython.display import HTML

    return HTML(f"<style>{PAGE_CSS}</style>")


def _css_id(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(value))


def _text(obj: Any, lang: str) -> str:
    if obj is None:
        return ""
    if hasattr(obj, "get"):
        return str(obj.get(lang))
    return str(obj)


# Widgets share a few Layouts that are never changed (shown/hidden widgets swap
# _full() and _hidden()) and one style per style class: a sheet has ~25 questions, and every Layout or
# style is one more model the kernel sends and the browser creates before the
# sheet is interactive (a needs-analysis sheet went from 382 to about 200 models).
_SHARED: dict[str, w.Widget] = {}


def _shared(key: str, factory: Callable[[], w.Widget]) -> Any:
    widget = _SHARED.get(key)
    if widget is None or getattr(widget, "comm", None) is None:  # new, or closed since
        widget = _SHARED[key] = factory()
    return widget


def _full() -> w.Layout:
    """The shared ``width: 100%`` layout (never mutate it: swap it with :func:`_hidden`)."""
    return _shared("layout", lambda: w.Layout(width="100%"))


def _flex() -> w.Layout:
    """The shared ``flex: 1`` layout (labels next to buttons)."""
    return _shared("flex", lambda: w.Layout(flex="1"))


def _hidden() -> w.Layout:
    """The shared hidden full-width layout: show/hide a widget by swapping it with :func:`_full`."""
    return _shared("hidden", lambda: w.Layout(width="100%", display="none"))


def _style(cls: type[w.Widget]) -> Any:
    """The shared default style instance for widgets of style class ``cls``."""
    return _shared(cls.__name__, cls)


def _html(value: str = "", layout: w.Layout | None = None) -> w.HTML:
    """An HTML widget with the shared style (and the shared full-width layout by default)."""
    return w.HTML(value, layout=layout if layout is not None else _full(), style=_style(HTMLStyle))


# --------------------------------------------------------------------------- widgets
class QuestionWidget:
    """One question: label, input widget(s) and an error line, inside ``self.box``."""

    def __init__(self, question: Any, lang: str = "de") -> None:
        self.question = question
        self.lang = lang
        self._callbacks: list[Callable[[], None]] = []
        mark = ' <span class="tk-required">*</span>' if question.required else ""
        label = html.escape(_text(question.label, lang))
        text = f'<div class="tk-label">{label}{mark}</div>'
        if getattr(question, "help", None) is not None:
            text += f'<div class="tk-help">{html.escape(_text(question.help, lang))}</div>'
        self.label = _html(text)  # label and help in one widget
        self.error = _html("", layout=_hidden())
        self.error.add_class("tk-error")
        self.input = self.build()
        self.box = w.VBox([self.label, self.input, self.error], layout=_full())
        self.box.add_class("tk-question")
        self.box.add_class(f"tk-q-{_css_id(question.id)}")

    # subclasses implement these three
    def build(self) -> w.Widget:
        """Create the input widget(s)."""
        raise NotImplementedError

    def get(self) -> Any:
        """The raw answer, ``None`` if not answered."""
        raise NotImplementedError

    def set(self, value: Any) -> None:
        """Show ``value`` (from a draft); unknown values are ignored."""
        raise NotImplementedError

    # common behaviour
    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the answer changes."""
        self._callbacks.append(callback)

    def _changed(self, *_: Any) -> None:
        for callback in self._callbacks:
            callback()

    def _watch(self, widget: w.Widget, name: str = "value") -> None:
        widget.observe(self._changed, names=name)

    def show_problems(self, problems: Sequence[AnswerProblem]) -> None:
        """Show ``problems`` next to the question (empty: hide the error line)."""
        if not problems:
            self.error.value = ""
            self.error.layout = _hidden()
            return
        lines = "<br>".join("⚠ " + html.escape(p.message(self.lang)) for p in problems)
        self.error.value = lines
        self.error.layout = _full()

    @property
    def visible(self) -> bool:
        """Whether the question is shown (``show_if``)."""
        return self.box.layout.display != "none"

    @visible.setter
    def visible(self, shown: bool) -> None:
        layout = _full() if shown else _hidden()
        if self.box.layout is not layout:
            self.box.layout = layout


class _TextWidget(QuestionWidget):
    multiline = False

    def build(self) -> w.Widget:
        placeholder = _text(getattr(self.question, "placeholder", None), self.lang)
        cls = w.Textarea if self.multiline else w.Text
        widget = cls(value="", placeholder=placeholder, layout=_full())
        if self.multiline:
            widget.rows = 4
        self._watch(widget)
        self.widget = widget
        return widget

    def get(self) -> Any:
        value = self.widget.value
        return value if value.strip() else None

    def set(self, value: Any) -> None:
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        self.widget.value = "" if value is None else str(value)


class _LongTextWidget(_TextWidget):
    multiline = True

    def get(self) -> Any:
        value = super().get()
        if value is not None and getattr(self.question, "one_per_line", False):
            return [line.strip() for line in value.splitlines() if line.strip()]
        return value


class _SingleChoiceWidget(QuestionWidget):
    def _options(self) -> list[tuple[str, Any]]:
        return [(_text(o.label, self.lang), o.value) for o in self.question.options]

    def build(self) -> w.Widget:
        widget = w.RadioButtons(
            options=self._options(), value=None, layout=_full(), style=_style(DescriptionStyle)
        )
        self._watch(widget)
        self.widget = widget
        return widget

    def get(self) -> Any:
        return self.widget.value

    def set(self, value: Any) -> None:
        values = [v for _, v in self.widget.options]
        for v in values:
            if str(v) == str(value):
                self.widget.value = v
                return


class _LikertWidget(_SingleChoiceWidget):
    def _options(self) -> list[tuple[str, Any]]:
        out = []
        for p in self.question.points:
            label = _text(p.label, self.lang)
            out.append((f"{p.value} – {label}" if label != str(p.value) else label, p.value))
        return out


class _MultiChoiceWidget(QuestionWidget):
    def build(self) -> w.Widget:
        self.checks: dict[str, w.Checkbox] = {}
        rows = []
        for option in self.question.options:
            box = w.Checkbox(
                value=False,
                description=_text(option.label, self.lang),
                indent=False,
                layout=_full(),
                style=_style(CheckboxStyle),
            )
            box.add_class(f"tk-opt-{_css_id(option.value)}")
            self._watch(box)
            self.checks[option.value] = box
            rows.append(box)
        return w.VBox(rows, layout=_full())

    def get(self) -> Any:
        chosen = [value for value, box in self.checks.items() if box.value]
        return chosen or None

    def set(self, value: Any) -> None:
        wanted = {str(v) for v in (value or [])}
        for key, box in self.checks.items():
            box.value = key in wanted


class _ScaleWidget(QuestionWidget):
    def _values(self) -> list[Any] | None:
        q = self.question
        if not q.is_integer():
            return None
        n = round((q.max - q.min) / q.step)
        if n > 10:
            return None
        return [int(q.min + i * q.step) for i in range(n + 1)]

    def build(self) -> w.Widget:
        values = self._values()
        q = self.question
        ends = ""
        if q.min_label is not None or q.max_label is not None:
            ends = f"{q.min:g} = {_text(q.min_label, self.lang)} … {q.max:g} = {_text(q.max_label, self.lang)}"
        if values is not None:
            widget = w.ToggleButtons(
                options=[(str(v), v) for v in values],
                value=None,
                style={"button_width": "auto"},
                layout=_full(),
            )
        else:
            widget = w.Text(value="", placeholder=f"{q.min:g} … {q.max:g}", layout=_full())
        self._watch(widget)
        self.widget = widget
        if ends:
            return w.VBox([widget, _html(f'<div class="tk-help">{html.escape(ends)}</div>')])
        return widget

    def get(self) -> Any:
        value = self.widget.value
        if isinstance(self.widget, w.Text):
            return _parse_number(value)
        return value

    def set(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(self.widget, w.Text):
            self.widget.value = str(value)
            return
        for _, v in self.widget.options:
            if str(v) == str(value) or (_is_number(value) and float(v) == float(value)):
                self.widget.value = v


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _parse_number(text: Any) -> Any:
    """``"12"`` → 12, ``"2,5"`` → 2.5, ``""`` → None; anything else is returned as is."""
    if text is None:
        return None
    raw = str(text).strip().replace(",", ".")
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        return str(text).strip()
    return int(number) if number.is_integer() and "." not in raw else number


class _NumberWidget(QuestionWidget):
    def build(self) -> w.Widget:
        q = self.question
        hint = ""
        if q.min is not None and q.max is not None:
            hint = f"{q.min:g} … {q.max:g}"
        unit = _text(getattr(q, "unit", None), self.lang)
        self.widget = w.Text(
            value="",
            placeholder=(hint + (f" {unit}" if unit else "")).strip(),
            layout=_full(),
        )
        self._watch(self.widget)
        return self.widget

    def get(self) -> Any:
        return _parse_number(self.widget.value)

    def set(self, value: Any) -> None:
        self.widget.value = "" if value is None else str(value)


class _RankingWidget(QuestionWidget):
    def build(self) -> w.Widget:
        q = self.question
        n = q.top_n or len(q.options)
        self.ranks: dict[str, w.Dropdown] = {}
        rows = []
        for option in q.options:
            dropdown = w.Dropdown(
                options=[("–", None)] + [(str(i), i) for i in range(1, n + 1)],
                value=None,
                layout=w.Layout(width="5em"),
            )
            self._watch(dropdown)
            self.ranks[option.value] = dropdown
            label = _html(html.escape(_text(option.label, self.lang)), layout=_flex())
            row = w.HBox([dropdown, label], layout=_full())
            row.add_class(f"tk-opt-{_css_id(option.value)}")
            rows.append(row)
        hint = text("rank_hint", self.lang, n=n)
        return w.VBox([_html(f'<div class="tk-help">{hint}</div>'), *rows], layout=_full())

    def get(self) -> Any:
        ranked = [(d.value, key) for key, d in self.ranks.items() if d.value is not None]
        if not ranked:
            return None
        return [key for _, key in sorted(ranked)]

    def local_problems(self) -> list[AnswerProblem]:
        """Two options with the same rank."""
        seen = [d.value for d in self.ranks.values() if d.value is not None]
        if len(seen) == len(set(seen)):
            return []
        return [
            AnswerProblem(
                self.question.id,
                "duplicate_rank",
                "Jeder Rang darf nur einmal vergeben werden.",
                "Give each rank only once.",
            )
        ]

    def set(self, value: Any) -> None:
        for i, key in enumerate(value or [], start=1):
            dropdown = self.ranks.get(str(key))
            if dropdown is not None and i <= len(dropdown.options) - 1:
                dropdown.value = i


class _DotVoteWidget(QuestionWidget):
    """``+``/``−`` buttons per option and a counter of points left."""

    ideas_provider: IdeasProvider | None = None

    def build(self) -> w.Widget:
        self.counts: dict[str, int] = {}
        self.count_labels: dict[str, w.HTML] = {}
        self.left = w.HTML("")
        self.left.add_class("tk-vote-left")
        self.rows = w.VBox([], layout=_full())
        parts: list[w.Widget] = [self.left, self.rows]
        if self.question.source == "ideas":
            refresh = w.Button(description=text("ideas_refresh", self.lang))
            refresh.add_class("tk-vote-refresh")
            refresh.on_click(lambda _b: self.refresh())
            parts.append(refresh)
        self.refresh()
        return w.VBox(parts, layout=_full())

    def choices(self) -> list[tuple[str, str]]:
        """(value, label) pairs: the options, or the ideas collected so far."""
        if self.question.source == "ideas":
            provider = type(self).ideas_provider
            return list(provider(self.question)) if provider is not None else []
        return [(o.value, _text(o.label, self.lang)) for o in self.question.options]

    def refresh(self) -> None:
        """Rebuild the rows (keeps points already given)."""
        rows = []
        choices = self.choices()
        for value, label in choices:
            self.counts.setdefault(value, 0)
            rows.append(self._row(value, label))
        if not choices:
            rows.append(
                w.HTML(text("ideas_none", self.lang))
            )
        self.rows.children = rows
        self._update_left()

    def _cap(self) -> int:
        cap = self.question.budget
        if self.question.max_per_item is not None:
            cap = min(cap, self.question.max_per_item)
        return int(cap)

    def _row(self, value: str, label: str) -> w.Widget:
        minus = w.Button(description="−", layout=w.Layout(width="3em"))
        plus = w.Button(description="+", layout=w.Layout(width="3em"))
        minus.add_class("tk-vote-minus")
        plus.add_class("tk-vote-plus")
        count = w.HTML(str(self.counts[value]), layout=w.Layout(width="2.5em"))
        count.add_class("tk-vote-count")
        self.count_labels[value] = count

        def change(delta: int) -> None:
            new = self.counts[value] + delta
            if new < 0 or new > self._cap():
                return
            if delta > 0 and self.spent() >= self.question.budget:
                return
            self.counts[value] = new
            count.value = str(new)
            self._update_left()
            self._changed()

        minus.on_click(lambda _b: change(-1))
        plus.on_click(lambda _b: change(+1))
        caption = _html(html.escape(label), layout=_flex())
        row = w.HBox([minus, count, plus, caption], layout=_full())
        row.add_class("tk-row")
        row.add_class(f"tk-opt-{_css_id(value)}")
        return row

    def spent(self) -> int:
        """Points given so far."""
        return sum(self.counts.values())

    def _update_left(self) -> None:
        left = self.question.budget - self.spent()
        self.left.value = text("points_left", self.lang, left=left, budget=self.question.budget)

    def get(self) -> Any:
        given = {k: v for k, v in self.counts.items() if v > 0}
        return given or None

    def set(self, value: Any) -> None:
        if not isinstance(value, dict):
            return
        for key, points in value.items():
            try:
                self.counts[str(key)] = max(0, int(points))
            except (TypeError, ValueError):
                continue
            if str(key) in self.count_labels:
                self.count_labels[str(key)].value = str(self.counts[str(key)])
        self._update_left()


_STATUS = ("open", "done", "carried_over", "dropped")
_STATUS_LABELS = STATUS_LABELS


class _RowsWidget(QuestionWidget):
    """A list of rows with an "add" button (action items, GAS goals)."""

    add_text = "add_row"

    def build(self) -> w.Widget:
        self.row_fields: list[dict[str, w.Widget]] = []
        self.rows = w.VBox([], layout=_full())
        add = w.Button(description="+ " + text(self.add_text, self.lang))
        add.add_class("tk-add-row")
        add.on_click(lambda _b: self.add_row())
        return w.VBox([self.rows, add], layout=_full())

    def make_fields(self) -> dict[str, w.Widget]:
        """The widgets of one row."""
        raise NotImplementedError

    def add_row(self, values: dict[str, Any] | None = None) -> dict[str, w.Widget]:
        """Append a row (filled with ``values``)."""
        fields = self.make_fields()
        for name, widget in fields.items():
            widget.add_class(f"tk-field-{name}")
            self._watch(widget)
        remove = w.Button(description="✕", layout=w.Layout(width="3em"))
        remove.add_class("tk-remove-row")
        row = w.VBox([*fields.values(), remove], layout=_full())
        row.add_class("tk-item-row")

        def drop(_b: Any) -> None:
            if fields in self.row_fields:
                self.row_fields.remove(fields)
            self.rows.children = tuple(c for c in self.rows.children if c is not row)
            self._changed()

        remove.on_click(drop)
        self.row_fields.append(fields)
        self.rows.children = (*self.rows.children, row)
        if values:
            self.fill(fields, values)
        return fields

    def fill(self, fields: dict[str, w.Widget], values: dict[str, Any]) -> None:
        """Put ``values`` into a row's widgets."""
        for name, widget in fields.items():
            value = values.get(name)
            if value is None:
                continue
            if isinstance(widget, w.DatePicker):
                try:
                    widget.value = dt.date.fromisoformat(str(value)[:10])
                except ValueError:
                    continue
            elif isinstance(widget, w.Dropdown):
                for _, v in widget.options:
                    if str(v) == str(value):
                        widget.value = v
            elif isinstance(widget, w.BoundedFloatText):
                try:
                    widget.value = float(value)
                except (TypeError, ValueError):
                    continue
            else:
                widget.value = str(value)

    def read(self, fields: dict[str, w.Widget]) -> dict[str, Any]:
        """A row's values."""
        out: dict[str, Any] = {}
        for name, widget in fields.items():
            value = widget.value
            if isinstance(value, dt.date):
                value = value.isoformat()
            if isinstance(value, str):
                value = value.strip()
            out[name] = value
        return out

    def get(self) -> Any:
        rows = [self.read(f) for f in self.row_fields]
        rows = [r for r in rows if any(v not in (None, "", "open", 1.0) for v in r.values())]
        return rows or None

    def set(self, value: Any) -> None:
        if not isinstance(value, list):
            return
        self.rows.children = ()
        self.row_fields = []
        for item in value:
            if isinstance(item, dict):
                self.add_row(item)


class _ActionItemsWidget(_RowsWidget):
    add_text = "add_action"

    def make_fields(self) -> dict[str, w.Widget]:
        labels = _STATUS_LABELS["en" if self.lang == "en" else "de"]
        return {
            "what": w.Text(placeholder=text("what", self.lang), layout=_full()),
            "who": w.Text(placeholder=text("who", self.lang), layout=_full()),
            "due": w.DatePicker(description=text("due", self.lang), value=None),
            "status": w.Dropdown(options=[(labels[s], s) for s in _STATUS], value="open"),
        }

    def get(self) -> Any:
        rows = [self.read(f) for f in self.row_fields]
        rows = [r for r in rows if r["what"] or r["who"] or r["due"]]
        return rows or None


class _GasGoalWidget(_RowsWidget):
    add_text = "add_goal"

    def build(self) -> w.Widget:
        box = super().build()
        if self.question.min_goals:
            for _ in range(self.question.min_goals):
                self.add_row()
        return box

    def make_fields(self) -> dict[str, w.Widget]:
        lang = self.lang
        levels = [(f"{v:+d}" if v else "0", v) for v in (-2, -1, 0, 1, 2)]
        fields: dict[str, w.Widget] = {
            "goal": w.Text(placeholder=text("goal", lang), layout=_full()),
            "weight": w.BoundedFloatText(
                value=1.0, min=0.1, max=10, step=0.5, description=text("weight", lang)
            ),
        }
        for v in (-2, -1, 0, 1, 2):
            fields[f"level_{v + 2}"] = w.Text(
                placeholder=text("level", lang, level=f"{v:+d}".replace("+0", "0")),
                layout=_full(),
            )
        fields["baseline"] = w.Dropdown(
            options=[("–", None), *levels], value=None, description=text("baseline", lang)
        )
        fields["follow_up"] = w.Dropdown(
            options=[("–", None), *levels], value=None, description=text("follow_up", lang)
        )
        return fields

    def read(self, fields: dict[str, w.Widget]) -> dict[str, Any]:
        raw = super().read(fields)
        return {
            "goal": raw["goal"],
            "weight": raw["weight"],
            "levels": {str(v): raw[f"level_{v + 2}"] for v in (-2, -1, 0, 1, 2)},
            "baseline": raw["baseline"],
            "follow_up": raw["follow_up"],
        }

    def fill(self, fields: dict[str, w.Widget], values: dict[str, Any]) -> None:
        flat = dict(values)
        for key, level_text in (values.get("levels") or {}).items():
            try:
                flat[f"level_{int(key) + 2}"] = level_text
            except ValueError:
                continue
        super().fill(fields, flat)

    def get(self) -> Any:
        rows = [self.read(f) for f in self.row_fields]
        rows = [r for r in rows if r["goal"] or any(r["levels"].values())]
        return rows or None


_WIDGETS: dict[str, type[QuestionWidget]] = {
    "text": _TextWidget,
    "long_text": _LongTextWidget,
    "single_choice": _SingleChoiceWidget,
    "multi_choice": _MultiChoiceWidget,
    "likert": _LikertWidget,
    "scale": _ScaleWidget,
    "number": _NumberWidget,
    "ranking": _RankingWidget,
    "dot_vote": _DotVoteWidget,
    "action_items": _ActionItemsWidget,
    "gas_goal": _GasGoalWidget,
}


def question_widget(
    question: Any, lang: str = "de", *, ideas_provider: IdeasProvider | None = None
) -> QuestionWidget:
    """The widget for ``question`` (by its ``type``)."""
    try:
        cls = _WIDGETS[question.type]
    except KeyError:
        msg = f"no sheet widget for question type {question.type!r} (question {question.id!r})"
        raise ParameterError(msg) from None
    if cls is _DotVoteWidget and ideas_provider is not None:
        cls = type("_BoundDotVote", (_DotVoteWidget,), {"ideas_provider": staticmethod(ideas_provider)})
    return cls(question, lang)


# --------------------------------------------------------------------------- form
class SheetForm:
    """The questions of a sheet (or of one phase of a loop) as widgets."""

    def __init__(
        self,
        template: Any,
        *,
        phase: str | None = None,
        lang: str = "de",
        ideas_provider: IdeasProvider | None = None,
    ) -> None:
        self.template = template
        self.phase = phase
        self.lang = lang
        self.questions = list(template.all_questions(phase))
        self.widgets: dict[str, QuestionWidget] = {
            q.id: question_widget(q, lang, ideas_provider=ideas_provider) for q in self.questions
        }
        self._callbacks: list[Callable[[], None]] = []
        for qw in self.widgets.values():
            qw.on_change(self._changed)
        self.box = w.VBox([qw.box for qw in self.widgets.values()], layout=_full())
        self.update_visibility()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after any answer changes."""
        self._callbacks.append(callback)

    def _changed(self) -> None:
        self.update_visibility()
        for callback in self._callbacks:
            callback()

    def update_visibility(self) -> None:
        """Show or hide questions with ``show_if`` according to the answers so far."""
        current: dict[str, Any] = {}
        for q in self.questions:
            qw = self.widgets[q.id]
            shown = q.show_if is None or bool(q.show_if.is_met(current))
            qw.visible = shown
            if shown:
                value = qw.get()
                if value is not None:
                    current[q.id] = value

    def answers(self) -> dict[str, Any]:
        """Raw answers of the visible questions (unanswered ones left out)."""
        out: dict[str, Any] = {}
        for q in self.questions:
            qw = self.widgets[q.id]
            if not qw.visible:
                continue
            value = qw.get()
            if value is not None:
                out[q.id] = value
        return out

    def draft_answers(self) -> dict[str, Any]:
        """All answers given, including hidden ones (for drafts)."""
        out = {}
        for qid, qw in self.widgets.items():
            value = qw.get()
            if value is not None:
                out[qid] = value
        return out

    def set_answers(self, answers: dict[str, Any]) -> None:
        """Fill the widgets from ``answers`` (e.g. a draft); unknown ids are ignored."""
        for qid, value in answers.items():
            qw = self.widgets.get(qid)
            if qw is not None:
                try:
                    qw.set(value)
                except (TypeError, ValueError, KeyError):  # a stale draft must not break the page
                    log.warning("could not restore draft answer for %s", qid)
        self.update_visibility()

    def local_problems(self) -> list[AnswerProblem]:
        """Problems the widgets find themselves (e.g. a rank given twice)."""
        problems: list[AnswerProblem] = []
        for qw in self.widgets.values():
            check = getattr(qw, "local_problems", None)
            if check is not None and qw.visible:
                problems += check()
        return problems

    def validate(self) -> dict[str, Any]:
        """Cleaned answers, or :class:`AnswerValidationError` with every problem shown."""
        local = self.local_problems()
        problems = list(local)
        cleaned: dict[str, Any] = {}
        try:
            cleaned = self.template.validate(self.answers(), phase=self.phase)
        except AnswerValidationError as error:
            problems += error.problems
        self.show_problems(problems)
        if problems:
            raise AnswerValidationError(self.template.id, problems)
        return cleaned

    def show_problems(self, problems: Sequence[AnswerProblem]) -> None:
        """Show each problem next to its question; clear the others."""
        grouped: dict[str, list[AnswerProblem]] = {}
        for problem in problems:
            grouped.setdefault(problem.question_id, []).append(problem)
        for qid, qw in self.widgets.items():
            qw.show_problems(grouped.get(qid, []))


# --------------------------------------------------------------------------- app
def error_box(message: str, lang: str = "de") -> w.Widget:
    """A friendly error panel (class ``tk-page-error``) for a broken link or store."""
    title = text("page_error_title", lang)
    body = html.escape(message).replace("\n", "<br>")
    box = w.HTML(f"<b>{title}</b><br>{body}", layout=_full())
    box.add_class("tk-page-error")
    return box


class SheetApp:
    """A participant's sheet: code, form, drafts, submit, confirmation and feedback."""

    def __init__(
        self,
        template: Any,
        request: SheetRequest,
        *,
        store: Any,
        drafts: DraftStore | None = None,
        ideas_provider: IdeasProvider | None = None,
        autosave_delay: float = 0.7,
    ) -> None:
        self.session = SheetSession(template, request, store=store, drafts=drafts)
        self.full_template = template
        self.request = request
        self.lang = request.lang
        template = self.session.template
        self.template = template
        self.store = store
        self.drafts = drafts
        self.phase = self.session.phase
        self.ideas_provider = ideas_provider
        self.autosave_delay = autosave_delay
        self.code: str | None = None
        self.draft: Draft | None = None
        self.form: SheetForm | None = None
        self.response_id: int | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        self._submitting = False

        title = html.escape(template.title.get(self.lang))
        sub = []
        if request.pilot:
            sub.append(f"{text('pilot', self.lang)} {html.escape(request.pilot)}")
        if request.loop is not None:
            sub.append(f"{text('loop', self.lang)} {request.loop}")
        if self.phase:
            sub.append(html.escape(template.phase(self.phase).title.get(self.lang)))
        header = f"<h2>{title}</h2>" + (f"<div class='tk-help'>{' · '.join(sub)}</div>" if sub else "")
        intro = template.intro if self.phase is None else template.phase(self.phase).intro
        if intro is not None:
            header += f"<p>{html.escape(intro.get(self.lang))}</p>"
        self.header = _html(header)
        self.body = w.VBox([], layout=_full())
        self.widget = w.VBox([self.header, self.body], layout=_full())
        self.widget.add_class("tk-sheet")
        if request.code:
            self.start(request.code)
        else:
            self.body.children = [self._code_step()]

    # -- step 1: participant code
    def _code_step(self) -> w.Widget:
        from transferkit.privacy import new_participant_code

        lang = self.lang
        info = w.HTML(text("code_intro", lang), layout=_full())
        code = w.Text(placeholder=text("code_placeholder", lang), layout=_full())
        code.add_class("tk-code")
        start = w.Button(description=text("code_continue", lang), button_style="primary")
        start.add_class("tk-code-start")
        generate = w.Button(description=text("code_generate", lang))
        generate.add_class("tk-code-generate")
        message = w.HTML("")
        message.add_class("tk-error")

        def on_generate(_b: Any) -> None:
            code.value = new_participant_code()

        def on_start(_b: Any) -> None:
            try:
                value = check_code(code.value)
            except ParameterError:
                message.value = "⚠ " + text("code_refused", lang)
                return
            self.start(value)

        generate.on_click(on_generate)
        start.on_click(on_start)
        return w.VBox([info, code, w.HBox([start, generate]), message], layout=_full())

    def _key(self) -> DraftKey:
        return self.session.key(self.code or "")

    # -- step 2: the form
    def start(self, code: str) -> None:
        """Show the form for participant ``code``, restoring their draft."""
        self.code = code
        self.form = SheetForm(
            self.template, phase=self.phase, lang=self.lang, ideas_provider=self.ideas_provider
        )
        self.draft = self.session.open(code)
        if self.draft is not None and self.draft.answers:
            self.form.set_answers(self.draft.answers)
        self.form.on_change(self._schedule_save)
        lang = self.lang
        who = _html(
            f"<div class='tk-help'>{text('code_label', lang)}: <b class='tk-code-shown'>"
            f"{html.escape(code)}</b> · {text('legend', lang)}</div>"
        )
        self.summary = w.HTML("", layout=w.Layout(width="100%", display="none"))
        self.summary.add_class("tk-error-summary")
        self.submit_button = w.Button(
            description=text("submit", lang),
            button_style="success",
            icon="check",
            layout=w.Layout(width="100%", height="3em"),
        )
        self.submit_button.add_class("tk-submit")
        self.submit_button.on_click(lambda _b: self.submit())
        self.confirm = w.HTML("", layout=w.Layout(width="100%", display="none"))
        self.confirm.add_class("tk-confirm")
        self.feedback_box = w.VBox([], layout=_full())
        self.body.children = [
            who,
            self.form.box,
            self.summary,
            self.submit_button,
            self.confirm,
            self.feedback_box,
        ]
        if self.draft is not None and self.draft.submitted:
            self._confirm(self.draft.response_id, again=True)

    def _schedule_save(self) -> None:
        if self.drafts is None or self.response_id is not None:
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.autosave_delay, self.save_draft)
            self._timer.daemon = True
            self._timer.start()

    def save_draft(self) -> None:
        """Save the answers so far (called automatically after changes)."""
        if self.drafts is None or self.form is None:
            return
        try:
            self.draft = self.session.save_draft(self.code or "", self.form.draft_answers())
        except TransferkitError:
            log.exception("draft not saved")
        except Exception:  # the page must keep working without drafts
            log.exception("draft not saved")

    # -- step 3: submit
    def submit(self) -> int | None:
        """Validate; show problems, or store the response once and confirm it."""
        if self.form is None or self._submitting:
            return None
        self._submitting = True
        self.submit_button.disabled = True
        lang = self.lang
        try:
            try:
                self.form.validate()
            except AnswerValidationError as error:
                n = len(error.problems)
                self.summary.value = "⚠ " + text("summary", lang, n=n)
                self.summary.layout.display = None
                return None
            self.summary.layout.display = "none"
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()
            try:
                result = self.session.submit(
                    self.code or "", self.form.answers(), draft_answers=self.form.draft_answers()
                )
            except AnswerValidationError as error:  # e.g. the store validates more strictly
                self.form.show_problems(error.problems)
                self.summary.value = "⚠ " + html.escape(str(error))
                self.summary.layout.display = None
                return None
            except TransferkitError as error:
                self.summary.value = "⚠ " + text("save_failed", lang) + html.escape(str(error))
                self.summary.layout.display = None
                return None
            self.response_id = result.response_id
            self._confirm(self.response_id, again=result.again)
            return self.response_id
        finally:
            self._submitting = False
            if self.response_id is None:
                self.submit_button.disabled = False

    def _confirm(self, response_id: int | None, *, again: bool = False) -> None:
        lang = self.lang
        self.response_id = response_id
        message = text("confirm", lang, n=response_id)
        if again:
            message += " " + text("confirm_again", lang)
        self.confirm.value = message
        self.confirm.layout.display = None
        self.submit_button.disabled = True
        self.submit_button.layout.display = "none"
        if self.form is not None:
            for qw in self.form.widgets.values():
                _disable(qw.input)
        # The feedback comes after the confirmation has gone out.
        _soon(self.show_feedback)

    def show_feedback(self) -> None:
        """Show the template's feedback for the submitted answers (if it defines one)."""
        try:
            from transferkit.feedback import feedback_widget

            answers = self.form.answers() if self.form is not None else {}
            fb = feedback_widget(self.template, answers, phase=self.phase, lang=self.lang)
        except Exception:  # feedback is a bonus; never break the confirmation
            log.exception("feedback failed")
            fb = None
        if fb is not None:
            self.feedback_box.children = [fb]


def _soon(callback: Callable[[], None]) -> None:
    """Run ``callback`` on the kernel's event loop after the current message (now without one).

    In a kernel the widget updates made so far are sent and the kernel is idle
    again before ``callback`` starts, so the page shows them first.
    """
    import asyncio

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        callback()
        return
    loop.call_later(0.1, callback)


def _disable(widget: w.Widget) -> None:
    if hasattr(widget, "disabled"):
        widget.disabled = True
    for child in getattr(widget, "children", ()):
        _disable(child)


def sheet_app(query: str | None = None, *, store: Any = None) -> w.Widget:
    """The sheet page for a query string (default: the page's own); never raises.

    A broken link, unknown template or unreachable store gives a readable
    error panel (``tk-page-error``), not a traceback.
    """
    lang = "de"
    try:
        query_string = get_query_string() if query is None else query
        lang = parse_query(query_string).lang
        link = open_session(query_string, store=None)  # a broken link fails before the store opens
        request, template = link.request, link.full_template
        if store is None:
            from transferkit.store import Store

            store = Store()
        drafts = DraftStore.for_store(store)
        from transferkit.live import ideas_provider_for

        provider = ideas_provider_for(store, template, request)
        app = SheetApp(template, request, store=store, drafts=drafts, ideas_provider=provider)
        return app.widget
    except TransferkitError as error:
        return error_box(str(error), lang)
    except Exception:
        log.exception("sheet app failed")
        return error_box(
            text("unexpected_error", lang),
            lang,
        )


def warm_up() -> None:
    """Import what a sheet needs (run before a visitor arrives, in a preheated kernel)."""
    import transferkit.feedback
    import transferkit.live
    import transferkit.privacy
    import transferkit.store
    import transferkit.templates

    transferkit.templates.list_templates()
    # pandas and matplotlib are left out on purpose: loading, validating and
    # submitting a sheet needs neither (the store imports pandas only to return
    # DataFrames, e.g. the ideas of a dot vote), and each would cost every kernel
    # tens of MB. The feedback chart is HTML (transferkit.feedback.bars_html).
    _full(), _flex(), _hidden()
    for cls in (HTMLStyle, DescriptionStyle, CheckboxStyle):
        _style(cls)
