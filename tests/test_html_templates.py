"""HTML comes from jinja2 templates with autoescape (issue 11): no hand-made HTML is left.

The web sheet page, the printable sheet, the loop protocol and the report index are
rendered by ``*.html.j2`` templates through :mod:`transferkit.pages`. Their modules are
read here (``ast``): no f-string or string constant with an HTML tag, no ``html.escape``,
no hand-written entities. The scanner is shown to catch a planted example.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest

from transferkit import pages

PACKAGE = Path(__file__).parents[1] / "src" / "transferkit"
MODULES = [
    "sheets/web/render.py",
    "sheets/printable.py",
    "live/protocol.py",
    "live/projector.py",
    "live/projector_controls.py",
    "reports/index.py",
    "sheets/code_cards.py",
    "sheets/feedback.py",
    "reports/content/common.py",
    "sheets/gas_followup.py",
    "pages.py",
    "reports/tables.py",
    "reports/pdf.py",
    "reports/word.py",
    "reports/exports.py",
    "reports/content/figure_tables.py",
    "sheets/web/vote.py",
    "sheets/web/vote_http.py",
    "live/vote_panel.py",
    "live/votes.py",
    "live/screens.py",
]
#: (package, folder) of each template folder, and its templates.
FOLDERS = {
    ("transferkit.sheets.web", "templates"): [
        "document.html.j2",
        "entry.html.j2",
        "error.html.j2",
        "parts.html.j2",
        "questions.html.j2",
        "sections.html.j2",
        "sheet.html.j2",
        "vote.html.j2",
    ],
    ("transferkit.sheets", "templates"): [
        "code_cards.html.j2",
        "feedback.html.j2",
        "gas_followup.html.j2",
        "printable.html.j2",
    ],
    ("transferkit.live", "templates"): [
        "projector.html.j2",
        "projector_link.html.j2",
        "proposal.html.j2",
        "protocol.html.j2",
        "screens.html.j2",
        "vote_panel.html.j2",
    ],
    ("transferkit.reports", "templates/batch_index"): ["page.html.j2"],
    ("transferkit.reports", "templates/exports"): [
        "links.html.j2",
        "marker.html.j2",
        "pdf_footer.html.j2",
        "pdf_header.html.j2",
    ],
}
TAGS = (
    "a",
    "b",
    "body",
    "br",
    "button",
    "div",
    "fieldset",
    "form",
    "h1",
    "h2",
    "h3",
    "head",
    "header",
    "html",
    "input",
    "label",
    "li",
    "main",
    "meta",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "small",
    "span",
    "style",
    "table",
    "td",
    "template",
    "textarea",
    "th",
    "title",
    "tr",
    "ul",
)
_TAG = re.compile(r"</?\s*(?:" + "|".join(TAGS) + r")(?=[\s>/])", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);", re.IGNORECASE)


# --------------------------------------------------------------------------- the scanner
def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (module, classes, functions): prose, not output."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def hand_made_html(source: str, name: str = "<source>") -> list[str]:
    """Every place in ``source`` that makes or escapes HTML by hand: a list of findings."""
    tree = ast.parse(source, name)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.JoinedStr):
            parts = "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )
            if _TAG.search(parts) or _ENTITY.search(parts):
                found.append(f"{where}: f-string with HTML {parts[:60]!r}")
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
        ):
            if _TAG.search(node.value) or _ENTITY.search(node.value):
                found.append(f"{where}: string with HTML {node.value[:60]!r}")
        elif isinstance(node, ast.Call):
            func = node.func
            named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if named in ("escape", "quoteattr"):
                found.append(f"{where}: call of {named}()")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            )
            if any(m in ("html", "xml.sax.saxutils") for m in modules):
                found.append(f"{where}: import of {modules}")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_hand_made_html_in_the_page_modules(module: str) -> None:
    path = PACKAGE / module
    assert hand_made_html(path.read_text(encoding="utf-8"), module) == []


PLANTED = '''
"""A module whose docstring may show <div class="x"> markup."""
import html

def box(label: str) -> str:
    """Returns <p>...</p>."""
    return f'<div class="tk-box">{html.escape(label)}</div>'

def item(text: str) -> str:
    return "<li>" + text.replace("<", "&lt;") + "</li>"

def field(name: str) -> str:
    return f"<input name={name!r}>"

ROW = "<table><tr><td>x</td></tr></table>"
'''


def test_the_scanner_catches_a_planted_example() -> None:
    found = hand_made_html(PLANTED, "planted.py")
    text = "\n".join(found)
    assert "planted.py:3: import of ['html']" in text
    assert "planted.py:7: f-string with HTML" in text
    assert "planted.py:7: call of escape()" in text
    assert "planted.py:10: string with HTML '<li>'" in text
    assert "planted.py:10: string with HTML '&lt;'" in text  # escaping by hand
    assert "planted.py:13: f-string with HTML" in text
    assert "planted.py:15: string with HTML '<table>" in text
    assert not [f for f in found if ":2:" in f or ":6:" in f]  # docstrings are prose
    assert hand_made_html('"""<div>"""\nX = "a < b, <!--MARK-->"\n') == []


# --------------------------------------------------------------------------- the templates
def _all_templates() -> list[tuple[str, str, str]]:
    return [
        (package, folder, name) for (package, folder), names in FOLDERS.items() for name in names
    ]


def test_every_template_folder_is_listed() -> None:
    """The folders hold just the listed templates (a new one is added to FOLDERS and the wheel test)."""
    for (package, folder), names in FOLDERS.items():
        path = PACKAGE.joinpath(*package.split(".")[1:], folder)
        assert sorted(p.name for p in path.glob("*.j2")) == sorted(names), path


@pytest.mark.parametrize(("package", "folder", "name"), _all_templates())
def test_templates_escape_everything_and_know_no_undefined_name(
    package: str, folder: str, name: str
) -> None:
    env = pages.environment(package, folder)
    assert env.autoescape is True
    assert env.undefined is jinja2.StrictUndefined
    env.get_template(name)  # compiles
    assert env.loader is not None
    source = re.sub(r"\{#.*?#\}", "", env.loader.get_source(env, name)[0], flags=re.DOTALL)
    assert not re.search(r"\|\s*safe\b", source), "no |safe: Markup comes from Python only"
    assert not re.search(r"autoescape\s+false", source)


def test_an_undefined_name_is_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        pages.render("transferkit.sheets", "printable.html.j2", lang="de", policy="x", title="t")


def test_a_value_is_text_unless_it_is_markup() -> None:
    env = pages.environment("transferkit.sheets")
    page = env.from_string('<p title="{{ x }}">{{ x }}</p>').render(x="\"'<&>")
    assert page == '<p title="&#34;&#39;&lt;&amp;&gt;">&#34;&#39;&lt;&amp;&gt;</p>'


# --------------------------------------------------------------------------- the pages
def test_the_inline_script_is_sheet_js_as_its_csp_hash_says() -> None:
    from transferkit.sheets.query import parse_query
    from transferkit.sheets.session import SheetSession
    from transferkit.sheets.web.render import asset, render_page, script_hash
    from transferkit.templates import load_template

    session = SheetSession(
        load_template("training_feedback"), parse_query("sheet=training_feedback"), store=None
    )
    page = render_page(session, api="/sheet/api/")
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert scripts == [asset("sheet.js")]
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert script_hash() == f"'sha256-{digest}'"
    style = re.findall(r"<style>(.*?)</style>", page, re.DOTALL)
    assert len(style) == 1
    assert style[0].startswith(asset("sheet.css"))  # the CSS as it is: ">" stays ">"


def test_every_question_type_has_its_macro() -> None:
    from transferkit.templates import QUESTION_TYPES

    module = pages.template("transferkit.sheets.web", "questions.html.j2").module
    widgets = module.widgets  # type: ignore[attr-defined]
    assert set(widgets) == set(QUESTION_TYPES)
    assert all(isinstance(macro, jinja2.runtime.Macro) for macro in widgets.values())
    # loaded without the web sheet's helpers first: its own environment is not touched
    from transferkit.sheets.web.render import render_form
    from transferkit.templates import load_template

    assert "tk-question" in render_form(load_template("training_feedback"))


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text += data


PAYLOAD = "\"><img src=x onerror=alert(1)><script>alert(2)</script>'&amp;"


def _parsed(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_user_text_in_every_page_stays_text(tmp_path: Path) -> None:
    """One payload in the texts of all four pages: never an element or attribute, always text."""
    import json
    from datetime import datetime

    from transferkit.live import LoopSummary, protocol_html
    from transferkit.reports import ReportJob, write_index
    from transferkit.reports.runner import ReportResult
    from transferkit.sheets.printable import template_to_html
    from transferkit.sheets.query import parse_query
    from transferkit.sheets.session import SheetSession
    from transferkit.sheets.web.render import error_page, render_page
    from transferkit.templates import load_template_string

    texts = {"de": PAYLOAD, "en": PAYLOAD}
    template = load_template_string(
        json.dumps(
            {
                "id": "p",
                "version": 1,
                "title": texts,
                "intro": texts,
                "questions": [
                    {
                        "id": "q",
                        "type": "single_choice",
                        "label": texts,
                        "help": texts,
                        "options": [{"value": "a", "label": texts}],
                    }
                ],
            }
        )
    )
    session = SheetSession(template, parse_query("sheet=p&pilot=P01"), store=None)
    summary = LoopSummary(
        pilot=PAYLOAD,
        loop=1,
        indicators={"participants": PAYLOAD},
        board={"groups": {PAYLOAD: [PAYLOAD]}, "dots": [{"target": PAYLOAD, "dots": PAYLOAD}]},
        decisions=[{"what": PAYLOAD, "decision": "done"}],
        new_items=[{"what": PAYLOAD, "who": PAYLOAD, "due": PAYLOAD}],
        closed_at=datetime(2025, 1, 1),
    )
    result = ReportResult(
        job=ReportJob("pilot", {}),
        name="n",
        ok=True,
        html=tmp_path / "n.html",
        key_figures={"title": PAYLOAD},
    )
    failed = ReportResult(job=ReportJob("needs", {}), name="m", ok=False, error=PAYLOAD)
    shown = {
        "sheet": render_page(session, api="/a/", code=None, code_error=PAYLOAD),
        "error": error_page(PAYLOAD, title=PAYLOAD),
        "printable": template_to_html(template),
        "protocol": protocol_html(summary),
        "index": write_index([result, failed], tmp_path).read_text(encoding="utf-8"),
    }
    for name, page in shown.items():
        parsed = _parsed(page)
        assert "img" not in parsed.tags, name
        assert "onerror" not in parsed.attrs, name
        assert parsed.tags.count("script") == (2 if name == "sheet" else 0), name
        assert PAYLOAD in parsed.text, name
