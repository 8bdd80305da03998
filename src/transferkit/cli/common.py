"""Pieces shared by the click commands: the --db help text and friendly errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click

from transferkit.exceptions import TransferkitError

if TYPE_CHECKING:
    from transferkit.store import Store

__all__ = ["DB_HELP", "friendly_errors", "open_store", "write_atomically"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

DB_HELP = (
    "Store URL (any SQLAlchemy URL, e.g. postgresql://user@host/db). "
    "Default: $TRANSFERKIT_DB, else data/transferkit.db."
)


def friendly_errors(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn transferkit errors, and files that cannot be read or written, into their
    message (no traceback) and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except TransferkitError as error:
            raise click.ClickException(str(error)) from error
        except OSError as error:  # a folder that does not exist, no permission, disk full
            where = f" {error.filename}" if error.filename else ""
            msg = (
                f"cannot read or write{where}: {error.strerror or error}; nothing else was changed"
            )
            raise click.ClickException(msg) from error

    return wrapper


def open_store(url: str | None) -> Store:
    """The store at ``url`` (default: ``$TRANSFERKIT_DB``, else ``data/transferkit.db``)."""
    from transferkit.store import Store

    return Store(url)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written file."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
