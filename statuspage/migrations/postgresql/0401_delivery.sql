-- Migration 0401_delivery (PostgreSQL). Frozen: never edit once shipped, add a new file.

-- Delivery (step 4). provider_code: the provider's error code of the last failure
-- (Twilio 21211, SMTP 550, HTTP 410...); ambiguous_since: when an attempt began whose
-- outcome is unknown (a timed-out SMS create, a dispatcher killed mid-send): before
-- such an SMS is sent again the provider is asked whether it already has it.
ALTER TABLE outbox ADD COLUMN provider_code TEXT;
ALTER TABLE outbox ADD COLUMN ambiguous_since TEXT;
-- Each channel is claimed on its own (at its own rate): due rows by channel.
DROP INDEX outbox_due;
CREATE INDEX outbox_due_by_channel ON outbox (channel, priority, next_attempt_at, id)
    WHERE state = 'queued';

-- The first and latest post of each incident on a threaded channel (the status
-- account), so updates are posted as replies. *_ref: Bluesky's record cid.
CREATE TABLE comms_threads (
    incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    root_id TEXT NOT NULL,
    root_ref TEXT,
    last_id TEXT NOT NULL,
    last_ref TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (incident_id, channel)
);

-- Templates a carrier filters (Twilio 30007): no more SMS of them until `comms retry`.
CREATE TABLE comms_blocks (
    channel TEXT NOT NULL,
    template TEXT NOT NULL,
    language TEXT NOT NULL,
    provider_code TEXT,
    reason TEXT NOT NULL,
    incident_id TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (channel, template, language)
);

-- A provider asked us to slow down (Twilio 30001 queue overflow, reported by a
-- status callback the web server received): the dispatcher sends at rate * factor.
CREATE TABLE comms_throttles (
    channel TEXT PRIMARY KEY,
    factor DOUBLE PRECISION NOT NULL,
    until TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- The one dispatcher that sends (provider rate limits hold across processes: several
-- server workers and `comms dispatch` take turns). notes: what it says about channels.
CREATE TABLE comms_dispatcher (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '{}'
);

-- Delivery reports that arrived before the send they report on was recorded.
CREATE TABLE delivery_receipts (
    provider_message_id TEXT PRIMARY KEY,
    outbox_id BIGINT,
    status TEXT NOT NULL,
    provider_code TEXT,
    received_at TEXT NOT NULL
);
