-- Migration 0501_subscriptions. Frozen: never edit once shipped, add a new file.
-- Subscriptions. Confirmation mails, codes and test events go through the outbox
-- like every other message, so a comms event may now belong to a subscriber instead of an
-- incident. SQLite cannot relax NOT NULL in place, and renaming a table that others refer
-- to rewrites (or, when dropped, cascades into) their foreign keys, so both tables are
-- rebuilt side by side and swapped, keeping every row and id.
-- At the end: the rebuilt comms_events lost the approval triggers of 0302, so the same again.

CREATE TABLE comms_events_0501 (
    id TEXT PRIMARY KEY,
    incident_id TEXT REFERENCES incidents(id) ON DELETE CASCADE,
    -- Set instead of incident_id on a subscriber's own messages (confirmation,
    -- welcome, test event): erasing the subscriber erases them and their outbox rows.
    subscriber_id TEXT REFERENCES subscribers(id) ON DELETE CASCADE,
    update_id TEXT REFERENCES incident_updates(id) ON DELETE SET NULL,
    phase TEXT NOT NULL,
    severity TEXT,
    next_update_at TEXT,
    approval_role TEXT,
    approved_by TEXT,
    approved_at TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    CHECK ((incident_id IS NULL) != (subscriber_id IS NULL))
);
INSERT INTO comms_events_0501 (id, incident_id, update_id, phase, severity, next_update_at, approval_role, approved_by, approved_at, detail, created_at) SELECT id, incident_id, update_id, phase, severity, next_update_at, approval_role, approved_by, approved_at, detail, created_at FROM comms_events;

CREATE TABLE outbox_0501 (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES comms_events_0501(id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL,  -- '' for a subscriber's own messages
    recipient_kind TEXT NOT NULL
        CHECK (recipient_kind IN ('subscriber', 'owner', 'public')),
    recipient_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'slack', 'social')),
    segment TEXT NOT NULL,
    template TEXT NOT NULL,
    language TEXT NOT NULL DEFAULT 'en',
    priority INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('held', 'queued', 'sending', 'sent', 'delivered',
        'failed', 'superseded', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires_at TEXT,
    provider_message_id TEXT,
    last_error TEXT,
    superseded_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    delivered_at TEXT,
    provider_code TEXT,
    ambiguous_since TEXT,
    UNIQUE (event_id, recipient_kind, recipient_id, channel)
);
INSERT INTO outbox_0501 (id, event_id, incident_id, recipient_kind, recipient_id, channel, segment, template, language, priority, state, attempts, next_attempt_at, lease_owner, lease_expires_at, provider_message_id, last_error, superseded_by, created_at, updated_at, sent_at, delivered_at, provider_code, ambiguous_since) SELECT id, event_id, incident_id, recipient_kind, recipient_id, channel, segment, template, language, priority, state, attempts, next_attempt_at, lease_owner, lease_expires_at, provider_message_id, last_error, superseded_by, created_at, updated_at, sent_at, delivered_at, provider_code, ambiguous_since FROM outbox;
DROP TABLE outbox;
DROP TABLE comms_events;
ALTER TABLE comms_events_0501 RENAME TO comms_events;
ALTER TABLE outbox_0501 RENAME TO outbox;
CREATE INDEX comms_events_by_incident ON comms_events (incident_id, created_at);
CREATE INDEX comms_events_by_subscriber ON comms_events (subscriber_id)
    WHERE subscriber_id IS NOT NULL;
CREATE INDEX outbox_due_by_channel ON outbox (channel, priority, next_attempt_at, id)
    WHERE state = 'queued';
CREATE INDEX outbox_leases ON outbox (lease_expires_at) WHERE state = 'sending';
CREATE INDEX outbox_pending ON outbox (incident_id) WHERE state IN ('held', 'queued');
CREATE INDEX outbox_by_provider_id ON outbox (provider_message_id)
    WHERE provider_message_id IS NOT NULL;

-- What waits for a subscriber's confirmation: their subscription (new_address NULL)
-- or a change of address. nonce is random per confirmation sent: it is inside the
-- signed link and derives the SMS code, so a newer confirmation voids older ones.
-- Not audited: it may hold an address. Erased with the subscriber.
CREATE TABLE subscriber_confirmations (
    subscriber_id TEXT PRIMARY KEY REFERENCES subscribers(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    new_address TEXT,
    new_phone_country TEXT,
    sent_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    code_expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscriber_confirmations_by_expiry ON subscriber_confirmations (expires_at);

-- Rate limits of the public subscription forms, shared by every server process:
-- one GCRA cell per key. A key is a scope and an HMAC of the client or subscriber
-- address, never the address itself; a row is deleted once its window is over.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    tat REAL NOT NULL,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX rate_limits_by_expiry ON rate_limits (expires_at);
CREATE TRIGGER audit_comms_events_insert AFTER INSERT ON comms_events BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', NEW.id, NEW.incident_id, 'insert', NULL, json_object('id', NEW.id, 'incident_id', NEW.incident_id, 'update_id', NEW.update_id, 'phase', NEW.phase, 'severity', NEW.severity, 'next_update_at', NEW.next_update_at, 'approval_role', NEW.approval_role, 'approved_by', NEW.approved_by, 'approved_at', NEW.approved_at, 'created_at', NEW.created_at) FROM audit_now;
END;
CREATE TRIGGER audit_comms_events_update AFTER UPDATE OF approved_by, approved_at ON comms_events WHEN OLD.approved_by IS NOT NEW.approved_by OR OLD.approved_at IS NOT NEW.approved_at BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', NEW.id, NEW.incident_id, 'update', json_object('id', OLD.id, 'incident_id', OLD.incident_id, 'update_id', OLD.update_id, 'phase', OLD.phase, 'severity', OLD.severity, 'next_update_at', OLD.next_update_at, 'approval_role', OLD.approval_role, 'approved_by', OLD.approved_by, 'approved_at', OLD.approved_at, 'created_at', OLD.created_at), json_object('id', NEW.id, 'incident_id', NEW.incident_id, 'update_id', NEW.update_id, 'phase', NEW.phase, 'severity', NEW.severity, 'next_update_at', NEW.next_update_at, 'approval_role', NEW.approval_role, 'approved_by', NEW.approved_by, 'approved_at', NEW.approved_at, 'created_at', NEW.created_at) FROM audit_now;
END;
CREATE TRIGGER audit_comms_events_delete AFTER DELETE ON comms_events BEGIN
    INSERT INTO audit_log (tx_id, at, actor, via, source, action, table_name, row_id, incident_id, op, before, after)
    SELECT tx_id, at, actor, via, source, action, 'comms_events', OLD.id, OLD.incident_id, 'delete', json_object('id', OLD.id, 'incident_id', OLD.incident_id, 'update_id', OLD.update_id, 'phase', OLD.phase, 'severity', OLD.severity, 'next_update_at', OLD.next_update_at, 'approval_role', OLD.approval_role, 'approved_by', OLD.approved_by, 'approved_at', OLD.approved_at, 'created_at', OLD.created_at), NULL FROM audit_now;
END;
DROP TRIGGER audit_comms_events_insert;
DROP TRIGGER audit_comms_events_delete;
