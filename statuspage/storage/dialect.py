"""SQLite's SQL, as PostgreSQL reads it: the few fragments where the dialects differ.

The query modules are written once, in SQLite's dialect with `?` or `:name` parameters.
On PostgreSQL each statement is translated once (cached) by the table of rewrites below,
and its parameters numbered `$1..$n`. What cannot be rewritten this way lives in the
PostgreSQL migrations instead (the `nocase` collation, the `rowid` identity columns).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

# Table -> its primary key: `INSERT OR REPLACE` becomes an upsert on it.
_KEYS = {
    "automation_alerts": ("source", "fingerprint", "component_id"),
    "component_holds": ("component_id",),
}

_PARAM = r"(\?|:\w+)"

_EACH = r"\(\s*SELECT value FROM json_each\(" + _PARAM + r"\)\s*\)"  # noqa: S608
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    # json_each over a JSON list parameter: an array parameter (the connection decodes it).
    (re.compile(rf"\bNOT\s+IN\s*{_EACH}"), r"<> ALL(\1)"),
    (re.compile(rf"\bIN\s*{_EACH}"), r"= ANY(\1)"),
    # A claim (of outbox rows): rows another transaction is claiming are left to it.
    (re.compile(r"/\* skip locked \*/"), "FOR UPDATE SKIP LOCKED"),
    (re.compile(r"\binstr\("), "strpos("),
    (re.compile(r"\bgroup_concat\("), "string_agg("),
    # Two-argument MAX/MIN are scalar in SQLite.
    (re.compile(r"\bMAX\(([^(),]+),([^(),]+)\)"), r"GREATEST(\1,\2)"),
    (re.compile(r"\bMIN\(([^(),]+),([^(),]+)\)"), r"LEAST(\1,\2)"),
    (re.compile(r"\bAS REAL\b"), "AS DOUBLE PRECISION"),
    # SQLite's IS compares any two values; PostgreSQL's only with NULL, TRUE or FALSE.
    (re.compile(r"\bIS NOT\s+(?!NULL\b|TRUE\b|FALSE\b|DISTINCT\b)"), "IS DISTINCT FROM "),
    (re.compile(r"\bIS\s+(?!NOT\b|NULL\b|TRUE\b|FALSE\b|DISTINCT\b)"), "IS NOT DISTINCT FROM "),
)

_SUM = re.compile(r"\bSUM\(((?:[^()]|\([^()]*\))*)\)")
_COMPARISON = re.compile(r"=|\bIS NOT NULL\b|\bIN \(")


def _sum_of_booleans(match: re.Match[str]) -> str:
    """SUM over a comparison counts its true rows: SQLite's booleans are 0 and 1."""
    inner = match.group(1)
    if inner.lstrip().upper().startswith("CASE") or not _COMPARISON.search(inner):
        return match.group(0)
    return f"SUM(({inner})::int)"


_IGNORE = re.compile(r"INSERT OR IGNORE INTO")
_REPLACE = re.compile(r"INSERT OR REPLACE INTO (\w+) \(([^)]*)\)")
_RETURNING = re.compile(r"\sRETURNING\s", re.I)
_TOKENS = re.compile(r"'(?:[^']|'')*'|\"[^\"]*\"|::|\?\d*|:\w+", re.S)
# After numbering: a parameter only tested for NULL has no type of its own (text, then);
# LIMIT -1 is SQLite's "no limit", LIMIT NULL PostgreSQL's.
_AFTER = (
    (re.compile(r"(\$\d+)( IS (?:NOT )?NULL)"), r"\1::text\2"),
    (re.compile(r"\bLIMIT (\$\d+)"), r"LIMIT NULLIF(\1::bigint, -1)"),
)


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, tuple[str | int, ...]]:
    """`sql` in PostgreSQL's dialect, and the order of its parameters: the positions of
    `?` parameters or the names of `:name` ones, one per `$n`."""
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)
    sql = _SUM.sub(_sum_of_booleans, sql)
    sql = _conflict_clause(sql)
    order: list[str | int] = []
    positional = 0

    def number(match: re.Match[str]) -> str:
        nonlocal positional
        part = match.group(0)
        if part == "?":
            order.append(positional)
            positional += 1
            return f"${len(order)}"
        if part.startswith("?"):  # ?NNN: the NNNth argument
            index = int(part[1:]) - 1
            positional = max(positional, index + 1)
            if index not in order:
                order.append(index)
            return f"${order.index(index) + 1}"
        if part.startswith(":") and part != "::":
            name = part[1:]
            if name not in order:
                order.append(name)
            return f"${order.index(name) + 1}"
        return part

    sql = _TOKENS.sub(number, sql)
    for pattern, replacement in _AFTER:
        sql = pattern.sub(replacement, sql)
    for listed in set(re.findall(r"(?:ANY|ALL)\((\$\d+)\)", sql)):  # a list tested for NULL
        sql = sql.replace(f"{listed}::text IS", f"{listed}::text[] IS")
    return sql, tuple(order)


def _conflict_clause(sql: str) -> str:
    """`INSERT OR IGNORE` / `OR REPLACE` as an `ON CONFLICT` clause at the statement's end."""
    clause = ""
    if _IGNORE.search(sql):
        sql, clause = _IGNORE.sub("INSERT INTO", sql), " ON CONFLICT DO NOTHING"
    elif match := _REPLACE.search(sql):
        table, columns = match.group(1), [c.strip() for c in match.group(2).split(",")]
        key = _KEYS[table]
        sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        clause = f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
        sql = sql[: match.start()] + f"INSERT INTO {table} ({match.group(2)})" + sql[match.end() :]
    if not clause:
        return sql
    returning = _RETURNING.search(sql)
    if returning:
        return sql[: returning.start()] + clause + sql[returning.start() :]
    return sql.rstrip().rstrip(";") + clause


def bind(params: Sequence[Any] | dict[str, Any], order: tuple[str | int, ...]) -> list[Any]:
    """The arguments of a translated statement, in `$n` order."""
    if isinstance(params, dict):
        return [params[str(name)] for name in order]
    return [params[i] for i in order]  # type: ignore[index]
