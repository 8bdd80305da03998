"""Fixtures for end-to-end tests: one real Voilà server per test module, one Chromium.

The server runs ``workshops/`` on a free port on 127.0.0.1 with a temporary
store (``TRANSFERKIT_DB``); HOME and the Jupyter dirs are already temporary
(``tests/conftest.py``). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from server_helpers import stop_process_group

from transferkit.reports.pdf import CHROMIUM_ARGS as PDF_CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]
WORKSHOPS = ROOT / "workshops"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
#: The moderator secret of the test server (participants' web sheet: open, no secret).
MODERATOR_TOKEN = "test-moderator-secret"
CHROMIUM_ARGS = list(PDF_CHROMIUM_ARGS)  # the switches the PDF export uses too


class Server:
    """A running Voilà server and its store."""

    def __init__(self, process: Any, port: int, store_url: str, log: Path) -> None:
        self.process = process
        self.port = port
        self.store_url = store_url
        self.log = log
        self.moderator_token = MODERATOR_TOKEN

    def url(self, notebook: str, query: str = "") -> str:
        """A moderator's link to ``notebook`` (with the moderator secret)."""
        base = f"http://127.0.0.1:{self.port}/voila/render/{notebook}"
        query = f"{query}&token={MODERATOR_TOKEN}" if query else f"token={MODERATOR_TOKEN}"
        return f"{base}?{query}"

    def store(self) -> Any:
        from transferkit.store import Store

        return Store(self.store_url)


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    from transferkit.guard import ServerLimits
    from transferkit.serve import start_voila
    from transferkit.store import Store

    tmp = tmp_path_factory.mktemp("voila")
    store_url = f"sqlite:///{tmp / 'store.db'}"
    store = Store(store_url)
    store.add_pilot("P01", "Pilot eins", "Pilot one", loops=3)
    store.close()
    log = tmp / "voila.log"
    env = dict(os.environ, MPLBACKEND="Agg")
    process, port = start_voila(
        WORKSHOPS,
        store_url=store_url,
        env=env,
        log_path=log,
        moderator_token=MODERATOR_TOKEN,
        # every test page is a kernel until culled: more than a moderator ever opens
        limits=ServerLimits(max_kernels=40),
    )
    try:
        yield Server(process, port, store_url, log)
    finally:
        stop_process_group(process)


@pytest.fixture(scope="session")
def browser() -> Generator[Any, None, None]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium not found at /usr/bin/chromium: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Open pages in fresh contexts (phone-sized); closed after the test."""
    contexts: list[Any] = []

    def make(width: int = 390, height: int = 844) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(30_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> None:
    """Save a full-page screenshot as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture
def shot() -> Any:
    """``shot(page, name)`` saves a screenshot to ``test-artifacts/``."""
    return screenshot
