"""Helpers of the tests that start servers or wait for pages (importable by name: ``server_helpers``)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from typing import Any

__all__ = ["stop_process_group", "wait_until"]


def wait_until(check: Any, timeout: float = 15.0, interval: float = 0.25) -> Any:
    """``check()`` again and again until it is truthy or ``timeout`` s have passed; its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    return check()


def stop_process_group(process: Any, timeout: float = 20.0) -> None:
    """Stop a server started in its own session (SIGTERM to its group, SIGKILL after ``timeout``)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
