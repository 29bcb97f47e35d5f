"""Named, append-only SQL migrations: one frozen `.sql` file each, applied in name order.

Never edit, rename or reorder a file once it has shipped (tests pin each file's hash): add a
new one with a higher number. Each runs in its own transaction together with the row that
records it, so running `init` twice, or two processes at once, is harmless. The audit
triggers in them were generated once with `triggers.audit_triggers` and pasted.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def migrations() -> tuple[tuple[str, str], ...]:
    """Every migration as (name, SQL script), oldest first."""
    folder = files(__package__)
    scripts = [p for p in folder.iterdir() if p.name.endswith(".sql")]
    return tuple(
        (p.name.removesuffix(".sql"), p.read_text(encoding="utf-8"))
        for p in sorted(scripts, key=lambda p: p.name)
    )
