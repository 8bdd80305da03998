"""Participant text is text in the reports: stored payloads come out escaped.

Every free text that reaches a report (reflection-loop inputs, action items, round-table
ideas and vote keys, the moderator's dot-vote groups, GAS goals, pilot and company names)
is a hostile payload here. The displayed outputs are exported exactly as the report runner
exports them (``runner._to_html``) and the HTML is parsed: no element or attribute that a
payload could have brought, no live link, and each payload's words are visible as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from transferkit.reports import content as rd
from transferkit.reports.content import common

#: Each payload sets ``window.__tk_pwned`` if it ever runs (the browser test checks that).
PAYLOADS = [
    '<img src=x onerror="window.__tk_pwned=1">',
    "<svg onload=window.__tk_pwned=1>",
    '<details open ontoggle="window.__tk_pwned=1"><summary>mehr</summary></details>',
    "<script>window.__tk_pwned=1</script>",
    "javascript:window.__tk_pwned=1",
    "[klick](javascript:window.__tk_pwned=1)",
    '<a href="javascript:window.__tk_pwned=1">Link</a>',
    '<iframe srcdoc="<script>parent.__tk_pwned=1</script>"></iframe>',
    '<a href="data:text/html,&lt;script&gt;window.__tk_pwned=1&lt;/script&gt;">Daten</a>',
    "![Bild](https://evil.example/pixel.png)",
    "<https://evil.example/autolink>",
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<style>body{background:url("https://evil.example/bg.png")}</style>',
    "# Überschrift\n* [Punkt](javascript:window.__tk_pwned=1)",
    "Zeile eins\nZeile zwei mit <b>fett</b> & *Betonung*",
]
#: One line each: usable as round-table ideas (one per line) and as vote keys.
ONE_LINE = [p for p in PAYLOADS if "\n" not in p]

_PHASES = {
    "information": ("learned", "info_useful"),
    "anwendung": ("tried", "app_success"),
    "austausch": ("worked", "exchange_quality"),
    "optimierung": ("lessons", "loop_satisfaction"),
}


def hostile_store(path: Path) -> str:
    """A store whose every free text is a payload; returns its URL (pilot ``P01``, loop 1)."""
    from transferkit.privacy import new_participant_code
    from transferkit.store import Store

    url = f"sqlite:///{path}"
    with Store(url) as store:
        store.add_company("C01", PAYLOADS[0], employees=20)
        store.add_company("C02", PAYLOADS[3], employees=20)
        store.add_pilot(
            "P01",
            PAYLOADS[2] + " Pilot",
            PAYLOADS[1] + " pilot",
            companies=["C01", "C02"],
            start="2025-01-01",
            end="2025-12-31",
            loops=2,
        )
        codes = [new_participant_code() for _ in PAYLOADS]
        for n, code in enumerate(codes):
            store.add_participant(code, company="C01" if n % 2 else "C02", pilot="P01")
        for n, (code, payload) in enumerate(zip(codes, PAYLOADS, strict=True)):
            for phase, (text, rating) in _PHASES.items():
                store.submit(
                    "reflection_loop",
                    {text: payload, rating: 1 + n % 5},
                    pilot="P01",
                    loop=1,
                    phase=phase,
                    participant=code,
                )
        for n in range(0, len(ONE_LINE), 3):
            ideas = ONE_LINE[n : n + 3]
            store.submit(
                "round_table",
                {"ideas": "\n".join(ideas), "votes": dict.fromkeys(ideas, 1)},
                pilot="P01",
                loop=1,
                participant=codes[n],
            )
        for n, payload in enumerate(PAYLOADS):
            store.add_action_item(
                "P01", 1, payload, owner=ONE_LINE[n % len(ONE_LINE)][:200], due="2025-06-30"
            )
        goals = [
            {
                "goal": payload[:200],
                "weight": 1.0,
                "baseline": -1,
                "follow_up": 1,
                "levels": {str(k): f"{payload[:100]} ({k})" for k in range(-2, 3)},
            }
            for payload in ONE_LINE[:5]
        ]
        store.submit(
            "pilot_goals",
            {"topic": "other", "topic_other": PAYLOADS[4], "goals": goals},
            pilot="P01",
            participant=codes[0],
        )
        store.close_loop(
            "P01",
            1,
            {"participants": len(codes)},
            dots=[{"group": payload, "dots": 2} for payload in ONE_LINE[:4]],
        )
    return url


# --------------------------------------------------------------------------- HTML checks
class _Page(HTMLParser):
    """Elements with their attributes, and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "br":
            self.text.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(page: str) -> _Page:
    """The parsed page."""
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


#: What may appear in a report page; nothing else (no script, svg, iframe, details, link, ...).
ALLOWED = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "div",
    "p",
    "br",
    "ul",
    "ol",
    "li",
    "em",
    "strong",
    "h1",
    "h2",
    "h3",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "span",
}


def problems_of(page: str, *, whole_page: bool = True) -> list[str]:
    """Everything a payload could have brought into ``page``: a list of findings."""
    parsed = parse(page)
    found = []
    metas = 0
    for tag, attrs in parsed.elements:
        if tag not in ALLOWED:
            found.append(f"element <{tag}> {attrs}")
        for name, value in attrs.items():
            if name.startswith("on") or name in ("srcdoc", "formaction", "action", "href"):
                found.append(f"attribute {name}={value!r} on <{tag}>")
            if name == "src" and not value.startswith("data:image/png;base64,"):
                found.append(f"src={value!r} on <{tag}>")
            if name == "style" and "url(" in value:
                found.append(f"style with url(): {value!r}")
        if tag == "meta":
            metas += 1
            if attrs.get("http-equiv", "").lower() not in ("", "content-security-policy"):
                found.append(f"meta {attrs}")
    if whole_page and metas > 3:  # charset, viewport, the policy
        found.append(f"{metas} meta elements")
    return found


def visible_text(page: str) -> str:
    """The page's text as a reader sees it (line breaks from <br>)."""
    return "".join(parse(page).text)


def exported(monkeypatch: pytest.MonkeyPatch, show: Callable[[], None], title: str = "t") -> str:
    """The HTML that the report runner exports for what ``show`` displays, without a kernel."""
    import nbformat
    from IPython.core.formatters import DisplayFormatter

    from transferkit.reports.runner import _to_html

    outputs: list[Any] = []
    formatter = DisplayFormatter()

    def capture(obj: Any, raw: bool = False) -> None:
        data, metadata = (obj, {}) if raw else formatter.format(obj)
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))

    monkeypatch.setattr(common, "_display", capture)
    show()
    cells = [nbformat.v4.new_code_cell("shown()", outputs=outputs)]
    return _to_html(nbformat.v4.new_notebook(cells=cells), title)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from transferkit.store import Store

    url = hostile_store(tmp_path_factory.mktemp("hostile") / "store.db")
    with Store(url) as opened:
        yield opened


def _show_all(report: Any) -> Callable[[], None]:
    def show() -> None:
        rd.show_report_header(report)
        for key in report.sections:
            rd.show_section(report, key)

    return show


# --------------------------------------------------------------------------- the reports
@pytest.mark.parametrize("lang", ["de", "en"])
def test_loop_protocol_shows_every_payload_as_text(
    store: Any, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    report = rd.loop_protocol(store, "P01", 1, lang)
    page = exported(monkeypatch, _show_all(report), report.title)
    assert problems_of(page) == []
    text = visible_text(page)
    for payload in PAYLOADS:
        assert payload in text, payload  # as the participant wrote it, line breaks kept
    assert "*Betonung*" in text  # no Markdown emphasis either
    assert len([t for t, _ in parse(page).elements if t == "h1"]) == 1  # "# Überschrift" is text


def test_every_input_of_a_phase_is_one_bullet_with_its_line_breaks(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = rd.loop_protocol(store, "P01", 1)
    page = exported(monkeypatch, lambda: rd.show_section(report, "information"))
    items = re.findall(r"<li>(.*?)</li>", re.sub(r"<br\s*/?>", "<br>", page), re.DOTALL)
    assert len(items) == len(PAYLOADS)
    assert "Zeile eins<br>Zeile zwei mit &lt;b&gt;fett&lt;/b&gt; &amp; *Betonung*" in items


def test_pilot_report_shows_titles_names_goals_and_items_as_text(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = rd.pilot_report(store, "P01")
    page = exported(monkeypatch, _show_all(report), report.title)
    assert problems_of(page) == []
    text = visible_text(page)
    for payload in (PAYLOADS[0], PAYLOADS[2], PAYLOADS[3], ONE_LINE[4]):  # names, title, a goal
        assert payload in text, payload


def test_network_and_needs_reports_show_names_as_text(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for report in (rd.network_report(store, "C01", "en"), rd.needs_report(store, "C02")):
        page = exported(monkeypatch, _show_all(report), report.title)
        assert problems_of(page) == [], report.title
    bench = rd.network_report(store, "C01", "en").sections["benchmark"]
    assert PAYLOADS[0] in bench.heading  # the company's name, shown as text by show_section


def test_no_report_output_is_markdown(store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing the package displays passes through a Markdown renderer."""
    from IPython.core.formatters import DisplayFormatter

    shown: list[dict[str, Any]] = []
    formatter = DisplayFormatter()
    monkeypatch.setattr(
        common,
        "_display",
        lambda obj, raw=False: shown.append(obj if raw else formatter.format(obj)[0]),
    )
    for report in (rd.loop_protocol(store, "P01", 1), rd.pilot_report(store, "P01")):
        _show_all(report)()
    assert shown
    assert not [d for d in shown if "text/markdown" in d]


def test_show_text_escapes_and_structures() -> None:
    html = common.text_html("Erster Absatz <b>\n\nZweiter\nmit Umbruch")
    assert html == "<p>Erster Absatz &lt;b&gt;</p><p>Zweiter<br>mit Umbruch</p>"
    assert common.list_html(["a & b", "<i>x</i>\ny"]) == (
        "<ul><li>a &amp; b</li><li>&lt;i&gt;x&lt;/i&gt;<br>y</li></ul>"
    )
    assert (
        common.heading_html('"<T>"', 1) == "<h1>&#34;&lt;T&gt;&#34;</h1>"
    )  # jinja2 escapes " as &#34;
    assert common.text_html("x", emphasis=True) == "<p><em>x</em></p>"


def test_table_cells_headers_and_captions_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    frame = pd.DataFrame({PAYLOADS[3]: [PAYLOADS[0], 1.5], "n": [PAYLOADS[6], 2]})
    page = exported(monkeypatch, lambda: rd.show_table(frame, PAYLOADS[1]))
    assert problems_of(page) == []
    text = visible_text(page)
    for payload in (PAYLOADS[0], PAYLOADS[1], PAYLOADS[3], PAYLOADS[6]):
        assert payload in text


def test_figure_captions_and_alt_texts_are_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    caption = '"><img src=x onerror=window.__tk_pwned=1>'
    page = exported(monkeypatch, lambda: rd.show_figure(fig, caption))
    assert problems_of(page) == []
    images = [a for t, a in parse(page).elements if t == "img"]
    assert [a["alt"] for a in images] == [caption]


def test_figure_labels_with_dollar_signs_are_not_mathtext(store: Any) -> None:
    """Goal texts on the GAS figure's axis are drawn as written, never parsed as TeX."""
    import matplotlib.pyplot as plt
    import pandas as pd

    from transferkit.reports.content.figures import draw_gas

    goals = pd.DataFrame(
        {
            "goal": [r"Kosten $\frac{1}{0$ senken", "$x$ und $y$"],
            "baseline": [-1, 0],
            "follow_up": pd.array([1, None], dtype="Int64"),
        }
    )
    fig, ax = plt.subplots()
    draw_gas(ax=ax, goals=goals, lang="de")
    fig.canvas.draw()  # a mathtext error would raise here
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert all(not t.get_usetex() for t in ax.get_yticklabels())
    assert labels == [r"Kosten \$\frac{1}{0\$ senken", r"\$x\$ und \$y\$"]


# --------------------------------------------------------------------------- the export
def test_export_loads_nothing_from_a_cdn_and_carries_a_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = exported(monkeypatch, lambda: rd.show_heading("Titel"))
    parsed = parse(page)
    assert not [a for t, a in parsed.elements if t in ("script", "link")]
    assert not re.search(r"https?://", re.sub(r"<style.*?</style>", "", page, flags=re.DOTALL))
    assert "mathjax" not in page.lower()
    assert "require.min.js" not in page.lower()
    policies = [
        a["content"]
        for t, a in parsed.elements
        if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert len(policies) == 1
    directives = dict(d.strip().split(" ", 1) for d in policies[0].split(";") if d.strip())
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["img-src"] == "data:"
    assert directives["form-action"] == "'none'"
    assert "style-src" in directives
    # the policy comes before anything it governs
    head = page.split("</head>", 1)[0]
    assert head.index("Content-Security-Policy") < head.index("<style")


def test_export_escapes_the_page_title(monkeypatch: pytest.MonkeyPatch) -> None:
    page = exported(monkeypatch, lambda: rd.show_heading("x"), title=PAYLOADS[3])
    assert problems_of(page) == []
    assert "<script>" not in page


# --------------------------------------------------------------------------- the index
def test_index_shows_titles_and_errors_as_text_and_links_stay_relative(tmp_path: Path) -> None:
    from urllib.parse import unquote, urlsplit

    from transferkit.reports import ReportJob, write_index
    from transferkit.reports.runner import ReportResult

    name = "javascript:window.__tk_pwned=1"
    made = ReportResult(
        job=ReportJob("pilot", {}),
        name=name,
        ok=True,
        html=tmp_path / f"{name}.html",
        json=tmp_path / f"{name}.json",
        key_figures={"title": PAYLOADS[0] + PAYLOADS[3]},
    )
    failed = ReportResult(job=ReportJob("protocol", {}), name="p", ok=False, error=PAYLOADS[1])
    page = write_index([made, failed], tmp_path).read_text(encoding="utf-8")
    parsed = parse(page)
    links = [a["href"] for t, a in parsed.elements if t == "a"]
    assert len(links) == 2
    for link in links:
        assert not urlsplit(link).scheme, link  # a relative link to the file, never javascript:
        assert (tmp_path / unquote(link)).name.startswith(name)
    found = [f for f in problems_of(page) if not f.startswith(("attribute href=", "element <a> "))]
    assert found == []
    text = visible_text(page)
    assert PAYLOADS[0] + PAYLOADS[3] in text
    assert PAYLOADS[1] in text
    policy = [
        a["content"]
        for t, a in parsed.elements
        if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert policy
    assert "script-src 'none'" in policy[0]
