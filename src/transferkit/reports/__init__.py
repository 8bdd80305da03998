"""Report pipeline: validate parameters, run notebooks with papermill, export HTML and key figures."""

from typing import TYPE_CHECKING, Any

from transferkit.reports.params import (
    LANGUAGES,
    REPORT_KINDS,
    Parameter,
    notebook_dir,
    notebook_parameters,
    notebook_path,
    validate_parameters,
)
from transferkit.reports.runner import (
    KEY_FIGURES_MIMETYPE,
    BatchResult,
    ReportJob,
    ReportResult,
    all_jobs,
    report_name,
    run_all,
    run_batch,
    run_report,
)

if TYPE_CHECKING:
    from transferkit.reports.index import write_index

__all__ = [
    "KEY_FIGURES_MIMETYPE",
    "LANGUAGES",
    "REPORT_KINDS",
    "BatchResult",
    "Parameter",
    "ReportJob",
    "ReportResult",
    "all_jobs",
    "notebook_dir",
    "notebook_parameters",
    "notebook_path",
    "report_name",
    "run_all",
    "run_batch",
    "run_report",
    "validate_parameters",
    "write_index",
]


def __getattr__(name: str) -> Any:
    """``write_index`` on first use: the index page needs jinja2, a wrong report id does not."""
    if name == "write_index":
        from transferkit.reports.index import write_index

        return write_index
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
