"""Moving an install from its SQLite file to PostgreSQL (`statuspage db copy`)."""

from __future__ import annotations

from pathlib import Path

from statuspage.errors import InvalidInput
from statuspage.storage.copy import copy_database
from statuspage.storage.location import DatabaseUrl, location


async def copy_install(source: Path, target: str) -> tuple[str, dict[str, int]]:
    """Copy the SQLite database `source` into the PostgreSQL database `target`: the target
    as shown (no password), and the rows copied per table."""
    where = location(target)
    if not isinstance(where, DatabaseUrl):
        raise InvalidInput(f"{target!r} is not a postgresql:// URL")
    return where.shown, await copy_database(source, where)
