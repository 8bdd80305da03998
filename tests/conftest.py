"""Test-wide settings: a private HOME, a headless matplotlib, no writes into the repo.

In CI (``TRANSFERKIT_REQUIRE_SERVICES=1``) a test marked ``postgres``, ``browser``
or ``java`` that skips is reported as a failure: those tests must run there.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

_SERVICE_MARKERS = ("postgres", "browser", "java")


def pytest_configure(config: pytest.Config) -> None:
    """Point HOME and the Jupyter/matplotlib config dirs at a temporary folder."""
    home = Path(tempfile.mkdtemp(prefix="transferkit-test-home-"))
    os.environ["HOME"] = str(home)
    for var, sub in [
        ("JUPYTER_CONFIG_DIR", ".jupyter"),
        ("JUPYTER_DATA_DIR", ".local/share/jupyter"),
        ("JUPYTER_RUNTIME_DIR", ".local/share/jupyter/runtime"),
        ("IPYTHONDIR", ".ipython"),
        ("MPLCONFIGDIR", ".config/matplotlib"),
    ]:
        path = home / sub
        path.mkdir(parents=True, exist_ok=True)
        os.environ[var] = str(path)
    os.environ["MPLBACKEND"] = "Agg"
    # Never touch the repository's data/transferkit.db from a test.
    os.environ["TRANSFERKIT_DB"] = f"sqlite:///{home / 'default-store.db'}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, None, None]:
    """Turn skips of service tests into failures when services are required."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    required = os.environ.get("TRANSFERKIT_REQUIRE_SERVICES") == "1"
    needs_service = any(item.get_closest_marker(m) for m in _SERVICE_MARKERS)
    if required and needs_service and report.skipped:
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} skipped although TRANSFERKIT_REQUIRE_SERVICES=1 "
            f"requires PostgreSQL, Chromium and Java: {report.longrepr}"
        )
