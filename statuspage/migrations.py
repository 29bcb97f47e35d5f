"""Named, append-only SQL migrations.

Never edit or reorder an entry once it has shipped: add a new one at the end. Each runs in
its own transaction together with the row that records it, so running `init` twice, or two
processes at once, is harmless.
"""

from __future__ import annotations

from statuspage.audit_schema import AUDIT_TRIGGERS_0301, audit_triggers

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta (key, value) VALUES ('revision', '0');

        CREATE TABLE page (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            url TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE component_groups (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT,
            position INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE components (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT,
            group_id TEXT REFERENCES component_groups(id) ON DELETE RESTRICT,
            position INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('operational', 'degraded_performance',
                'partial_outage', 'major_outage', 'under_maintenance')),
            showcase INTEGER NOT NULL DEFAULT 1,
            only_show_if_degraded INTEGER NOT NULL DEFAULT 0,
            start_date TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('incident', 'maintenance')),
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            impact TEXT NOT NULL,
            severity TEXT,
            impact_override INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            started_at TEXT NOT NULL,
            monitoring_at TEXT,
            resolved_at TEXT,
            scheduled_for TEXT,
            scheduled_until TEXT,
            auto_start INTEGER NOT NULL DEFAULT 1,
            auto_complete INTEGER NOT NULL DEFAULT 1,
            backfilled INTEGER NOT NULL DEFAULT 0,
            postmortem_body TEXT,
            postmortem_updated_at TEXT,
            postmortem_published_at TEXT,
            metadata TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX incidents_by_start ON incidents (started_at);
        CREATE INDEX incidents_by_status ON incidents (kind, status);

        -- The components an incident affects, and the status it last asked for on each.
        CREATE TABLE incident_components (
            incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            PRIMARY KEY (incident_id, component_id)
        );
        CREATE INDEX incident_components_by_component ON incident_components (component_id);

        CREATE TABLE incident_updates (
            id TEXT PRIMARY KEY,
            incident_id TEXT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
            status TEXT NOT NULL,
            previous_status TEXT,
            body TEXT NOT NULL,
            created_at TEXT NOT NULL,
            display_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            affected_components TEXT NOT NULL DEFAULT '[]',
            deliver_notifications INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX incident_updates_by_incident ON incident_updates (incident_id, created_at);

        -- Every change of a component's status, with its cause: the raw material of uptime.
        CREATE TABLE status_changes (
            id INTEGER PRIMARY KEY,
            component_id TEXT NOT NULL REFERENCES components(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            old_status TEXT,
            new_status TEXT NOT NULL,
            cause TEXT NOT NULL CHECK (cause IN ('incident', 'maintenance', 'manual')),
            incident_id TEXT REFERENCES incidents(id) ON DELETE SET NULL
        );
        CREATE INDEX status_changes_by_component ON status_changes (component_id, at);
        """,
    ),
    (
        "0002_subscribers",
        """
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
        """,
    ),
    (
        "0201_comms_outbox",
        """
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
        """,
    ),
]


MIGRATIONS.append(
    (
        "0301_api_keys_templates_audit",
        """
        -- API keys for the admin API. Only a SHA-256 hash of each key is kept; the key itself
        -- is shown once, when it is created. A name is unique among keys not revoked.
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE,
            scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            last_used_at TEXT,
            last_used_from TEXT,
            revoked_at TEXT
        );
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

        -- Incident templates (Statuspage's "templates" tab): a title, a first update and
        -- the components it usually concerns. group_id names a template group, free text.
        CREATE TABLE incident_templates (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            title TEXT NOT NULL,
            body TEXT NOT NULL,
            group_id TEXT,
            update_status TEXT,
            should_tweet INTEGER NOT NULL DEFAULT 0,
            should_send_notifications INTEGER NOT NULL DEFAULT 1,
            component_ids TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        -- Who changed what, when and from where: one row per changed row, written by the
        -- triggers below. Rows of one use case share tx_id. Append-only.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            tx_id TEXT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            via TEXT NOT NULL,
            source TEXT NOT NULL,
            action TEXT,
            table_name TEXT NOT NULL,
            row_id TEXT NOT NULL,
            incident_id TEXT,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            before TEXT,
            after TEXT
        );
        CREATE INDEX audit_log_by_time ON audit_log (at);
        CREATE INDEX audit_log_by_tx ON audit_log (tx_id);
        CREATE INDEX audit_log_by_incident ON audit_log (incident_id);
        CREATE TRIGGER audit_log_refuses_update BEFORE UPDATE ON audit_log BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;
        CREATE TRIGGER audit_log_refuses_delete BEFORE DELETE ON audit_log BEGIN
            SELECT RAISE(ABORT, 'the audit log is append-only');
        END;

        -- The actor of the write transaction under way: Store.write() fills the one row at
        -- BEGIN and empties it before COMMIT (SQLite has one writer at a time). A write made
        -- outside statuspage finds it empty and is recorded as actor 'unknown' via 'sql'.
        CREATE TABLE audit_context (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            tx_id TEXT NOT NULL,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            via TEXT NOT NULL,
            source TEXT NOT NULL,
            action TEXT
        );
        CREATE VIEW audit_now AS
            SELECT tx_id, at, actor, via, source, action FROM audit_context WHERE id = 1
            UNION ALL
            SELECT NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'unknown', 'sql', 'unknown', NULL
            WHERE NOT EXISTS (SELECT 1 FROM audit_context);
        """
        + AUDIT_TRIGGERS_0301,
    )
)

# Approvals of customer messages are writes too: who approved them, and when.
MIGRATIONS.append(
    (
        "0302_audit_comms_approvals",
        audit_triggers(
            "comms_events",
            "{row}.id",
            "{row}.incident_id",
            (
                "id",
                "incident_id",
                "update_id",
                "phase",
                "severity",
                "next_update_at",
                "approval_role",
                "approved_by",
                "approved_at",
                "created_at",
            ),
            watched=("approved_by", "approved_at"),
        )
        # Planning messages is part of the change already logged; only approvals are new.
        + "DROP TRIGGER audit_comms_events_insert;\nDROP TRIGGER audit_comms_events_delete;\n",
    )
)


MIGRATIONS.append(
    (
        "0401_delivery",
        """
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
            factor REAL NOT NULL,
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
            outbox_id INTEGER,
            status TEXT NOT NULL,
            provider_code TEXT,
            received_at TEXT NOT NULL
        );
        """,
    )
)


# Subscriptions (step 5). Confirmation mails, codes and test events go through the outbox
# like every other message, so a comms event may now belong to a subscriber instead of an
# incident. SQLite cannot relax NOT NULL in place, and renaming a table that others refer
# to rewrites (or, when dropped, cascades into) their foreign keys; so both tables are
# rebuilt side by side and swapped, keeping every row and id.
_OUTBOX_COLUMNS = (
    "id, event_id, incident_id, recipient_kind, recipient_id, channel, segment, template,"
    " language, priority, state, attempts, next_attempt_at, lease_owner, lease_expires_at,"
    " provider_message_id, last_error, superseded_by, created_at, updated_at, sent_at,"
    " delivered_at, provider_code, ambiguous_since"
)
_EVENT_COLUMNS = (
    "id, incident_id, update_id, phase, severity, next_update_at, approval_role, approved_by,"
    " approved_at, detail, created_at"
)
MIGRATIONS.append(
    (
        "0501_subscriptions",
        f"""
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
            detail TEXT NOT NULL DEFAULT '{{}}',
            created_at TEXT NOT NULL,
            CHECK ((incident_id IS NULL) != (subscriber_id IS NULL))
        );
        INSERT INTO comms_events_0501 ({_EVENT_COLUMNS}) SELECT {_EVENT_COLUMNS} FROM comms_events;

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
        INSERT INTO outbox_0501 ({_OUTBOX_COLUMNS}) SELECT {_OUTBOX_COLUMNS} FROM outbox;
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
        """
        # The rebuilt comms_events lost the approval triggers of 0302: the same again.
        + audit_triggers(
            "comms_events",
            "{row}.id",
            "{row}.incident_id",
            (
                "id",
                "incident_id",
                "update_id",
                "phase",
                "severity",
                "next_update_at",
                "approval_role",
                "approved_by",
                "approved_at",
                "created_at",
            ),
            watched=("approved_by", "approved_at"),
        )
        + "DROP TRIGGER audit_comms_events_insert;\nDROP TRIGGER audit_comms_events_delete;\n",
    )
)


# What a subscriber hears about (components) and which segments they fall in (tags) are
# changes worth recording too; neither holds an address.
MIGRATIONS.append(
    (
        "0502_audit_subscriber_components_tags",
        audit_triggers(
            "subscriber_components",
            "{row}.subscriber_id || '/' || {row}.component_id",
            "NULL",
            ("subscriber_id", "component_id"),
        )
        + audit_triggers(
            "subscriber_tags",
            "{row}.subscriber_id || '/' || {row}.tag",
            "NULL",
            ("subscriber_id", "tag"),
        ),
    )
)
