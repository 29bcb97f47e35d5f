-- Migration 0502_audit_subscriber_components_tags. Frozen: never edit once shipped, add a new file.
-- What a subscriber hears about (components) and which segments they fall in (tags) are
-- changes worth recording too. Neither holds an address.

CREATE TRIGGER audit_subscriber_components_insert AFTER INSERT ON subscriber_components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', NEW.subscriber_id || '/' || NEW.component_id, NULL, 'insert', NULL, json_object('subscriber_id', NEW.subscriber_id, 'component_id', NEW.component_id) FROM audit_now;
END;
CREATE TRIGGER audit_subscriber_components_update AFTER UPDATE ON subscriber_components WHEN OLD.subscriber_id IS NOT NEW.subscriber_id OR OLD.component_id IS NOT NEW.component_id BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', NEW.subscriber_id || '/' || NEW.component_id, NULL, 'update', json_object('subscriber_id', OLD.subscriber_id, 'component_id', OLD.component_id), json_object('subscriber_id', NEW.subscriber_id, 'component_id', NEW.component_id) FROM audit_now;
END;
CREATE TRIGGER audit_subscriber_components_delete AFTER DELETE ON subscriber_components BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_components', OLD.subscriber_id || '/' || OLD.component_id, NULL, 'delete', json_object('subscriber_id', OLD.subscriber_id, 'component_id', OLD.component_id), NULL FROM audit_now;
END;
CREATE TRIGGER audit_subscriber_tags_insert AFTER INSERT ON subscriber_tags BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', NEW.subscriber_id || '/' || NEW.tag, NULL, 'insert', NULL, json_object('subscriber_id', NEW.subscriber_id, 'tag', NEW.tag) FROM audit_now;
END;
CREATE TRIGGER audit_subscriber_tags_update AFTER UPDATE ON subscriber_tags WHEN OLD.subscriber_id IS NOT NEW.subscriber_id OR OLD.tag IS NOT NEW.tag BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', NEW.subscriber_id || '/' || NEW.tag, NULL, 'update', json_object('subscriber_id', OLD.subscriber_id, 'tag', OLD.tag), json_object('subscriber_id', NEW.subscriber_id, 'tag', NEW.tag) FROM audit_now;
END;
CREATE TRIGGER audit_subscriber_tags_delete AFTER DELETE ON subscriber_tags BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'subscriber_tags', OLD.subscriber_id || '/' || OLD.tag, NULL, 'delete', json_object('subscriber_id', OLD.subscriber_id, 'tag', OLD.tag), NULL FROM audit_now;
END;
