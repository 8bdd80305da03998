"""Response store (SQLAlchemy): SQLite by default, PostgreSQL for multi-user deployments."""

from transferkit.store.engine import DEFAULT_PATH, ENV_VAR, resolve_url
from transferkit.store.schema import ACTION_STATUSES, ROLES, SCHEMA_VERSION
from transferkit.store.sme import SIZE_CLASSES, size_class
from transferkit.store.store import RESPONSE_COLUMNS, Store, TemplateLike

__all__ = [
    "ACTION_STATUSES",
    "DEFAULT_PATH",
    "ENV_VAR",
    "RESPONSE_COLUMNS",
    "ROLES",
    "SCHEMA_VERSION",
    "SIZE_CLASSES",
    "Store",
    "TemplateLike",
    "resolve_url",
    "size_class",
]
