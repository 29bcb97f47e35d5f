-- Migration 0201_comms_outbox. Frozen: never edit once shipped, add a new file.

-- One row per thing the comms kit tells people about: an incident update, a published
-- postmortem, a maintenance starting soon, a cadence reminder. It records the promise
-- made (next_update_at) and the approval customer-facing messages wait for.
CREATE TABLE comms_events (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    update_id TEXT REFERENCES incident_updates(id) ON DELETE SET NULL,
    phase TEXT NOT NULL,
    severity TEXT,
    next_update_at TEXT,
    approval_role TEXT,
    approved_by TEXT,
    approved_at TEXT,
    detail TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
);
CREATE INDEX comms_events_by_incident ON comms_events (incident_id, created_at);

-- The transactional outbox: one row per (event, recipient, channel), written in the
-- transaction of the change. Messages are rendered when sent, from the template name,
-- language and the rows they refer to. recipient_id is a subscriber id, an owner role
-- of the comms plan, or 'social' for the public status account.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL REFERENCES comms_events(id) ON DELETE CASCADE,
    incident_id TEXT NOT NULL,
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
    UNIQUE (event_id, recipient_kind, recipient_id, channel)
);
CREATE INDEX outbox_due ON outbox (priority, next_attempt_at) WHERE state = 'queued';
CREATE INDEX outbox_leases ON outbox (lease_expires_at) WHERE state = 'sending';
-- Unsent rows by incident, for coalescing. Keyed on the incident only: rows of one event
-- then append in order, which keeps a 100,000-row enqueue fast.
CREATE INDEX outbox_pending ON outbox (incident_id) WHERE state IN ('held', 'queued');
CREATE INDEX outbox_by_provider_id ON outbox (provider_message_id)
    WHERE provider_message_id IS NOT NULL;
