"""The audit triggers of migration 0301, generated from the audited tables and columns.

Frozen once shipped, like the migration that uses them: a later migration that adds columns
to an audited table (or rebuilds one, which drops its triggers) drops that table's triggers
and creates new ones with `audit_triggers`.
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


AUDITED = (
    ("page", "{row}.id", "NULL", ("id", "name", "url", "time_zone", "created_at", "updated_at")),
    (
        "component_groups",
        "{row}.id",
        "NULL",
        ("id", "name", "description", "position", "created_at", "updated_at"),
    ),
    (
        "components",
        "{row}.id",
        "NULL",
        (
            "id",
            "name",
            "description",
            "group_id",
            "position",
            "status",
            "showcase",
            "only_show_if_degraded",
            "start_date",
            "created_at",
            "updated_at",
        ),
    ),
    (
        "incidents",
        "{row}.id",
        "{row}.id",
        (
            "id",
            "kind",
            "name",
            "status",
            "impact",
            "severity",
            "impact_override",
            "created_at",
            "updated_at",
            "started_at",
            "monitoring_at",
            "resolved_at",
            "scheduled_for",
            "scheduled_until",
            "auto_start",
            "auto_complete",
            "backfilled",
            "postmortem_body",
            "postmortem_updated_at",
            "postmortem_published_at",
            "json:metadata",
        ),
    ),
    (
        "incident_updates",
        "{row}.id",
        "{row}.incident_id",
        (
            "id",
            "incident_id",
            "status",
            "previous_status",
            "body",
            "created_at",
            "display_at",
            "updated_at",
            "json:affected_components",
            "deliver_notifications",
        ),
    ),
    (
        "incident_components",
        "{row}.incident_id || '/' || {row}.component_id",
        "{row}.incident_id",
        ("incident_id", "component_id", "status"),
    ),
    # Subscribers are recorded without their address or phone country: an append-only log
    # must hold no personal data, or an erasure request could never be honoured.
    (
        "subscribers",
        "{row}.id",
        "NULL",
        (
            "id",
            "channel",
            "state",
            "all_components",
            "language",
            "created_at",
            "updated_at",
            "confirmed_at",
            "unsubscribed_at",
        ),
    ),
    (
        "incident_templates",
        "{row}.id",
        "NULL",
        (
            "id",
            "name",
            "title",
            "body",
            "group_id",
            "update_status",
            "should_tweet",
            "should_send_notifications",
            "json:component_ids",
            "created_at",
            "updated_at",
        ),
    ),
)


AUDIT_TRIGGERS_0301 = "".join(audit_triggers(*spec) for spec in AUDITED) + audit_triggers(
    "api_keys",
    "{row}.id",
    "NULL",
    ("id", "name", "scope", "created_at", "created_by", "revoked_at"),
    watched=("name", "scope", "revoked_at"),
)
