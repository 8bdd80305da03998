"""The kernel of a report where notebooks cannot run in forked children (no POSIX ``fork``).

See :mod:`transferkit.reports.engine` for the fork engine used wherever it can be.
"""

from __future__ import annotations

import sys

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

__all__ = ["ThisPythonKernelManager"]


class ThisPythonKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel is ``sys.executable -m ipykernel_launcher``.

    Independent of the kernelspecs installed for the user (tests run with an
    empty ``HOME``; a user's ``python3`` spec may name another interpreter).
    ``extra_env`` is added to the kernel's environment.
    """

    extra_env: dict[str, str] = {}  # noqa: RUF012 - replaced per run by a subclass

    @property
    def kernel_spec(self) -> KernelSpec:
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                name="python3",
                display_name=f"Python 3 ({sys.executable})",
                language="python",
                argv=[
                    sys.executable,
                    "-Xfrozen_modules=off",
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                    "--IPKernelApp.log_level=ERROR",
                ],
                env={"MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1", **self.extra_env},
                interrupt_mode="signal",
            )
        return self._kernel_spec
