"""The moderator screens' fragments from ``live/templates/screens.html.j2`` (issue 11).

The screens' own tests (test_live, test_loop_closing, test_loop_moderator) show the
participants' texts escaped on the idea wall, the vote table, the cards, the groups and
the protocol; here the parts they do not reach: the error panel, the join box, the
timer, the page's style and the printable summary shown as the page it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from transferkit.live import LoopSummary, ProtocolResult, protocol_html
from transferkit.live.screens import (
    PAGE_CSS,
    ReflectionLoopScreen,
    error_box,
    page_style,
    qr_svg,
    reflection_loop_app,
    round_table_app,
)
from transferkit.store import Store

HOSTILE = "<img src=x onerror=\"alert(1)\"> & 'quoted'"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: dict[str, list[str | None]] = {}
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            self.attrs.setdefault(name, []).append(value)

    def handle_data(self, data: str) -> None:
        self.text += data


def _parsed(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def test_the_error_panel_shows_the_message_as_text_line_by_line() -> None:
    box = error_box(HOSTILE + "\nZweite Zeile", "de")
    parsed = _parsed(box.value)
    assert "img" not in parsed.tags
    assert parsed.tags == ["b", "br", "br"]  # the title, then the two lines
    assert HOSTILE in parsed.text
    assert "tk-page-error" in box._dom_classes


def test_the_join_boxes_link_the_url_and_show_its_qr_code(store: Store) -> None:
    screen = round_table_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    boxes = screen.tabs.children[0].children
    for box, url in zip(boxes, [screen.ideas_url, screen.vote_url], strict=True):
        parsed = _parsed(box.value)
        assert "&" in url
        assert parsed.attrs["href"] == [url]  # the address as it is, once decoded
        assert parsed.attrs["class"][0] == "tk-join-link"  # then segno's own classes
        assert url in parsed.text
        assert qr_svg(url, 7) in box.value  # segno's SVG as it is
        assert "tk-join" in box._dom_classes


def test_the_page_style_is_the_package_css_as_it_is() -> None:
    assert page_style().data == f"<style>{PAGE_CSS}</style>"


def test_the_timer_counts_down_and_says_when_time_is_up(store: Store) -> None:
    screen = reflection_loop_app("pilot=P01&loop=1&lang=en", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    timer = screen.timers[0]
    timer.minutes.value = 2
    timer.start()
    timer.ticker.stop()
    assert re.fullmatch(r"<b>0[12]:[0-5]\d</b>", timer.label.value)
    timer.end = 0.0  # long past
    timer.tick()
    assert timer.label.value == '<b style="color:#b00020">Time!</b>'


def test_a_failed_report_shows_the_printable_summary_as_a_page(store: Store) -> None:
    screen: ReflectionLoopScreen = reflection_loop_app("pilot=P01&loop=1", store=store).screen  # type: ignore[attr-defined]
    screen.ticker.stop()
    summary = LoopSummary(
        pilot="P01",
        loop=1,
        indicators={},
        board={"groups": {}, "dots": []},
        decisions=[],
        new_items=[{"what": HOSTILE, "who": None, "due": None}],
    )
    page = protocol_html(summary, "de")
    shown = screen._protocol_html(ProtocolResult(ok=False, page=page, error=HOSTILE))
    before, summary_part = shown.split("tk-protocol-summary", 1)
    assert "img" not in _parsed(before).tags
    assert HOSTILE in _parsed(before).text  # the reason, as text
    parsed = _parsed(summary_part)
    assert "body" not in parsed.tags  # just what is in <body>
    assert "head" not in parsed.tags
    assert parsed.tags.count("table") == page.count("<table")  # the page's markup, not escaped
    assert "img" not in parsed.tags
    assert HOSTILE in parsed.text


@pytest.fixture
def store() -> Store:
    s = Store("sqlite://")
    s.add_pilot("P01", "Pilot")
    return s
