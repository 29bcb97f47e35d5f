-- Migration 0001_core. Frozen: never edit once shipped, add a new file.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('revision', '0');

CREATE TABLE page (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE component_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    description TEXT,
    group_id TEXT REFERENCES component_groups(id) ON DELETE RESTRICT,
    position INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('operational', 'degraded_performance',
        'partial_outage', 'major_outage', 'under_maintenance')),
    showcase INTEGER NOT NULL DEFAULT 1,
    only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
    start_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    impact TEXT NOT NULL,
    severity TEXT,
    impact_override INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    started_at TEXT NOT NULL,
    monitoring_at TEXT,
    resolved_at TEXT,
    scheduled_for TEXT,
    scheduled_until TEXT,
    auto_start INTEGER NOT NULL DEFAULT 1,
    auto_complete INTEGER NOT NULL DEFAULT 1,
    backfilled INTEGER NOT NULL DEFAULT 0,
    postmortem_body TEXT,
    postmortem_updated_at TEXT,
    postmortem_published_at TEXT,
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX incidents_by_start ON incidents (started_at);
CREATE INDEX incidents_by_status ON incidents (kind, status);

-- The components an incident affects, and the status it last asked for on each.
CREATE TABLE incident_components (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    PRIMARY KEY (incident_id, component_id)
);
CREATE INDEX incident_components_by_component ON incident_components (component_id);

CREATE TABLE incident_updates (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    previous_status TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    display_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    affected_components TEXT NOT NULL DEFAULT '[]',
    deliver_notifications INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX incident_updates_by_incident ON incident_updates (incident_id, created_at);

-- Every change of a component's status, with its cause: the raw material of uptime.
CREATE TABLE status_changes (
    id INTEGER PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    old_status TEXT,
    new_status TEXT NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('incident', 'maintenance', 'manual')),
    incident_id TEXT REFERENCES incidents(id) ON DELETE SET NULL
);
CREATE INDEX status_changes_by_component ON status_changes (component_id, at);
