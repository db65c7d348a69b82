-- The audit trail: security-relevant facts, kept for administrators. Secret-free by
-- construction: no passwords, tokens or hashes are ever recorded.
--
-- No foreign keys: the trail outlives what it mentions, and recording an event never fails
-- because of the state of another table. `seq` keeps the recording order of events of the
-- same instant.
CREATE TABLE audit_events (
    id         uuid        PRIMARY KEY,
    seq        bigint      GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL,
    kind       text        NOT NULL,
    user_id    uuid,
    session_id uuid,
    ip         text,
    user_agent text,
    detail     text
);

-- A user's events, newest first.
CREATE INDEX audit_events_user_at_idx ON audit_events (user_id, at DESC, seq DESC);
