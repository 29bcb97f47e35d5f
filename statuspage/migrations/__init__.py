"""Named, append-only SQL migrations: one frozen `.sql` file each, applied in name order.

Never edit, rename or reorder a file once it has shipped (tests pin each file's hash): add a
new one with a higher number. Each runs in its own transaction together with the row that
records it, so running `init` twice, or two processes at once, is harmless. The audit
triggers in them were generated once with `triggers.audit_triggers` and pasted.

`postgresql/` holds the same migrations, by the same names, in PostgreSQL's dialect (audit
triggers as PL/pgSQL functions); a PostgreSQL database records them in the same table.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def migrations(dialect: str = "sqlite") -> tuple[tuple[str, str], ...]:
    """Every migration of `dialect` (sqlite, postgresql) as (name, SQL script), oldest first."""
    folder = files(__package__)
    if dialect != "sqlite":
        folder = folder.joinpath(dialect)
    scripts = [p for p in folder.iterdir() if p.name.endswith(".sql")]
    return tuple(
        (p.name.removesuffix(".sql"), p.read_text(encoding="utf-8"))
        for p in sorted(scripts, key=lambda p: p.name)
    )
