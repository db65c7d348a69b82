//! PostgreSQL storage adapter: every storage port of authd over diesel-async (tokio-postgres,
//! no libpq), with a bb8 pool and the schema migrations of `migrations/` embedded.
//!
//! - [`PostgresStore`]: accounts, sessions and refresh-token families, one-time tokens, the
//!   email outbox, the audit trail, the failed logins of identifiers naming no account, and MFA
//!   (factors, backup codes, login challenges, remembered devices), and for administration the
//!   user directory (search, administrators' changes) and the devices accounts signed in from.
//!   Share one instance (`Arc<PostgresStore>`) as all of these ports.
//! - [`run_migrations`], [`pending_migrations`], [`revert_all_migrations`]: the schema.
//!
//! Every port method is one statement or one transaction. Where a race is named (refresh-token
//! rotation, failed-login counting, consuming a one-time token, the session limit, a TOTP step,
//! a backup code, an MFA challenge, a device seen for the first time), the rows that serialize
//! it are locked (`SELECT ... FOR UPDATE`) before the domain's pure policy decides, so
//! PostgreSQL and the in-memory adapter apply exactly the same rules. Changes that could take
//! away the last administrator take turns on one advisory lock (`directory`). A change and the
//! email it causes are written in the same transaction.

mod audit;
mod directory;
mod error;
mod known_devices;
mod login_attempts;
mod mfa;
mod migrations;
mod one_time_tokens;
mod outbox;
mod payload;
mod rotation;
mod rows;
mod schema;
mod sessions;
mod shared_writes;
mod store;
mod sweep;
mod tls;
mod users;

pub use directory::search_sql;
pub use error::PgError;
pub use migrations::{pending_migrations, revert_all_migrations, run_migrations};
pub use store::{PgSettings, PostgresStore};
