"""The one check for templates a link names: built-in names, or files in the allowed folder.

Participants' sheets (:func:`transferkit.sheets.session.load_sheet_template`)
and the moderator screens (:mod:`transferkit.live.screens`) load the template of a
link (``sheet=…``) only through :func:`load_visitor_template`. Whoever has
the link decides the name, so the name is treated as hostile:

- a built-in name (:func:`~transferkit.templates.list_templates`), or
- a ``.yaml`` / ``.yml`` file name inside the allowed folder,
  ``$TRANSFERKIT_TEMPLATE_DIR`` (default: the current folder, the
  ``workshops`` folder of ``transferkit serve``): relative, no ``..``, no
  hidden parts; resolved with symlinks followed and still inside the folder;
  a regular file of at most :data:`MAX_TEMPLATE_BYTES`.

What a visitor is told (:class:`~transferkit.exceptions.ParameterError`,
German / English) names the file they asked for and nothing else: no server
path, no contents, no key names, and the same words for a missing file as
for a refused one. The full problem goes to the log
(``logging.getLogger("transferkit.templates.access")``), i.e. the
moderator's terminal. :func:`~transferkit.templates.load_template` (the CLI,
``transferkit templates validate``) is unchanged and keeps every detail.

Examples
--------
>>> load_visitor_template("round_table").id
'round_table'
>>> custom_template_file("needs_analysis") is None
True
>>> load_visitor_template("/etc/passwd.yaml")
Traceback (most recent call last):
...
transferkit.exceptions.ParameterError: Vorlage „passwd.yaml“ nicht gefunden oder nicht verwendbar: bitte eine eingebaute Vorlage oder eine .yaml-Datei im Workshop-Ordner angeben (Einzelheiten im Server-Protokoll der Moderation). / template 'passwd.yaml' not found or not usable: use a built-in template or a .yaml file in the workshops folder (details in the moderator's server log).
"""

from __future__ import annotations

import logging
import os
import re
import stat
from pathlib import Path, PurePosixPath

from transferkit.exceptions import ParameterError, TemplateError
from transferkit.i18n import both
from transferkit.templates.loader import list_templates, load_template, load_template_string
from transferkit.templates.model import Template

__all__ = [
    "MAX_TEMPLATE_BYTES",
    "TEMPLATE_DIR_ENV",
    "custom_template_file",
    "load_visitor_template",
    "template_dir",
]

log = logging.getLogger(__name__)

#: Environment variable naming the folder custom templates are read from.
TEMPLATE_DIR_ENV = "TRANSFERKIT_TEMPLATE_DIR"
#: Largest custom template file read for a link (the built-in ones are under 20 KB).
MAX_TEMPLATE_BYTES = 256 * 1024

_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,99}")


def template_dir() -> Path:
    """The folder custom templates are read from: ``$TRANSFERKIT_TEMPLATE_DIR`` or the current folder."""
    return Path(os.environ.get(TEMPLATE_DIR_ENV) or Path.cwd()).resolve()


def _shown(name: str) -> str:
    """The part of a visitor's name that may be echoed: its last part, if it is a plain file name."""
    last = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    return last if _FILE_NAME.fullmatch(last) else "…"


def _unknown(name: str) -> ParameterError:
    shown = _shown(name)
    builtin = ", ".join(list_templates())
    msg = both("link.unknown_template", shown=shown, builtin=builtin)
    return ParameterError(msg)


#: Reasons already logged in full (a room of participants opening one broken template
#: logs its problems once, not once per request); bounded.
_LOGGED: set[tuple[str, str]] = set()


def _unavailable(name: str, why: str) -> ParameterError:
    """The one answer for every refused or broken file; ``why`` goes to the log only."""
    if (name, why) in _LOGGED:
        log.warning("template %r refused again for a link (the reason is logged above)", name)
    else:
        log.warning("template %r refused for a link: %s", name, why)
        if len(_LOGGED) < 1000:
            _LOGGED.add((name, why))
    shown = _shown(name)
    msg = both("link.template_unavailable", shown=shown)
    return ParameterError(msg)


def custom_template_file(name: str) -> Path | None:
    """The checked file of a custom template name, or ``None`` for a built-in template.

    Raises :class:`ParameterError` (short, German / English, no path) for an
    unknown name or a file that may not be read; the reason is logged.
    """
    if not isinstance(name, str) or not name:
        raise _unknown(str(name))
    if name in list_templates():
        return None
    if not name.lower().endswith((".yaml", ".yml")):
        raise _unknown(name)
    root = template_dir()
    parts = PurePosixPath(name).parts
    if (
        "\\" in name
        or "\x00" in name
        or name.startswith("/")
        or not parts
        or any(p in ("", ".", "..") or p.startswith(".") for p in parts)
    ):
        raise _unavailable(name, "not a plain relative file name (absolute, '..' or hidden part)")
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise _unavailable(name, f"{path} is outside the template folder {root}")
    try:
        info = path.stat()
    except OSError as exc:
        raise _unavailable(name, f"{path} cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _unavailable(name, f"{path} is not a regular file")
    if info.st_size > MAX_TEMPLATE_BYTES:
        raise _unavailable(
            name, f"{path} is too large ({info.st_size} bytes, at most {MAX_TEMPLATE_BYTES})"
        )
    return path


def _read(name: str, path: Path) -> str:
    """The file's text, checked again on the open file (it may have been swapped meanwhile)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise _unavailable(name, f"{path} cannot be opened ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _unavailable(name, f"{path} is not a regular file")
        data = handle.read(MAX_TEMPLATE_BYTES + 1)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise _unavailable(name, f"{path} is too large (more than {MAX_TEMPLATE_BYTES} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unavailable(name, f"{path} is not UTF-8 text (byte {exc.start})") from None


def load_visitor_template(name: str) -> Template:
    """The template a link names: built-in, or a checked file in :func:`template_dir`.

    Raises :class:`ParameterError` with a short German / English message that
    reveals no path, no contents and no key names; an invalid file's full
    :class:`~transferkit.exceptions.TemplateError` is logged for the moderator.
    """
    path = custom_template_file(name)
    if path is None:
        return load_template(name)
    text = _read(name, path)
    try:
        return load_template_string(text, source=str(path))
    except TemplateError as error:
        raise _unavailable(name, str(error)) from None
    except (RecursionError, MemoryError, ValueError, TypeError) as error:
        raise _unavailable(name, f"{path} could not be loaded: {type(error).__name__}") from None
