"""The light web sheet of ``transferkit serve``: participants' sheets without a kernel each.

A sheet link (``/sheet?sheet=needs_analysis&pilot=P01&loop=2``) gives one
server-rendered HTML page with a small inline script; answers go to a JSON
API in the same tornado process (Voilà's, or :func:`make_app`'s) and through
the same :class:`~transferkit.sheets.session.SheetSession` as the ipywidgets
sheet. Modules: :mod:`~transferkit.sheets.web.render` (template → HTML),
:mod:`~transferkit.sheets.web.service` (what the API does, without HTTP),
:mod:`~transferkit.sheets.web.app` (tornado handlers, :func:`handlers`,
:func:`make_app`); ``static/sheet.js`` and ``static/sheet.css`` are inlined.
"""

from transferkit.sheets.web.app import BackgroundServer, handlers, make_app
from transferkit.sheets.web.service import SheetService

__all__ = ["BackgroundServer", "SheetService", "handlers", "make_app"]
