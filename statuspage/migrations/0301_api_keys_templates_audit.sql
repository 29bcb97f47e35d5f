-- Migration 0301_api_keys_templates_audit. Frozen: never edit once shipped, add a new file.

-- API keys for the admin API. Only a SHA-256 hash of each key is kept; the key itself
-- is shown once, when it is created. A name is unique among keys not revoked.
CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE,
    scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_used_at TEXT,
    last_used_from TEXT,
    revoked_at TEXT
);
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Incident templates (Statuspage's "templates" tab): a title, a first update and
-- the components it usually concerns. group_id names a template group, free text.
CREATE TABLE incident_templates (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    group_id TEXT,
    update_status TEXT,
    should_tweet INTEGER NOT NULL DEFAULT 0,
    should_send_notifications INTEGER NOT NULL DEFAULT 1,
    component_ids TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Who changed what, when and from where: one row per changed row, written by the
-- triggers below. Rows of one use case share tx_id. Append-only.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    tx_id TEXT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    via TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT,
    table_name TEXT NOT NULL,
    row_id TEXT NOT NULL,
    incident_id TEXT,
    op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    before TEXT,
    after TEXT
);
CREATE INDEX audit_log_by_time ON audit_log (at);
CREATE INDEX audit_log_by_tx ON audit_log (tx_id);
CREATE INDEX audit_log_by_incident ON audit_log (incident_id);
CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- The actor of the write transaction under way: Store.write() fills the one row at
-- BEGIN and empties it before COMMIT (SQLite has one writer at a time). A write made
-- outside statuspage finds it empty and is recorded as actor 'unknown' via 'sql'.
CREATE TABLE audit_context (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tx_id TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    via TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT
);
CREATE VIEW audit_now AS
    SELECT tx_id, at, actor, via, source, action FROM audit_context WHERE id = 1
    UNION ALL
    SELECT NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'unknown', 'sql', 'unknown', NULL
    WHERE NOT EXISTS (SELECT 1 FROM audit_context);
CREATE TRIGGER audit_page_insert AFTER INSERT ON page BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_page_update AFTER UPDATE ON page WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.url IS NOT NEW.url OR OLD.time_zone IS NOT NEW.time_zone OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), json_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_page_delete AFTER DELETE ON page BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), NULL FROM audit_now;
END;
CREATE TRIGGER audit_component_groups_insert AFTER INSERT ON component_groups BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'component_groups', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'description', NEW.description, 'position', NEW.position, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_component_groups_update AFTER UPDATE ON component_groups WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description OR OLD.position IS NOT NEW.position OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'component_groups', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'description', OLD.description, 'position', OLD.position, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), json_object('id', NEW.id, 'name', NEW.name, 'description', NEW.description, 'position', NEW.position, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_component_groups_delete AFTER DELETE ON component_groups BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'component_groups', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'description', OLD.description, 'position', OLD.position, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), NULL FROM audit_now;
END;
CREATE TRIGGER audit_components_insert AFTER INSERT ON components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'components', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'description', NEW.description, 'group_id', NEW.group_id, 'position', NEW.position, 'status', NEW.status, 'showcase', NEW.showcase, 'only_show_if_degraded', NEW.only_show_if_degraded, 'start_date', NEW.start_date, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_components_update AFTER UPDATE ON components WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.description IS NOT NEW.description OR OLD.group_id IS NOT NEW.group_id OR OLD.position IS NOT NEW.position OR OLD.status IS NOT NEW.status OR OLD.showcase IS NOT NEW.showcase OR OLD.only_show_if_degraded IS NOT NEW.only_show_if_degraded OR OLD.start_date IS NOT NEW.start_date OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'components', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'description', OLD.description, 'group_id', OLD.group_id, 'position', OLD.position, 'status', OLD.status, 'showcase', OLD.showcase, 'only_show_if_degraded', OLD.only_show_if_degraded, 'start_date', OLD.start_date, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), json_object('id', NEW.id, 'name', NEW.name, 'description', NEW.description, 'group_id', NEW.group_id, 'position', NEW.position, 'status', NEW.status, 'showcase', NEW.showcase, 'only_show_if_degraded', NEW.only_show_if_degraded, 'start_date', NEW.start_date, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_components_delete AFTER DELETE ON components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'components', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'description', OLD.description, 'group_id', OLD.group_id, 'position', OLD.position, 'status', OLD.status, 'showcase', OLD.showcase, 'only_show_if_degraded', OLD.only_show_if_degraded, 'start_date', OLD.start_date, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), NULL FROM audit_now;
END;
CREATE TRIGGER audit_incidents_insert AFTER INSERT ON incidents BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incidents', NEW.id, NEW.id, 'insert', NULL, json_object('id', NEW.id, 'kind', NEW.kind, 'name', NEW.name, 'status', NEW.status, 'impact', NEW.impact, 'severity', NEW.severity, 'impact_override', NEW.impact_override, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'started_at', NEW.started_at, 'monitoring_at', NEW.monitoring_at, 'resolved_at', NEW.resolved_at, 'scheduled_for', NEW.scheduled_for, 'scheduled_until', NEW.scheduled_until, 'auto_start', NEW.auto_start, 'auto_complete', NEW.auto_complete, 'backfilled', NEW.backfilled, 'postmortem_body', NEW.postmortem_body, 'postmortem_updated_at', NEW.postmortem_updated_at, 'postmortem_published_at', NEW.postmortem_published_at, 'metadata', json(NEW.metadata)) FROM audit_now;
END;
CREATE TRIGGER audit_incidents_update AFTER UPDATE ON incidents WHEN OLD.id IS NOT NEW.id OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.status IS NOT NEW.status OR OLD.impact IS NOT NEW.impact OR OLD.severity IS NOT NEW.severity OR OLD.impact_override IS NOT NEW.impact_override OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at OR OLD.started_at IS NOT NEW.started_at OR OLD.monitoring_at IS NOT NEW.monitoring_at OR OLD.resolved_at IS NOT NEW.resolved_at OR OLD.scheduled_for IS NOT NEW.scheduled_for OR OLD.scheduled_until IS NOT NEW.scheduled_until OR OLD.auto_start IS NOT NEW.auto_start OR OLD.auto_complete IS NOT NEW.auto_complete OR OLD.backfilled IS NOT NEW.backfilled OR OLD.postmortem_body IS NOT NEW.postmortem_body OR OLD.postmortem_updated_at IS NOT NEW.postmortem_updated_at OR OLD.postmortem_published_at IS NOT NEW.postmortem_published_at OR OLD.metadata IS NOT NEW.metadata BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incidents', NEW.id, NEW.id, 'update', json_object('id', OLD.id, 'kind', OLD.kind, 'name', OLD.name, 'status', OLD.status, 'impact', OLD.impact, 'severity', OLD.severity, 'impact_override', OLD.impact_override, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'started_at', OLD.started_at, 'monitoring_at', OLD.monitoring_at, 'resolved_at', OLD.resolved_at, 'scheduled_for', OLD.scheduled_for, 'scheduled_until', OLD.scheduled_until, 'auto_start', OLD.auto_start, 'auto_complete', OLD.auto_complete, 'backfilled', OLD.backfilled, 'postmortem_body', OLD.postmortem_body, 'postmortem_updated_at', OLD.postmortem_updated_at, 'postmortem_published_at', OLD.postmortem_published_at, 'metadata', json(OLD.metadata)), json_object('id', NEW.id, 'kind', NEW.kind, 'name', NEW.name, 'status', NEW.status, 'impact', NEW.impact, 'severity', NEW.severity, 'impact_override', NEW.impact_override, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'started_at', NEW.started_at, 'monitoring_at', NEW.monitoring_at, 'resolved_at', NEW.resolved_at, 'scheduled_for', NEW.scheduled_for, 'scheduled_until', NEW.scheduled_until, 'auto_start', NEW.auto_start, 'auto_complete', NEW.auto_complete, 'backfilled', NEW.backfilled, 'postmortem_body', NEW.postmortem_body, 'postmortem_updated_at', NEW.postmortem_updated_at, 'postmortem_published_at', NEW.postmortem_published_at, 'metadata', json(NEW.metadata)) FROM audit_now;
END;
CREATE TRIGGER audit_incidents_delete AFTER DELETE ON incidents BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incidents', OLD.id, OLD.id, 'delete', json_object('id', OLD.id, 'kind', OLD.kind, 'name', OLD.name, 'status', OLD.status, 'impact', OLD.impact, 'severity', OLD.severity, 'impact_override', OLD.impact_override, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'started_at', OLD.started_at, 'monitoring_at', OLD.monitoring_at, 'resolved_at', OLD.resolved_at, 'scheduled_for', OLD.scheduled_for, 'scheduled_until', OLD.scheduled_until, 'auto_start', OLD.auto_start, 'auto_complete', OLD.auto_complete, 'backfilled', OLD.backfilled, 'postmortem_body', OLD.postmortem_body, 'postmortem_updated_at', OLD.postmortem_updated_at, 'postmortem_published_at', OLD.postmortem_published_at, 'metadata', json(OLD.metadata)), NULL FROM audit_now;
END;
CREATE TRIGGER audit_incident_updates_insert AFTER INSERT ON incident_updates BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_updates', NEW.id, NEW.incident_id, 'insert', NULL, json_object('id', NEW.id, 'incident_id', NEW.incident_id, 'status', NEW.status, 'previous_status', NEW.previous_status, 'body', NEW.body, 'created_at', NEW.created_at, 'display_at', NEW.display_at, 'updated_at', NEW.updated_at, 'affected_components', json(NEW.affected_components), 'deliver_notifications', NEW.deliver_notifications) FROM audit_now;
END;
CREATE TRIGGER audit_incident_updates_update AFTER UPDATE ON incident_updates WHEN OLD.id IS NOT NEW.id OR OLD.incident_id IS NOT NEW.incident_id OR OLD.status IS NOT NEW.status OR OLD.previous_status IS NOT NEW.previous_status OR OLD.body IS NOT NEW.body OR OLD.created_at IS NOT NEW.created_at OR OLD.display_at IS NOT NEW.display_at OR OLD.updated_at IS NOT NEW.updated_at OR OLD.affected_components IS NOT NEW.affected_components OR OLD.deliver_notifications IS NOT NEW.deliver_notifications BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_updates', NEW.id, NEW.incident_id, 'update', json_object('id', OLD.id, 'incident_id', OLD.incident_id, 'status', OLD.status, 'previous_status', OLD.previous_status, 'body', OLD.body, 'created_at', OLD.created_at, 'display_at', OLD.display_at, 'updated_at', OLD.updated_at, 'affected_components', json(OLD.affected_components), 'deliver_notifications', OLD.deliver_notifications), json_object('id', NEW.id, 'incident_id', NEW.incident_id, 'status', NEW.status, 'previous_status', NEW.previous_status, 'body', NEW.body, 'created_at', NEW.created_at, 'display_at', NEW.display_at, 'updated_at', NEW.updated_at, 'affected_components', json(NEW.affected_components), 'deliver_notifications', NEW.deliver_notifications) FROM audit_now;
END;
CREATE TRIGGER audit_incident_updates_delete AFTER DELETE ON incident_updates BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_updates', OLD.id, OLD.incident_id, 'delete', json_object('id', OLD.id, 'incident_id', OLD.incident_id, 'status', OLD.status, 'previous_status', OLD.previous_status, 'body', OLD.body, 'created_at', OLD.created_at, 'display_at', OLD.display_at, 'updated_at', OLD.updated_at, 'affected_components', json(OLD.affected_components), 'deliver_notifications', OLD.deliver_notifications), NULL FROM audit_now;
END;
CREATE TRIGGER audit_incident_components_insert AFTER INSERT ON incident_components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_components', NEW.incident_id || '/' || NEW.component_id, NEW.incident_id, 'insert', NULL, json_object('incident_id', NEW.incident_id, 'component_id', NEW.component_id, 'status', NEW.status) FROM audit_now;
END;
CREATE TRIGGER audit_incident_components_update AFTER UPDATE ON incident_components WHEN OLD.incident_id IS NOT NEW.incident_id OR OLD.component_id IS NOT NEW.component_id OR OLD.status IS NOT NEW.status BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_components', NEW.incident_id || '/' || NEW.component_id, NEW.incident_id, 'update', json_object('incident_id', OLD.incident_id, 'component_id', OLD.component_id, 'status', OLD.status), json_object('incident_id', NEW.incident_id, 'component_id', NEW.component_id, 'status', NEW.status) FROM audit_now;
END;
CREATE TRIGGER audit_incident_components_delete AFTER DELETE ON incident_components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_components', OLD.incident_id || '/' || OLD.component_id, OLD.incident_id, 'delete', json_object('incident_id', OLD.incident_id, 'component_id', OLD.component_id, 'status', OLD.status), NULL FROM audit_now;
END;
CREATE TRIGGER audit_subscribers_insert AFTER INSERT ON subscribers BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscribers', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'channel', NEW.channel, 'state', NEW.state, 'all_components', NEW.all_components, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'confirmed_at', NEW.confirmed_at, 'unsubscribed_at', NEW.unsubscribed_at) FROM audit_now;
END;
CREATE TRIGGER audit_subscribers_update AFTER UPDATE ON subscribers WHEN OLD.id IS NOT NEW.id OR OLD.channel IS NOT NEW.channel OR OLD.state IS NOT NEW.state OR OLD.all_components IS NOT NEW.all_components OR OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at OR OLD.confirmed_at IS NOT NEW.confirmed_at OR OLD.unsubscribed_at IS NOT NEW.unsubscribed_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscribers', NEW.id, NULL, 'update', json_object('id', OLD.id, 'channel', OLD.channel, 'state', OLD.state, 'all_components', OLD.all_components, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'confirmed_at', OLD.confirmed_at, 'unsubscribed_at', OLD.unsubscribed_at), json_object('id', NEW.id, 'channel', NEW.channel, 'state', NEW.state, 'all_components', NEW.all_components, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at, 'confirmed_at', NEW.confirmed_at, 'unsubscribed_at', NEW.unsubscribed_at) FROM audit_now;
END;
CREATE TRIGGER audit_subscribers_delete AFTER DELETE ON subscribers BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscribers', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'channel', OLD.channel, 'state', OLD.state, 'all_components', OLD.all_components, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at, 'confirmed_at', OLD.confirmed_at, 'unsubscribed_at', OLD.unsubscribed_at), NULL FROM audit_now;
END;
CREATE TRIGGER audit_incident_templates_insert AFTER INSERT ON incident_templates BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_templates', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'title', NEW.title, 'body', NEW.body, 'group_id', NEW.group_id, 'update_status', NEW.update_status, 'should_tweet', NEW.should_tweet, 'should_send_notifications', NEW.should_send_notifications, 'component_ids', json(NEW.component_ids), 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_incident_templates_update AFTER UPDATE ON incident_templates WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.title IS NOT NEW.title OR OLD.body IS NOT NEW.body OR OLD.group_id IS NOT NEW.group_id OR OLD.update_status IS NOT NEW.update_status OR OLD.should_tweet IS NOT NEW.should_tweet OR OLD.should_send_notifications IS NOT NEW.should_send_notifications OR OLD.component_ids IS NOT NEW.component_ids OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_templates', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'title', OLD.title, 'body', OLD.body, 'group_id', OLD.group_id, 'update_status', OLD.update_status, 'should_tweet', OLD.should_tweet, 'should_send_notifications', OLD.should_send_notifications, 'component_ids', json(OLD.component_ids), 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), json_object('id', NEW.id, 'name', NEW.name, 'title', NEW.title, 'body', NEW.body, 'group_id', NEW.group_id, 'update_status', NEW.update_status, 'should_tweet', NEW.should_tweet, 'should_send_notifications', NEW.should_send_notifications, 'component_ids', json(NEW.component_ids), 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_incident_templates_delete AFTER DELETE ON incident_templates BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'incident_templates', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'title', OLD.title, 'body', OLD.body, 'group_id', OLD.group_id, 'update_status', OLD.update_status, 'should_tweet', OLD.should_tweet, 'should_send_notifications', OLD.should_send_notifications, 'component_ids', json(OLD.component_ids), 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), NULL FROM audit_now;
END;
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
