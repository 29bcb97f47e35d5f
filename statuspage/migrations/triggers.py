"""Writes the SQL of audit triggers for a new migration (its output is pasted, never imported).

A migration that adds columns to an audited table (or rebuilds one, which drops its
triggers) drops that table's triggers and creates new ones: generate their text with
`audit_triggers` and paste it into the new `.sql` file, as 0301, 0302, 0501 and 0502 did.
"""

from __future__ import annotations


def audit_triggers(
    table: str, key: str, incident: str, columns: tuple[str, ...], watched: tuple[str, ...] = ()
) -> str:
    """Triggers copying each row change of `table` into audit_log, with the transaction's actor.

    `key` and `incident` are SQL expressions over the row (written with a `{row}.` prefix);
    JSON columns are named with a `json:` prefix so they are embedded as objects. Only changes
    to `watched` columns (default: all) are recorded on UPDATE. Frozen once shipped: a later
    migration that adds columns drops these triggers and creates new ones.
    """

    def row_json(row: str) -> str:
        parts = []
        for column in columns:
            name = column.removeprefix("json:")
            value = f"json({row}.{name})" if column.startswith("json:") else f"{row}.{name}"
            parts.append(f"'{name}', {value}")
        return f"json_object({', '.join(parts)})"

    def trigger(op: str, event: str, before: str, after: str, row: str, when: str = "") -> str:
        return (
            f"CREATE TRIGGER audit_{table}_{op} AFTER {event} ON {table}{when} BEGIN\n"
            "    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name,"
            " row_id, incident_id, op, before, after)\n"
            f"    SELECT tx_id, at, actor, via, source, action, '{table}',"
            f" {key.format(row=row)}, {incident.format(row=row)}, '{op}', {before}, {after}"
            " FROM audit_now;\nEND;\n"
        )

    names = [c.removeprefix("json:") for c in watched or columns]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in names)
    of = f" OF {', '.join(names)}" if watched else ""
    return (
        trigger("insert", "INSERT", "NULL", row_json("NEW"), "NEW")
        + trigger(
            "update", f"UPDATE{of}", row_json("OLD"), row_json("NEW"), "NEW", f" WHEN {changed}"
        )
        + trigger("delete", "DELETE", row_json("OLD"), "NULL", "OLD")
    )
