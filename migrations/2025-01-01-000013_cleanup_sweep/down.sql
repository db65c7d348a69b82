DROP INDEX outbox_finished_idx;
DROP INDEX one_time_tokens_expires_at_idx;
