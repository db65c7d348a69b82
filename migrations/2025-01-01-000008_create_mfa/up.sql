-- Multi-factor authentication: factors, backup codes, login challenges, remembered devices.
-- Nothing here is usable without the service's keys: TOTP secrets are sealed (AES-256-GCM) before
-- they reach storage, backup codes are stored as keyed digests, challenge and device tokens as
-- SHA-256 hashes.

-- Kept in step with the confirmed factors by every change below, in the same transaction, so
-- that the login reads it with the account and a login without MFA costs nothing more.
ALTER TABLE users ADD COLUMN mfa_enabled boolean NOT NULL DEFAULT false;

-- A factor is pending from setup until its first code is accepted. At most one confirmed and
-- one pending factor per user and kind (the two partial unique indexes): a second setup replaces
-- the pending one with INSERT ... ON CONFLICT DO UPDATE, so concurrent setups leave one.
-- `last_step` is the last TOTP step accepted; a code of that step or an earlier one is a replay,
-- refused by the compare-and-set `UPDATE ... WHERE last_step IS NULL OR last_step < $step`.
CREATE TABLE mfa_factors (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text        NOT NULL CHECK (kind IN ('totp')),
    device_name  text,
    secret       bytea       NOT NULL,
    last_step    bigint,
    confirmed_at timestamptz,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz
);

CREATE UNIQUE INDEX mfa_factors_user_kind_confirmed_key ON mfa_factors (user_id, kind)
    WHERE confirmed_at IS NOT NULL;
CREATE UNIQUE INDEX mfa_factors_user_kind_pending_key ON mfa_factors (user_id, kind)
    WHERE confirmed_at IS NULL;
-- Listing and deleting a user's factors (overview, disable, the users foreign key).
CREATE INDEX mfa_factors_user_id_idx ON mfa_factors (user_id);

-- Backup codes, as keyed digests. `factor_id` is set while the codes belong to a pending factor
-- (they do not work yet) and cleared when it is confirmed and they replace the user's earlier
-- codes. The confirmed set and each pending set are unique on their own, not with each other:
-- a new code may happen to equal one of the codes it is about to replace.
CREATE TABLE mfa_backup_codes (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest    text        NOT NULL,
    -- ON UPDATE: a setup that replaces a pending factor gives the row a new id; the codes that
    -- came with the old one follow it and are then deleted in the same transaction.
    factor_id uuid        REFERENCES mfa_factors (id) ON DELETE CASCADE ON UPDATE CASCADE,
    used_at   timestamptz
);

-- Spending a code, counting the codes left.
CREATE UNIQUE INDEX mfa_backup_codes_user_digest_key ON mfa_backup_codes (user_id, digest)
    WHERE factor_id IS NULL;
-- The codes of a pending factor (and the foreign key's cascades).
CREATE UNIQUE INDEX mfa_backup_codes_factor_digest_key ON mfa_backup_codes (factor_id, digest)
    WHERE factor_id IS NOT NULL;

-- The state between a right password and the second factor, under the hash of the mfaToken.
-- `attempts` counts the codes presented, each taken before its code is checked by
-- `UPDATE ... SET attempts = attempts + 1 WHERE expires_at > now AND attempts < 5 RETURNING`,
-- so parallel requests get 5 codes checked between them. Consumed (after a right code) by
-- `DELETE ... WHERE expires_at > now RETURNING`, so exactly one of concurrent verifications gets
-- it. A challenge with its 5 attempts taken is kept until the user's next challenge clears it.
CREATE TABLE mfa_challenges (
    hash        text        PRIMARY KEY,
    user_id     uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    verified    text        NOT NULL,
    remember_me boolean     NOT NULL,
    ip          text,
    user_agent  text,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    attempts    integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);

CREATE INDEX mfa_challenges_user_id_idx ON mfa_challenges (user_id);

-- Browsers that may skip the second factor until `expires_at`, under the hash of their token.
CREATE TABLE mfa_remembered_devices (
    id           uuid        PRIMARY KEY,
    hash         text        NOT NULL UNIQUE,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   text,
    ip           text,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz
);

CREATE INDEX mfa_remembered_devices_user_id_idx ON mfa_remembered_devices (user_id);
