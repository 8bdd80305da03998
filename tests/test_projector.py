"""The projector view without a browser: session state in the store, its content, the shared
snapshot, and the HTTP routes (view key, no secret on the page, the room's join address)."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tornado.web

from transferkit.exceptions import ParameterError
from transferkit.live import idea_id, tally_votes
from transferkit.live.projector import (
    SharedSnapshot,
    board_draft_key,
    projector_content,
    short_address,
    short_url,
)
from transferkit.live.projector_web import ProjectorService, projector_handlers, qr_svg
from transferkit.sheets.session import restrict_template
from transferkit.sheets.web import BackgroundServer
from transferkit.store import Store
from transferkit.store.drafts import DraftStore
from transferkit.store.live_sessions import LiveSessions, normalise_room
from transferkit.templates import load_template

PARTICIPANT_TOKEN = "participant-secret-42"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(f"sqlite:///{tmp_path / 'store.db'}")
    s.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    yield s
    s.close()


def _round_table(store: Store) -> None:
    """Two ideas sheets and two votes (one with a key that is no idea), as the web sheet stores them."""
    t = load_template("round_table")
    ideas, vote = restrict_template(t, ["ideas"]), restrict_template(t, ["votes"])
    lines = "Lernpaten\nMicro-Learning am Band"
    store.submit(ideas, {"ideas": lines}, pilot="P01", loop=1, participant="IDEA01")
    store.submit(ideas, {"ideas": "Lernpaten"}, pilot="P01", loop=1, participant="IDEA02")
    first = {idea_id("Lernpaten"): 2, idea_id("Micro-Learning am Band"): 1}
    second = {idea_id("Lernpaten"): 1, "<b>x</b>": 1}
    store.submit(vote, {"votes": first}, pilot="P01", loop=1, participant="VOTE01")
    store.submit(vote, {"votes": second}, pilot="P01", loop=1, participant="VOTE02")


# --------------------------------------------------------------------------- session state
def test_a_session_is_shared_through_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    moderator, projector = LiveSessions(url), LiveSessions(url)  # two processes' views
    s = moderator.open("reflection_loop", pilot="P01", loop=2)
    assert projector.by_room(s.room) is not None
    moderator.update(s.room, slide="inputs", phase="anwendung")
    seen = projector.by_room(s.room)
    assert seen is not None
    assert (seen.state["slide"], seen.state["phase"], seen.version) == ("inputs", "anwendung", 2)
    assert moderator.open("reflection_loop", pilot="P01", loop=2).room == s.room
    other = moderator.open("reflection_loop", pilot="P01", loop=3)
    assert other.room != s.room
    assert other.view_key != s.view_key


def test_state_changes_are_checked(tmp_path: Path) -> None:
    sessions = LiveSessions(f"sqlite:///{tmp_path / 's.db'}")
    s = sessions.open("round_table", pilot="P01", loop=1)
    with pytest.raises(ParameterError, match="unknown slide"):
        sessions.update(s.room, slide="everything")
    with pytest.raises(ParameterError, match="unknown live session state"):
        sessions.update(s.room, token="x")
    assert sessions.by_room("not a code") is None
    assert normalise_room("k7m-4qx") == "K7M4QX"
    with pytest.raises(ParameterError, match="not a room code"):
        normalise_room("K0M4QX")  # 0 is no room code character (looks like O)


# --------------------------------------------------------------------------- content
def test_round_table_content_has_ideas_and_the_vote_totals(store: Store) -> None:
    _round_table(store)
    sessions = LiveSessions.for_store(store)
    s = sessions.open("round_table", pilot="P01", loop=1)
    s = sessions.update(s.room, phase="votes", slide="results")
    content = projector_content(store, s, base_url="http://10.0.0.5:8866/")
    t = load_template("round_table")
    frame = store.responses(template=t, pilot="P01", loop=1)
    labels = {
        idea_id("Lernpaten"): "Lernpaten",
        idea_id("Micro-Learning am Band"): "Micro-Learning am Band",
    }
    expected = tally_votes(frame, "votes", labels)  # the reference: the function the screen uses
    assert content["results"]["rows"] == [
        [r["label"], r["points"]] for r in expected.to_dict("records")
    ]
    assert content["results"]["rows"] == [["Lernpaten", 3], ["Micro-Learning am Band", 1]]
    assert content["results"]["voters"] == 2
    assert "Lernpaten" in content["cards"]
    assert content["join"] == {
        "short": "10.0.0.5:8866/j/" + s.room,
        "url": "http://10.0.0.5:8866/j/" + s.room,
    }
    raw = json.dumps(content)
    for code in ("IDEA01", "VOTE01", "<b>x</b>", s.view_key):
        assert code not in raw  # no participant code, no unknown vote key, no secret


def test_hidden_results_show_turnout_only(store: Store) -> None:
    _round_table(store)
    sessions = LiveSessions.for_store(store)
    s = sessions.update(sessions.open("round_table", pilot="P01", loop=1).room, reveal=False)
    content = projector_content(store, s, base_url="http://h/")
    assert content["results"] == {"rows": [], "voters": 2, "revealed": False}


def test_loop_content_follows_the_phase_and_the_timer(store: Store) -> None:
    t = load_template("reflection_loop")
    store.submit(
        t,
        {"learned": "Kanban", "info_useful": 4},
        pilot="P01",
        loop=2,
        phase="information",
        participant="A1",
    )
    store.submit(
        t,
        {"tried": "WIP-Limits", "app_success": 4},
        pilot="P01",
        loop=2,
        phase="anwendung",
        participant="A1",
    )
    sessions = LiveSessions.for_store(store)
    room = sessions.open("reflection_loop", pilot="P01", loop=2).room
    s = sessions.update(room, phase="anwendung", timer_end=time.time() + 300, timer_total=300)
    content = projector_content(store, s, base_url="http://h/")
    assert content["cards"] == ["WIP-Limits"]
    assert content["heading"] == "2 · Anwendung"
    assert 298 <= content["timer"]["left"] <= 300
    assert content["timer"]["total"] == 300
    board = board_draft_key("reflection_loop", "P01", 2)  # where the screen saves its board
    DraftStore.for_store(store).save(board, {"dots": {"Lernen im Team": 4, "Werkzeuge": 6, "x": 0}})
    rows = projector_content(store, s, base_url="http://h/")["results"]["rows"]
    assert rows == [["Werkzeuge", 6], ["Lernen im Team", 4]]


def test_the_snapshot_builds_once_per_interval_for_any_number_of_readers() -> None:
    snap: SharedSnapshot[int] = SharedSnapshot(ttl=0.5)
    started = threading.Barrier(40)

    def build() -> int:
        time.sleep(0.05)  # a store query
        return snap.builds

    def reader() -> None:
        started.wait()
        for _ in range(10):
            snap.get("ROOM", build)

    threads = [threading.Thread(target=reader) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert snap.builds == 1  # 400 reads within the interval, one build
    time.sleep(0.55)
    snap.get("ROOM", build)
    assert snap.builds == 2


# --------------------------------------------------------------------------- HTTP
class _Client:
    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        conn.request("GET", path, headers=headers if self.cookies else {})
        response = conn.getresponse()
        body = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        out = {k.lower(): v for k, v in response.getheaders()}
        out["set-cookie"] = "\n".join(response.headers.get_all("Set-Cookie") or [])
        conn.close()
        return response.status, out, body


@pytest.fixture
def served(store: Store) -> Iterator[tuple[BackgroundServer, ProjectorService]]:
    service = ProjectorService(store=store, public_url="http://10.0.0.5:8866/")
    app = tornado.web.Application(projector_handlers("/", token=PARTICIPANT_TOKEN, service=service))
    with BackgroundServer(app) as server:
        yield server, service


def test_the_projector_needs_its_view_key_and_keeps_it_off_the_page(
    store: Store, served: tuple[BackgroundServer, ProjectorService]
) -> None:
    server, _service = served
    _round_table(store)
    s = LiveSessions.for_store(store).open("round_table", pilot="P01", loop=1)
    browser = _Client(server)
    status, _h, body = browser.get(f"/p/{s.room}")
    assert status == 403
    assert s.view_key not in body.decode()
    assert browser.get(f"/p/{s.room}/state")[0] == 403
    assert browser.get(f"/p/{s.room}?key=wrong-key")[0] == 403
    status, headers, _ = browser.get(f"/p/{s.room}?key={s.view_key}")
    assert status == 303
    assert headers["location"] == f"/p/{s.room}"  # the key leaves the address bar
    assert "HttpOnly" in headers["set-cookie"]
    assert s.view_key not in headers["set-cookie"]  # an HMAC of it, not the key
    status, headers, body = browser.get(f"/p/{s.room}")
    assert status == 200
    page = body.decode()
    assert "script-src 'sha256-" in headers["content-security-policy"]
    for secret in (s.view_key, PARTICIPANT_TOKEN, "token=", "IDEA01"):
        assert secret not in page
    assert qr_svg(short_url("http://10.0.0.5:8866/", s.room)) in page  # the QR is the short address
    assert short_address("http://10.0.0.5:8866/", s.room) in page
    status, _h, body = browser.get(f"/p/{s.room}/state")
    assert status == 200
    state = json.loads(body)
    assert state["room"] == s.room
    assert PARTICIPANT_TOKEN not in body.decode()
    assert s.view_key not in body.decode()
    # another room's cookie opens nothing
    other = LiveSessions.for_store(store).open("round_table", pilot="P01", loop=2)
    assert browser.get(f"/p/{other.room}/state")[0] == 403


def test_the_join_address_forwards_to_the_current_sheet(
    store: Store, served: tuple[BackgroundServer, ProjectorService]
) -> None:
    server, _service = served
    sessions = LiveSessions.for_store(store)
    s = sessions.open("reflection_loop", pilot="P01", loop=2)
    sessions.update(s.room, phase="austausch", lang="en")
    status, headers, _ = _Client(server).get(f"/j/{s.room.lower()}")
    assert status == 302
    assert headers["location"] == (
        "/sheet?sheet=reflection_loop&pilot=P01&loop=2&phase=austausch&lang=en"
        f"&token={PARTICIPANT_TOKEN}"
    )
    rt = sessions.open("round_table", pilot="P01", loop=1)
    sessions.update(rt.room, phase="votes")
    assert "questions=votes" in _Client(server).get(f"/j/{rt.room}")[1]["location"]


def test_guessing_room_codes_is_stopped(
    store: Store, served: tuple[BackgroundServer, ProjectorService]
) -> None:
    server, _service = served
    s = LiveSessions.for_store(store).open("round_table", pilot="P01", loop=1)
    guesser = _Client(server)
    statuses = [guesser.get(f"/j/{code}")[0] for code in ("AAAAAA", "BBBBBB", "CCCCCC") * 11]
    assert statuses[0] == 404
    assert statuses[-1] == 429
    assert guesser.get(f"/j/{s.room}")[0] == 429  # even the right code, for a minute


def test_many_projectors_polling_cost_one_build_per_interval(
    store: Store, served: tuple[BackgroundServer, ProjectorService]
) -> None:
    server, service = served
    _round_table(store)
    s = LiveSessions.for_store(store).open("round_table", pilot="P01", loop=1)
    screens = [_Client(server) for _ in range(8)]
    for screen in screens:
        screen.get(f"/p/{s.room}?key={s.view_key}")
    before = service.contents.builds
    started = time.monotonic()
    polls = 0
    while time.monotonic() - started < 2.0:
        for screen in screens:
            assert screen.get(f"/p/{s.room}/state")[0] == 200
            polls += 1
    builds = service.contents.builds - before
    intervals = (time.monotonic() - started) / service.contents.ttl
    assert polls > 3 * builds  # far fewer builds than requests
    assert builds <= intervals + 2


@pytest.mark.postgres
def test_sessions_on_postgresql_with_two_writers() -> None:
    """The multi-user store: two moderator kernels opening the same screen get one room."""
    from concurrent.futures import ThreadPoolExecutor

    from pg import temporary_database

    with temporary_database() as url:
        first, second = LiveSessions(url), LiveSessions(url)
        with ThreadPoolExecutor(4) as pool:
            rooms = list(
                pool.map(
                    lambda i: (
                        (first if i % 2 else second).open("round_table", pilot="P01", loop=1).room
                    ),
                    range(8),
                )
            )
        assert len(set(rooms)) == 1
        first.update(rooms[0], slide="results", reveal=False)
        seen = second.by_room(rooms[0])
        assert seen is not None
        assert (seen.state["slide"], seen.state["reveal"], seen.version) == ("results", False, 2)
        first.engine.dispose()
        second.engine.dispose()


def test_votes_from_phones_are_the_chart_once_the_moderator_opened_a_vote(
    store: Store, served: tuple[BackgroundServer, ProjectorService]
) -> None:
    """Three phones vote (transferkit.live.votes): the projector shows those totals, hidden
    until revealed if the moderator chose so; the join address leads to the vote page."""
    from transferkit.live import votes

    server, _service = served
    _round_table(store)  # a sheet dot vote too: the phones' vote replaces it once opened
    key = votes.round_table_vote("P01", 1)
    items = [("a", "Lernpaten"), ("b", "Wissensrunde"), ("c", "Checklisten")]
    votes.open_vote(store, key, items, budget=3, hidden=True)
    for code, ballot in (("PH0001", {"a": 2, "b": 1}), ("PH0002", {"a": 1}), ("PH0003", {"c": 3})):
        votes.votes_of(store).cast(key, code, ballot)
    sessions = LiveSessions.for_store(store)
    s = sessions.update(sessions.open("round_table", pilot="P01", loop=1).room, phase="votes")
    hidden = projector_content(store, s, base_url="http://h/")["results"]
    assert hidden == {"rows": [], "voters": 3, "revealed": False}
    votes.reveal(store, key)
    shown = projector_content(store, s, base_url="http://h/")["results"]
    expected = [[r["label"], r["points"]] for r in votes.totals(store, key).to_dict("records")]
    assert shown["rows"] == expected
    assert shown["rows"] == [["Lernpaten", 3], ["Checklisten", 3], ["Wissensrunde", 1]]
    status, headers, _ = _Client(server).get(f"/j/{s.room}")
    assert status == 302
    assert headers["location"].startswith("/sheet/vote?pilot=P01&loop=1&vote=round_table")
    assert headers["location"].endswith(f"token={PARTICIPANT_TOKEN}")
