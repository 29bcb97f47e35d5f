-- Migration 0703_checks. Frozen: never edit once shipped, add a new file.
-- Built-in checks (HTTP, TCP, DNS probes the server runs; statuspage.checks).

-- Every probe's outcome, kept STATUSPAGE_CHECK_RETENTION days (the runner prunes older ones).
-- outcome: up, degraded (slow, or a certificate about to expire) or down. Not audited: a
-- row every interval per check would drown the log; what they change is audited below.
CREATE TABLE check_results (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('up', 'degraded', 'down')),
    latency_ms REAL,
    detail TEXT NOT NULL DEFAULT '',
    cert_expires_at TEXT
);
CREATE INDEX check_results_by_name ON check_results (name, at);
CREATE INDEX check_results_by_at ON check_results (at);

-- Each check's state as its retries have settled it: up, degraded or down since `since`;
-- failures counts the probes in a row that were not up.
CREATE TABLE check_states (
    name TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('up', 'degraded', 'down')),
    failures INTEGER NOT NULL DEFAULT 0,
    since TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The status a failing check asks of a component it feeds; the worst of them wins.
CREATE TABLE check_holds (
    check_name TEXT NOT NULL,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('degraded_performance', 'partial_outage',
        'major_outage', 'under_maintenance')),
    since TEXT NOT NULL,
    PRIMARY KEY (check_name, component_id)
) WITHOUT ROWID;
CREATE INDEX check_holds_by_component ON check_holds (component_id);

-- The cause of each status change a check made (the change itself is in status_changes).
-- A component whose latest change is not here was set by a person or an incident: checks
-- leave it alone.
CREATE TABLE check_changes (
    status_change_id INTEGER PRIMARY KEY REFERENCES status_changes(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL,
    check_name TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('up', 'degraded', 'down'))
);
CREATE TRIGGER audit_check_changes_insert AFTER INSERT ON check_changes BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'check_changes', NEW.status_change_id, NULL, 'insert', NULL, json_object('status_change_id', NEW.status_change_id, 'component_id', NEW.component_id, 'check_name', NEW.check_name, 'outcome', NEW.outcome) FROM audit_now;
END;
CREATE TRIGGER audit_check_changes_update AFTER UPDATE ON check_changes WHEN OLD.status_change_id IS NOT NEW.status_change_id OR OLD.component_id IS NOT NEW.component_id OR OLD.check_name IS NOT NEW.check_name OR OLD.outcome IS NOT NEW.outcome BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'check_changes', NEW.status_change_id, NULL, 'update', json_object('status_change_id', OLD.status_change_id, 'component_id', OLD.component_id, 'check_name', OLD.check_name, 'outcome', OLD.outcome), json_object('status_change_id', NEW.status_change_id, 'component_id', NEW.component_id, 'check_name', NEW.check_name, 'outcome', NEW.outcome) FROM audit_now;
END;
CREATE TRIGGER audit_check_changes_delete AFTER DELETE ON check_changes BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'check_changes', OLD.status_change_id, NULL, 'delete', json_object('status_change_id', OLD.status_change_id, 'component_id', OLD.component_id, 'check_name', OLD.check_name, 'outcome', OLD.outcome), NULL FROM audit_now;
END;

