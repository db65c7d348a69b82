-- Accounts.
--
-- `email` and `username` are stored as the user typed them and are unique case-insensitively:
-- the unique indexes are on lower(...), and lookups use the same expression so they use them.
-- The adapter maps a violation of users_email_lower_key / users_username_lower_key to
-- EMAIL_EXISTS / USERNAME_EXISTS by index name, so keep these names.
-- Accounts are never deleted (status 'deleted' is final): a deleted account keeps its email and
-- username reserved.
CREATE TABLE users (
    id                    uuid        PRIMARY KEY,
    email                 text        NOT NULL CHECK (char_length(email) BETWEEN 1 AND 255),
    username              text        NOT NULL CHECK (char_length(username) BETWEEN 1 AND 50),
    -- A bcrypt hash; never a password.
    password_hash         text        NOT NULL,
    first_name            text,
    last_name             text,
    phone                 text,
    -- The `preferences` object of the API (language, currency, notifications).
    preferences           jsonb       NOT NULL DEFAULT '{}'::jsonb,
    status                text        NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'active', 'suspended', 'deleted')),
    email_verified        boolean     NOT NULL DEFAULT false,
    phone_verified        boolean     NOT NULL DEFAULT false,
    roles                 text[]      NOT NULL DEFAULT ARRAY['user']::text[],
    -- Lockout state (domain::policy::lockout), changed under SELECT ... FOR NO KEY UPDATE.
    failed_login_attempts integer     NOT NULL DEFAULT 0 CHECK (failed_login_attempts >= 0),
    last_failed_login     timestamptz,
    locked_until          timestamptz,
    last_login            timestamptz,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
