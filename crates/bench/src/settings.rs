//! The server's configuration during the run: production settings (bcrypt cost 12, RS256 with a
//! key file, a fixed refresh secret, JSON logs at `info`) with rate limits and the per-address
//! connection cap off, since one client address sends everything. Everything else is authd's
//! default.

use crate::bcrypt_limit::COST;
use crate::keys::Keys;
use std::collections::BTreeMap;
use std::path::Path;

/// The embedded default with production settings: memory storage, denylist and limits.
pub fn embedded(keys: &Keys, mail_dir: &Path) -> BTreeMap<String, String> {
    let mut vars = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        vars.insert(k.to_owned(), v);
    };
    set("HOST", "127.0.0.1".to_owned());
    set("JWT_ALGORITHM", "RS256".to_owned());
    set("JWT_PRIVATE_KEY_FILE", keys.pem_file.display().to_string());
    set("JWT_REFRESH_SECRET", keys.refresh_secret().to_owned());
    // A fixed key, as production has one (required on PostgreSQL): base64 of 32 bytes.
    set(
        "MFA_ENCRYPTION_KEY",
        "YXV0aGQtYmVuY2gtbWZhLWtleS0zMi1ieXRlcy0hISE=".to_owned(),
    );
    set("BCRYPT_ROUNDS", COST.to_string());
    set("RATE_LIMIT_ENABLED", "false".to_owned());
    set("MAX_CONNECTIONS_PER_IP", "0".to_owned());
    set("MAIL_DIR", mail_dir.display().to_string());
    set("LOG_FORMAT", "json".to_owned());
    set("LOG_LEVEL", "info".to_owned());
    vars
}

/// The production stack: the same, over PostgreSQL and Redis.
pub fn production(
    keys: &Keys,
    mail_dir: &Path,
    database_url: &str,
    redis_url: &str,
) -> BTreeMap<String, String> {
    let mut vars = embedded(keys, mail_dir);
    vars.insert("DATABASE_URL".to_owned(), database_url.to_owned());
    vars.insert("REDIS_URL".to_owned(), redis_url.to_owned());
    vars
}

/// Nothing configured but where mail goes (so the run leaves nothing in a temp dir).
pub fn zero_config(mail_dir: &Path) -> BTreeMap<String, String> {
    BTreeMap::from([("MAIL_DIR".to_owned(), mail_dir.display().to_string())])
}
