-- Migration 0701_automation. Frozen: never edit once shipped, add a new file.
-- Alerts in (Alertmanager, Grafana, the generic hook): component statuses that follow alerts.
-- Two CHECKs widen, which SQLite can only do by rebuilding the table: api_keys takes the
-- scope 'alerts' (a key that may only post alerts), status_changes the cause 'automation'.
-- Nothing refers to either table, so each is rebuilt beside the old one and swapped,
-- keeping every row and id; api_keys' audit triggers, dropped with it, are made again.

CREATE TABLE api_keys_0701 (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin', 'alerts')),
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at TEXT,
    last_used_from TEXT,
    revoked_at TEXT
);
INSERT INTO api_keys_0701 (id, name, scope, key_hash, created_at, created_by, last_used_at, last_used_from, revoked_at) SELECT id, name, scope, key_hash, created_at, created_by, last_used_at, last_used_from, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_0701 RENAME TO api_keys;
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
CREATE TRIGGER audit_api_keys_insert AFTER INSERT ON api_keys BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'api_keys', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'scope', NEW.scope, 'created_at', NEW.created_at, 'created_by', NEW.created_by, 'revoked_at', NEW.revoked_at) FROM audit_now;
END;
CREATE TRIGGER audit_api_keys_update AFTER UPDATE OF name, scope, revoked_at ON api_keys WHEN OLD.name IS NOT NEW.name OR OLD.scope IS NOT NEW.scope OR OLD.revoked_at IS NOT NEW.revoked_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'api_keys', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'scope', OLD.scope, 'created_at', OLD.created_at, 'created_by', OLD.created_by, 'revoked_at', OLD.revoked_at), json_object('id', NEW.id, 'name', NEW.name, 'scope', NEW.scope, 'created_at', NEW.created_at, 'created_by', NEW.created_by, 'revoked_at', NEW.revoked_at) FROM audit_now;
END;
CREATE TRIGGER audit_api_keys_delete AFTER DELETE ON api_keys BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'api_keys', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'scope', OLD.scope, 'created_at', OLD.created_at, 'created_by', OLD.created_by, 'revoked_at', OLD.revoked_at), NULL FROM audit_now;
END;

CREATE TABLE status_changes_0701 (
    id INTEGER PRIMARY KEY,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    old_status TEXT,
    new_status TEXT NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('incident', 'maintenance', 'manual', 'automation')),
    incident_id TEXT REFERENCES incidents(id) ON DELETE SET NULL
);
INSERT INTO status_changes_0701 (id, component_id, at, old_status, new_status, cause, incident_id) SELECT id, component_id, at, old_status, new_status, cause, incident_id FROM status_changes;
DROP TABLE status_changes;
ALTER TABLE status_changes_0701 RENAME TO status_changes;
CREATE INDEX status_changes_by_component ON status_changes (component_id, at);

-- The alerts automation follows: one row per (source, alert fingerprint, component).
-- state: pending (firing, waiting out the rule's `for`), firing (applied), resolving
-- (resolved, still applied until its `hold_down` is over). due_at: when pending turns
-- firing, or resolving is let go; the server's ticker looks for rows that are due.
-- status: what the alert asks of the component; the worst of the applied ones wins.
CREATE TABLE automation_alerts (
    source TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    alertname TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('degraded_performance', 'partial_outage',
        'major_outage')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolving')),
    labels TEXT NOT NULL DEFAULT '{}',
    summary TEXT NOT NULL DEFAULT '',
    first_seen_at TEXT NOT NULL,
    due_at TEXT,
    incident_id TEXT REFERENCES incidents(id) ON DELETE SET NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (source, fingerprint, component_id)
) WITHOUT ROWID;
CREATE INDEX automation_alerts_by_component ON automation_alerts (component_id, state);
CREATE INDEX automation_alerts_due ON automation_alerts (due_at) WHERE due_at IS NOT NULL;

-- The cause of each status change automation made: the rule and the alert.
CREATE TABLE automation_changes (
    status_change_id INTEGER PRIMARY KEY REFERENCES status_changes(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    source TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    alertname TEXT NOT NULL DEFAULT ''
);

-- A status a person set by hand: automation leaves the component alone until they let go
-- (`statuspage component set NAME auto`). Not audited: every manual status change, which
-- makes one, is audited in components already.
CREATE TABLE component_holds (
    component_id TEXT PRIMARY KEY REFERENCES components(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    held_at TEXT NOT NULL,
    held_by TEXT NOT NULL
);
CREATE TRIGGER audit_automation_changes_insert AFTER INSERT ON automation_changes BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'automation_changes', NEW.status_change_id, NULL, 'insert', NULL, json_object('status_change_id', NEW.status_change_id, 'component_id', NEW.component_id, 'rule', NEW.rule, 'source', NEW.source, 'fingerprint', NEW.fingerprint, 'alertname', NEW.alertname) FROM audit_now;
END;
CREATE TRIGGER audit_automation_changes_update AFTER UPDATE ON automation_changes WHEN OLD.status_change_id IS NOT NEW.status_change_id OR OLD.component_id IS NOT NEW.component_id OR OLD.rule IS NOT NEW.rule OR OLD.source IS NOT NEW.source OR OLD.fingerprint IS NOT NEW.fingerprint OR OLD.alertname IS NOT NEW.alertname BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'automation_changes', NEW.status_change_id, NULL, 'update', json_object('status_change_id', OLD.status_change_id, 'component_id', OLD.component_id, 'rule', OLD.rule, 'source', OLD.source, 'fingerprint', OLD.fingerprint, 'alertname', OLD.alertname), json_object('status_change_id', NEW.status_change_id, 'component_id', NEW.component_id, 'rule', NEW.rule, 'source', NEW.source, 'fingerprint', NEW.fingerprint, 'alertname', NEW.alertname) FROM audit_now;
END;
CREATE TRIGGER audit_automation_changes_delete AFTER DELETE ON automation_changes BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'automation_changes', OLD.status_change_id, NULL, 'delete', json_object('status_change_id', OLD.status_change_id, 'component_id', OLD.component_id, 'rule', OLD.rule, 'source', OLD.source, 'fingerprint', OLD.fingerprint, 'alertname', OLD.alertname), NULL FROM audit_now;
END;
