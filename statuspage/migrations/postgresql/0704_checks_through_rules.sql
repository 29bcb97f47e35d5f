-- Migration 0704_checks_through_rules (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- The built-in checks feed the alerts rules engine (automation_alerts, automation_changes)
-- instead of changing components themselves: their own holds and causes go. The causes
-- already recorded are kept as automation causes (rule 'check', source 'check',
-- fingerprint 'check:NAME'); the holds need no copy: at its next start the checks runner
-- sends each check's stored state to the engine again (statuspage.checks.runner).
INSERT INTO automation_changes (status_change_id, component_id, rule, source, fingerprint, alertname)
    SELECT status_change_id, component_id, 'check', 'check', 'check:' || check_name, check_name
    FROM check_changes WHERE status_change_id IN (SELECT id FROM status_changes);
UPDATE status_changes SET cause = 'automation'
    WHERE id IN (SELECT status_change_id FROM check_changes);
DROP TABLE check_changes;
DROP TABLE check_holds;
-- Dropping the table dropped its triggers; their functions are PostgreSQL's own objects.
DROP FUNCTION audit_check_changes_insert();
DROP FUNCTION audit_check_changes_update();
DROP FUNCTION audit_check_changes_delete();
