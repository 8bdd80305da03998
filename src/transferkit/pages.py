"""HTML pages from jinja2 templates, every value escaped.

One environment per package folder of ``*.html.j2`` files (:func:`environment`),
with autoescape always on: a value put into a page is text unless it is
:class:`~markupsafe.Markup` (the package's own style sheets and scripts,
fragments rendered by these templates). Participants' and moderators' texts are
never made ``Markup``. Undefined names raise (``StrictUndefined``).

Examples
--------
>>> env = environment("transferkit.sheets.web")
>>> env.from_string("<p>{{ x }}</p>").render(x="<b>&</b>")
'<p>&lt;b&gt;&amp;&lt;/b&gt;</p>'
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import jinja2

__all__ = ["environment", "render", "template"]


@functools.cache
def environment(package: str, folder: str = "templates") -> jinja2.Environment:
    """The jinja2 environment of the templates in ``folder`` of ``package`` (made once)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # package files: loaded once
    )
    # ``tojson`` as the page scripts read it: compact, UTF-8, keys in their order
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "separators": (",", ":")}
    return env


def template(
    package: str, name: str, *, folder: str = "templates", helpers: Mapping[str, Any] | None = None
) -> jinja2.Template:
    """The template ``name`` of ``package``'s ``folder``, with ``helpers`` (functions) as globals."""
    return environment(package, folder).get_template(
        name, globals=None if helpers is None else dict(helpers)
    )


def render(
    package: str,
    name: str,
    /,
    *,
    folder: str = "templates",
    helpers: Mapping[str, Any] | None = None,
    **context: Any,
) -> str:
    """The template ``name`` of ``package``'s ``folder`` rendered with ``context``."""
    return template(package, name, folder=folder, helpers=helpers).render(**context)
