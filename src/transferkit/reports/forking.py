"""Whether report notebooks can run in forked children here (no heavy imports: asked before
any worker starts). See :mod:`transferkit.reports.engine`."""

from __future__ import annotations

import os
import sys

__all__ = ["fork_available"]


def fork_available() -> bool:
    """Whether notebooks can run in forked children here (POSIX ``fork`` on Linux).

    macOS has ``fork`` but its system libraries are not safe to use after it.
    """
    return hasattr(os, "fork") and sys.platform.startswith("linux")
