"""Storage: all SQL lives in this package (aiosqlite, WAL, one connection per process)."""

from __future__ import annotations

from statuspage.storage.db import Store
from statuspage.storage.queries import Queries

__all__ = ["Queries", "Store"]
