-- Migration 0601_translations (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- The page's default language, and texts in other languages: the page's name, groups' and
-- components' names and descriptions, incidents' names and updates' bodies. A text without a
-- row here is shown in the page's language (with a note saying so).

DROP TRIGGER audit_page_insert ON page;
DROP TRIGGER audit_page_update ON page;
DROP TRIGGER audit_page_delete ON page;
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
CREATE OR REPLACE FUNCTION translations_of_group_go() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM translations WHERE subject = 'group' AND subject_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER translations_of_group_go AFTER DELETE ON component_groups FOR EACH ROW EXECUTE FUNCTION translations_of_group_go();
CREATE OR REPLACE FUNCTION translations_of_component_go() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM translations WHERE subject = 'component' AND subject_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER translations_of_component_go AFTER DELETE ON components FOR EACH ROW EXECUTE FUNCTION translations_of_component_go();
CREATE OR REPLACE FUNCTION translations_of_incident_go() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM translations WHERE subject = 'incident' AND subject_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER translations_of_incident_go AFTER DELETE ON incidents FOR EACH ROW EXECUTE FUNCTION translations_of_incident_go();
CREATE OR REPLACE FUNCTION translations_of_update_go() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM translations WHERE subject = 'update' AND subject_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER translations_of_update_go AFTER DELETE ON incident_updates FOR EACH ROW EXECUTE FUNCTION translations_of_update_go();

CREATE OR REPLACE FUNCTION audit_page_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'insert', NULL, json_build_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_page_insert AFTER INSERT ON page FOR EACH ROW EXECUTE FUNCTION audit_page_insert();
CREATE OR REPLACE FUNCTION audit_page_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', NEW.id, NULL, 'update', json_build_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at)::text, json_build_object('id', NEW.id, 'name', NEW.name, 'url', NEW.url, 'time_zone', NEW.time_zone, 'language', NEW.language, 'created_at', NEW.created_at, 'updated_at', NEW.updated_at)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_page_update AFTER UPDATE ON page FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.name IS DISTINCT FROM NEW.name OR OLD.url IS DISTINCT FROM NEW.url OR OLD.time_zone IS DISTINCT FROM NEW.time_zone OR OLD.language IS DISTINCT FROM NEW.language OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.updated_at IS DISTINCT FROM NEW.updated_at) EXECUTE FUNCTION audit_page_update();
CREATE OR REPLACE FUNCTION audit_page_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'page', OLD.id, NULL, 'delete', json_build_object('id', OLD.id, 'name', OLD.name, 'url', OLD.url, 'time_zone', OLD.time_zone, 'language', OLD.language, 'created_at', OLD.created_at, 'updated_at', OLD.updated_at)::text, NULL FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_page_delete AFTER DELETE ON page FOR EACH ROW EXECUTE FUNCTION audit_page_delete();

CREATE OR REPLACE FUNCTION audit_translations_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', NEW.subject || '/' || NEW.subject_id || '/' || NEW.field || '/' || NEW.language, CASE WHEN NEW.subject = 'incident' THEN NEW.subject_id WHEN NEW.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = NEW.subject_id) END, 'insert', NULL, json_build_object('subject', NEW.subject, 'subject_id', NEW.subject_id, 'field', NEW.field, 'language', NEW.language, 'text', NEW.text)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_translations_insert AFTER INSERT ON translations FOR EACH ROW EXECUTE FUNCTION audit_translations_insert();
CREATE OR REPLACE FUNCTION audit_translations_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', NEW.subject || '/' || NEW.subject_id || '/' || NEW.field || '/' || NEW.language, CASE WHEN NEW.subject = 'incident' THEN NEW.subject_id WHEN NEW.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = NEW.subject_id) END, 'update', json_build_object('subject', OLD.subject, 'subject_id', OLD.subject_id, 'field', OLD.field, 'language', OLD.language, 'text', OLD.text)::text, json_build_object('subject', NEW.subject, 'subject_id', NEW.subject_id, 'field', NEW.field, 'language', NEW.language, 'text', NEW.text)::text FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_translations_update AFTER UPDATE ON translations FOR EACH ROW WHEN (OLD.subject IS DISTINCT FROM NEW.subject OR OLD.subject_id IS DISTINCT FROM NEW.subject_id OR OLD.field IS DISTINCT FROM NEW.field OR OLD.language IS DISTINCT FROM NEW.language OR OLD.text IS DISTINCT FROM NEW.text) EXECUTE FUNCTION audit_translations_update();
CREATE OR REPLACE FUNCTION audit_translations_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'translations', OLD.subject || '/' || OLD.subject_id || '/' || OLD.field || '/' || OLD.language, CASE WHEN OLD.subject = 'incident' THEN OLD.subject_id WHEN OLD.subject = 'update' THEN (SELECT incident_id FROM incident_updates WHERE id = OLD.subject_id) END, 'delete', json_build_object('subject', OLD.subject, 'subject_id', OLD.subject_id, 'field', OLD.field, 'language', OLD.language, 'text', OLD.text)::text, NULL FROM audit_now;
    RETURN NULL;
END $$;
CREATE TRIGGER audit_translations_delete AFTER DELETE ON translations FOR EACH ROW EXECUTE FUNCTION audit_translations_delete();
