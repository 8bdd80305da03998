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

from collections.abc import Mapping
from typing import Any

import jinja2

__all__ = ["environment", "render", "template"]


#: The environments made so far: (package, folder, id of helpers) -> (helpers, environment).
_MADE: dict[tuple[str, str, int], tuple[Mapping[str, Any] | None, jinja2.Environment]] = {}


def environment(
    package: str, folder: str = "templates", helpers: Mapping[str, Any] | None = None
) -> jinja2.Environment:
    """The jinja2 environment of the templates in ``folder`` of ``package`` (made once per
    ``helpers``: the functions its templates call, its globals from the start)."""
    key = (package, folder, id(helpers))
    if key not in _MADE:
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
        env.globals.update(helpers or {})
        _MADE[key] = (helpers, env)  # keeps ``helpers`` alive, so its id stays its own
    return _MADE[key][1]


def template(
    package: str, name: str, *, folder: str = "templates", helpers: Mapping[str, Any] | None = None
) -> jinja2.Template:
    """The template ``name`` of ``package``'s ``folder``, with ``helpers`` (functions) as globals."""
    return environment(package, folder, helpers).get_template(name)


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
