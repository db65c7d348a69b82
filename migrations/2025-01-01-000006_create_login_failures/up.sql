-- Failed logins against identifiers that name no account. They lock exactly like an account's
-- lockout columns (domain::policy::lockout), or the lock would tell who has an account.
--
-- `digest` is the SHA-256 (hex) of the normalized identifier, "email:<address>" or
-- "username:<name>", trimmed and lowercased: the identifier itself is never stored. A row is
-- changed under its row lock (taken by INSERT ... ON CONFLICT DO UPDATE), like the lockout
-- columns of users under SELECT ... FOR NO KEY UPDATE.
--
-- A row whose lock has expired answers exactly as no row does (the next failure counts from
-- one), so such rows are deleted whenever a failure locks an identifier; rows that never
-- locked stay until the retention clean-up.
CREATE TABLE login_failures (
    digest          text        PRIMARY KEY,
    failed_attempts integer     NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    last_failed_at  timestamptz,
    locked_until    timestamptz
);

-- Finds the expired locks to delete.
CREATE INDEX login_failures_locked_until_idx ON login_failures (locked_until)
    WHERE locked_until IS NOT NULL;
