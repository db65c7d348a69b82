-- Administration (issue 15): the admin user search, the actor of audit events, the audit
-- listing, and the devices each account signed in from (sign-in alerts).

-- Trigram indexes make `lower(email) LIKE '%term%'` and `lower(username) LIKE '%term%'` an index
-- search rather than a scan of every account (docs/postgres.md, "Admin user search").
-- pg_trgm is a trusted extension since PostgreSQL 13: the owner of the database (or any role
-- with CREATE on it) may create it without being a superuser.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The search matches the lowercased columns, as the case-insensitive unique indexes do.
CREATE INDEX users_email_trgm_idx ON users USING gin (lower(email) gin_trgm_ops);
CREATE INDEX users_username_trgm_idx ON users USING gin (lower(username) gin_trgm_ops);

-- The orders of the listing, each ending in the id so that pages never overlap; a backward
-- scan serves the opposite direction. Email and username sort by their lowercased bytes
-- (COLLATE "C"), the same order on every server whatever its locale. `last_login` has no index:
-- every login writes it, and an index on it would make each of those updates touch every index
-- of the table (no heap-only update) for the sake of a rare sort, which sorts without one.
-- On an existing large table these builds hold a lock that blocks writes to `users` while they
-- run (docs/postgres.md, "Admin user search").
CREATE INDEX users_created_at_idx ON users (created_at DESC, id DESC);
CREATE INDEX users_email_order_idx ON users ((lower(email) COLLATE "C"), id);
CREATE INDEX users_username_order_idx ON users ((lower(username) COLLATE "C"), id);
-- `role=`: `roles @> ARRAY[role]`, and the last-admin check `roles && guarded`.
CREATE INDEX users_roles_idx ON users USING gin (roles);

-- Who did it, when not the account's holder (an administrator). No foreign key, as for the
-- other ids of the trail: it outlives what it mentions, and recording an event never fails
-- because of the state of another table (accounts are never deleted anyway).
ALTER TABLE audit_events ADD COLUMN actor_id uuid;

-- The audit listing, newest first: by account (audit_events_user_at_idx), by kind, or all.
CREATE INDEX audit_events_kind_at_idx ON audit_events (kind, at DESC, id DESC);
CREATE INDEX audit_events_at_idx ON audit_events (at DESC, id DESC);

-- The devices (browser family | OS family | network) each account signed in from, by digest
-- only. A login upserts its row under the account's row lock, so of concurrent logins from one
-- new device exactly one finds it new.
CREATE TABLE known_devices (
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fingerprint text        NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (user_id, fingerprint)
);
