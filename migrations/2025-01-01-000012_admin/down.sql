DROP TABLE known_devices;
DROP INDEX audit_events_at_idx;
DROP INDEX audit_events_kind_at_idx;
ALTER TABLE audit_events DROP COLUMN actor_id;
DROP INDEX users_roles_idx;
DROP INDEX users_username_order_idx;
DROP INDEX users_email_order_idx;
DROP INDEX users_created_at_idx;
DROP INDEX users_username_trgm_idx;
DROP INDEX users_email_trgm_idx;
-- pg_trgm stays: it may have been there before (created by a superuser, as docs/postgres.md
-- advises on managed services), and a role that does not own it could not drop it anyway.
