-- Migration 0302_audit_comms_approvals (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- Approvals of customer messages are writes too: who approved them, and when.

CREATE OR REPLACE FUNCTION audit_comms_events_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', NEW.id, NEW.incident_id, 'insert', NULL, json_build_object('id', NEW.id, 'incident_id', NEW.incident_id, 'update_id', NEW.update_id, 'phase', NEW.phase, 'severity', NEW.severity, 'next_update_at', NEW.next_update_at, 'approval_role', NEW.approval_role, 'approved_by', NEW.approved_by, 'approved_at', NEW.approved_at, 'created_at', NEW.created_at)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_comms_events_insert AFTER INSERT ON comms_events FOR EACH ROW EXECUTE FUNCTION audit_comms_events_insert();
CREATE OR REPLACE FUNCTION audit_comms_events_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', NEW.id, NEW.incident_id, 'update', json_build_object('id', OLD.id, 'incident_id', OLD.incident_id, 'update_id', OLD.update_id, 'phase', OLD.phase, 'severity', OLD.severity, 'next_update_at', OLD.next_update_at, 'approval_role', OLD.approval_role, 'approved_by', OLD.approved_by, 'approved_at', OLD.approved_at, 'created_at', OLD.created_at)::text, json_build_object('id', NEW.id, 'incident_id', NEW.incident_id, 'update_id', NEW.update_id, 'phase', NEW.phase, 'severity', NEW.severity, 'next_update_at', NEW.next_update_at, 'approval_role', NEW.approval_role, 'approved_by', NEW.approved_by, 'approved_at', NEW.approved_at, 'created_at', NEW.created_at)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_comms_events_update AFTER UPDATE OF approved_by, approved_at ON comms_events FOR EACH ROW WHEN (OLD.approved_by IS DISTINCT FROM NEW.approved_by OR OLD.approved_at IS DISTINCT FROM NEW.approved_at) EXECUTE FUNCTION audit_comms_events_update();
CREATE OR REPLACE FUNCTION audit_comms_events_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', OLD.id, OLD.incident_id, 'delete', json_build_object('id', OLD.id, 'incident_id', OLD.incident_id, 'update_id', OLD.update_id, 'phase', OLD.phase, 'severity', OLD.severity, 'next_update_at', OLD.next_update_at, 'approval_role', OLD.approval_role, 'approved_by', OLD.approved_by, 'approved_at', OLD.approved_at, 'created_at', OLD.created_at)::text, NULL FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_comms_events_delete AFTER DELETE ON comms_events FOR EACH ROW EXECUTE FUNCTION audit_comms_events_delete();
DROP TRIGGER audit_comms_events_insert ON comms_events;
DROP TRIGGER audit_comms_events_delete ON comms_events;
