-- Migration 0601_translations. Frozen: never edit once shipped, add a new file.
-- The page's default language, and texts in other languages: the page's name, groups' and
-- components' names and descriptions, incidents' names and updates' bodies. A text without a
-- row here is shown in the page's language (with a note saying so).

DROP TRIGGER audit_page_insert;
DROP TRIGGER audit_page_update;
DROP TRIGGER audit_page_delete;
ALTER TABLE page ADD COLUMN language TEXT NOT NULL DEFAULT 'en';

CREATE TABLE translations (
    subject TEXT NOT NULL CHECK (subject IN ('page', 'group', 'component', 'incident', 'update')),
    subject_id TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('name', 'description', 'body')),
    language TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (subject, subject_id, field, language)
);

-- A translation goes with what it translates.
CREATE TRIGGER translations_of_group_go AFTER DELETE ON component_groups BEGIN
    DELETE FROM translations WHERE subject = 'group' AND subject_id = OLD.id;
END;
CREATE TRIGGER translations_of_component_go AFTER DELETE ON components BEGIN
    DELETE FROM translations WHERE subject = 'component' AND subject_id = OLD.id;
END;
CREATE TRIGGER translations_of_incident_go AFTER DELETE ON incidents BEGIN
    DELETE FROM translations WHERE subject = 'incident' AND subject_id = OLD.id;
END;
CREATE TRIGGER translations_of_update_go AFTER DELETE ON incident_updates BEGIN
    DELETE FROM translations WHERE subject = 'update' AND subject_id = OLD.id;
END;

CREATE TRIGGER audit_page_insert AFTER INSERT ON page BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'insert', NULL, json_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_page_update AFTER UPDATE ON page WHEN OLD.id IS NOT NEW.id OR OLD.name IS NOT NEW.name OR OLD.url IS NOT NEW.url OR OLD.time_zone IS NOT NEW.time_zone OR OLD.language IS NOT NEW.language OR OLD.created_at IS NOT NEW.created_at OR OLD.updated_at IS NOT NEW.updated_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'update', json_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), json_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at) FROM audit_now;
END;
CREATE TRIGGER audit_page_delete AFTER DELETE ON page BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', OLD.id, NULL, 'delete', json_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at), NULL FROM audit_now;
END;

CREATE TRIGGER audit_translations_insert AFTER INSERT ON translations BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', NEW.subject || '/' || NEW.subject_id || '/' || NEW.field || '/' || NEW.language, CASE WHEN NEW.subject = 'incident' THEN NEW.subject_id WHEN NEW.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = NEW.subject_id) END, 'insert', NULL, json_object('subject', NEW.subject, 'subject_id', NEW.subject_id, 'field', NEW.field, 'language', NEW.language, 'text', NEW.text) FROM audit_now;
END;
CREATE TRIGGER audit_translations_update AFTER UPDATE ON translations WHEN OLD.subject IS NOT NEW.subject OR OLD.subject_id IS NOT NEW.subject_id OR OLD.field IS NOT NEW.field OR OLD.language IS NOT NEW.language OR OLD.text IS NOT NEW.text BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', NEW.subject || '/' || NEW.subject_id || '/' || NEW.field || '/' || NEW.language, CASE WHEN NEW.subject = 'incident' THEN NEW.subject_id WHEN NEW.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = NEW.subject_id) END, 'update', json_object('subject', OLD.subject, 'subject_id', OLD.subject_id, 'field', OLD.field, 'language', OLD.language, 'text', OLD.text), json_object('subject', NEW.subject, 'subject_id', NEW.subject_id, 'field', NEW.field, 'language', NEW.language, 'text', NEW.text) FROM audit_now;
END;
CREATE TRIGGER audit_translations_delete AFTER DELETE ON translations BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', OLD.subject || '/' || OLD.subject_id || '/' || OLD.field || '/' || OLD.language, CASE WHEN OLD.subject = 'incident' THEN OLD.subject_id WHEN OLD.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = OLD.subject_id) END, 'delete', json_object('subject', OLD.subject, 'subject_id', OLD.subject_id, 'field', OLD.field, 'language', OLD.language, 'text', OLD.text), NULL FROM audit_now;
END;
