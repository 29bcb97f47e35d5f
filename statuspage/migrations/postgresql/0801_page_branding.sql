-- Migration 0801_page_branding (PostgreSQL). Frozen: never edit once shipped, add a new file.
-- Page branding (issue 16): an accent colour for links and buttons, and a logo.
-- The logo is kept in the database (one row per page), checked before it is stored:
-- PNG, JPEG, WebP or SVG without scripts, at most 256 KiB. `digest` (SHA-256 of `data`)
-- names the published file, so a CDN may keep it for ever.
ALTER TABLE page ADD COLUMN accent TEXT NOT NULL DEFAULT '';

CREATE TABLE page_logo (
    page_id TEXT PRIMARY KEY REFERENCES page(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL
        CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/svg+xml')),
    data BYTEA NOT NULL CHECK (octet_length(data) BETWEEN 1 AND 262144),
    digest TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
