-- The email outbox (transactional outbox pattern): a change and the email it causes are
-- written in one transaction, and the delivery worker sends what is due.
--
-- `payload` is the notification as JSON (authd-postgres's own serde mirror of
-- domain::notification::Notification). It never holds a raw token: the link of a verification
-- or reset email is minted by the worker just before sending.
--
-- A worker claims due messages with FOR UPDATE SKIP LOCKED and leases them until
-- `leased_until`, so no two workers (of any instance) send the same message. A delivered
-- message gets `sent_at`; one that will never be delivered gets `dead_at`.
CREATE TABLE outbox (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL,
    payload         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    -- Failed delivery attempts so far.
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    leased_until    timestamptz,
    sent_at         timestamptz,
    dead_at         timestamptz,
    last_error      text
);

-- What the delivery worker polls: messages still waiting, by due time.
CREATE INDEX outbox_due_idx
    ON outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND dead_at IS NULL;
