-- Migration 0502_audit_subscriber_components_tags (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- What a subscriber hears about (components) and which segments they fall in (tags) are
-- changes worth recording too. Neither holds an address.

CREATE OR REPLACE FUNCTION audit_subscriber_components_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', NEW.subscriber_id || '/' || NEW.component_id, NULL, 'insert', NULL, json_build_object('subscriber_id', NEW.subscriber_id, 'component_id', NEW.component_id)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_components_insert AFTER INSERT ON subscriber_components FOR EACH ROW EXECUTE FUNCTION audit_subscriber_components_insert();
CREATE OR REPLACE FUNCTION audit_subscriber_components_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', NEW.subscriber_id || '/' || NEW.component_id, NULL, 'update', json_build_object('subscriber_id', OLD.subscriber_id, 'component_id', OLD.component_id)::text, json_build_object('subscriber_id', NEW.subscriber_id, 'component_id', NEW.component_id)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_components_update AFTER UPDATE ON subscriber_components FOR EACH ROW WHEN (OLD.subscriber_id IS DISTINCT FROM NEW.subscriber_id OR OLD.component_id IS DISTINCT FROM NEW.component_id) EXECUTE FUNCTION audit_subscriber_components_update();
CREATE OR REPLACE FUNCTION audit_subscriber_components_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', OLD.subscriber_id || '/' || OLD.component_id, NULL, 'delete', json_build_object('subscriber_id', OLD.subscriber_id, 'component_id', OLD.component_id)::text, NULL FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_components_delete AFTER DELETE ON subscriber_components FOR EACH ROW EXECUTE FUNCTION audit_subscriber_components_delete();
CREATE OR REPLACE FUNCTION audit_subscriber_tags_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', NEW.subscriber_id || '/' || NEW.tag, NULL, 'insert', NULL, json_build_object('subscriber_id', NEW.subscriber_id, 'tag', NEW.tag)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_tags_insert AFTER INSERT ON subscriber_tags FOR EACH ROW EXECUTE FUNCTION audit_subscriber_tags_insert();
CREATE OR REPLACE FUNCTION audit_subscriber_tags_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', NEW.subscriber_id || '/' || NEW.tag, NULL, 'update', json_build_object('subscriber_id', OLD.subscriber_id, 'tag', OLD.tag)::text, json_build_object('subscriber_id', NEW.subscriber_id, 'tag', NEW.tag)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_tags_update AFTER UPDATE ON subscriber_tags FOR EACH ROW WHEN (OLD.subscriber_id IS DISTINCT FROM NEW.subscriber_id OR OLD.tag IS DISTINCT FROM NEW.tag) EXECUTE FUNCTION audit_subscriber_tags_update();
CREATE OR REPLACE FUNCTION audit_subscriber_tags_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', OLD.subscriber_id || '/' || OLD.tag, NULL, 'delete', json_build_object('subscriber_id', OLD.subscriber_id, 'tag', OLD.tag)::text, NULL FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_subscriber_tags_delete AFTER DELETE ON subscriber_tags FOR EACH ROW EXECUTE FUNCTION audit_subscriber_tags_delete();
