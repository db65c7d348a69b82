-- The cleanup sweep (docs/postgres.md, "Cleanup"): what lets its batches find old rows without
-- reading whole tables. Audit events use audit_events_at_idx, expired identifier locks
-- login_failures_locked_until_idx; sessions, MFA challenges and remembered devices are read
-- whole (see the docs for why no index is worth its cost there).

-- One-time tokens expired before the cut-off (a used token is swept once it has expired too).
CREATE INDEX one_time_tokens_expires_at_idx ON one_time_tokens (expires_at);

-- Delivered and given-up messages, by when they finished. Pending messages are not in it.
CREATE INDEX outbox_finished_idx ON outbox ((coalesce(sent_at, dead_at)))
    WHERE sent_at IS NOT NULL OR dead_at IS NOT NULL;
