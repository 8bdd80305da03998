"""Pieces shared by the click commands: the --db help text and friendly errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from transferkit.exceptions import TransferkitError

__all__ = ["DB_HELP", "friendly_errors"]

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = (
    "Store URL (any SQLAlchemy URL, e.g. postgresql://user@host/db). "
    "Default: $TRANSFERKIT_DB, else data/transferkit.db."
)


def friendly_errors(func: F) -> F:
    """Turn transferkit errors into their message (no traceback) and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except TransferkitError as error:
            raise click.ClickException(str(error)) from error

    return wrapper  # type: ignore[return-value]
