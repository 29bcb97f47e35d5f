-- Migration 0002_subscribers (PostgreSQL). Frozen: never edit once shipped, add a new file.

-- Who hears about incidents. An empty component list with all_components = 1 means
-- every component. The address is an e-mail, an E.164 number or an https URL.
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook', 'slack')),
    address TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'unsubscribed')),
    all_components INTEGER NOT NULL DEFAULT 1,
    language TEXT NOT NULL DEFAULT 'en',
    phone_country TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    UNIQUE (channel, address)
);
CREATE INDEX subscribers_by_state ON subscribers (state, channel);

CREATE TABLE subscriber_components (
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
    PRIMARY KEY (subscriber_id, component_id)
);
CREATE INDEX subscriber_components_by_component ON subscriber_components (component_id);

-- Tags feed the segments of a comms plan (enterprise, region-eu...).
CREATE TABLE subscriber_tags (
    subscriber_id TEXT NOT NULL REFERENCES subscribers(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, tag)
);
CREATE INDEX subscriber_tags_by_tag ON subscriber_tags (tag);
