-- Single-use tokens: email verification and password reset, stored as SHA-256 hashes only.
--
-- Only the latest unused token of a user and purpose works: the partial unique index below
-- allows one unused token per user and purpose, and issuing replaces it in one statement
-- (INSERT ... ON CONFLICT DO UPDATE), so concurrent issues leave exactly one. Consuming sets
-- used_at with `UPDATE ... WHERE used_at IS NULL`, so of two concurrent consumers exactly one
-- wins; used rows are kept, and a second use is answered "not found".
CREATE TABLE one_time_tokens (
    hash       text        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);

CREATE UNIQUE INDEX one_time_tokens_user_unused_key
    ON one_time_tokens (user_id, purpose)
    WHERE used_at IS NULL;
