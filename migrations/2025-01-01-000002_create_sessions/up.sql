-- Sessions and their refresh-token families.
--
-- A session is one login; every refresh token it ever issued belongs to it, and revoking the
-- session (revoked_at) revokes them all. `current_token_hash` names the family's current token:
-- a session is live while it is not revoked and that token has not expired. Rotation locks the
-- session row (SELECT ... FOR UPDATE), so one family rotates one request at a time.
-- Only SHA-256 hashes of refresh tokens are stored, never the tokens.
CREATE TABLE sessions (
    id                 uuid        PRIMARY KEY,
    user_id            uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ip                 text,
    user_agent         text,
    remember_me        boolean     NOT NULL,
    created_at         timestamptz NOT NULL,
    -- The last login or refresh; the session limit evicts the least recent.
    last_activity      timestamptz NOT NULL,
    revoked_at         timestamptz,
    current_token_hash text        NOT NULL
);

-- Listing a user's sessions, the session limit and "log out everywhere" only look at
-- sessions that are not revoked.
CREATE INDEX sessions_user_live_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- One row per refresh token ever issued. A rotated token records when and for which successor,
-- so that a replay inside the grace window is told apart from theft.
CREATE TABLE refresh_tokens (
    hash           text        PRIMARY KEY,
    session_id     uuid        NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id        uuid        NOT NULL,
    issued_at      timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    rotated_at     timestamptz,
    successor_hash text,
    CHECK ((rotated_at IS NULL) = (successor_hash IS NULL))
);

-- Deleting a session (ON DELETE CASCADE) finds its tokens through this index.
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
