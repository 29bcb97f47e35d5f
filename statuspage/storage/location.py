"""Where the database is: an SQLite file (a Path) or a PostgreSQL server (a DatabaseUrl)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class DatabaseUrl:
    """A PostgreSQL database, `postgresql://user@host:port/name?search_path=schema`. It
    answers the questions callers ask of an SQLite file: it exists (the server says otherwise
    when connecting), and it is itself resolved."""

    url: str

    def exists(self) -> bool:
        return True

    def is_file(self) -> bool:
        return True

    def resolve(self) -> DatabaseUrl:
        return self

    def __str__(self) -> str:
        return self.url

    @property
    def shown(self) -> str:
        """The URL without its password, for messages and logs."""
        return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", self.url)


Location = Path | DatabaseUrl


def location(value: str | Path | DatabaseUrl) -> Location:
    """A setting's text as a location: a URL of PostgreSQL's schemes, else a file path."""
    if isinstance(value, (Path, DatabaseUrl)):
        return value
    if value.startswith(_SCHEMES):
        return DatabaseUrl(value)
    return Path(value)
