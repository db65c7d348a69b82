//! Reads variables by name and collects every problem instead of stopping at the first, so an
//! operator fixes a broken configuration in one round.
//!
//! The CheckInn document names some variables differently; its names are read here, once, as
//! aliases of the Perfect21 ones, so every section sees one name and every problem names the
//! variable the operator actually set.

use super::ConfigError;
use std::collections::HashMap;

/// `(Perfect21 name, CheckInn name)`: the same setting under the two documents' names. The
/// CheckInn name is read when the Perfect21 one is unset; both set to different values is a
/// problem, since either choice would silently ignore one of them.
pub(crate) const ALIASES: [(&str, &str); 10] = [
    ("JWT_ACCESS_SECRET", "JWT_SECRET"),
    ("JWT_ACCESS_EXPIRY", "JWT_EXPIRES_IN"),
    ("JWT_REFRESH_EXPIRY", "JWT_REFRESH_EXPIRES_IN"),
    ("SMTP_FROM", "EMAIL_FROM"),
    ("SMTP_HOST", "EMAIL_HOST"),
    ("SMTP_PORT", "EMAIL_PORT"),
    ("SMTP_USER", "EMAIL_USERNAME"),
    ("SMTP_PASSWORD", "EMAIL_PASSWORD"),
    ("MAX_FAILED_ATTEMPTS", "MAX_LOGIN_ATTEMPTS"),
    ("LOCKOUT_DURATION", "LOCK_TIME"),
];

pub(crate) struct Reader {
    vars: HashMap<String, String>,
    pub(crate) errors: Vec<ConfigError>,
}

impl Reader {
    pub(crate) fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut reader = Self {
            vars: vars.into_iter().collect(),
            errors: Vec::new(),
        };
        for (name, alias) in ALIASES {
            match (reader.own(name), reader.own(alias)) {
                // Only whether they differ is said: either may be a secret.
                (Some(a), Some(b)) if a != b => reader.errors.push(ConfigError {
                    variable: name,
                    message: format!(
                        "is also set as {alias} (its CheckInn name), to a different value: set \
                         only one of them"
                    ),
                }),
                _ => {}
            }
        }
        reader
    }

    /// The trimmed value under exactly `name`; an empty value counts as unset (a `NAME=` line
    /// in `.env`).
    fn own(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The name `name`'s value is read under: its CheckInn alias when only that is set.
    fn source(&self, name: &'static str) -> &'static str {
        if self.own(name).is_some() {
            return name;
        }
        ALIASES
            .iter()
            .find(|(perfect21, alias)| *perfect21 == name && self.own(alias).is_some())
            .map_or(name, |(_, alias)| alias)
    }

    /// The trimmed value of `name`, or of its CheckInn alias; an empty value counts as unset.
    pub(crate) fn raw(&self, name: &'static str) -> Option<&str> {
        self.own(self.source(name))
    }

    pub(crate) fn is_set(&self, name: &'static str) -> bool {
        self.raw(name).is_some()
    }

    /// Records a problem with `name`, named as the operator set it (its alias, if that is how).
    pub(crate) fn problem(&mut self, name: &'static str, message: impl Into<String>) {
        let variable = self.source(name);
        self.errors.push(ConfigError {
            variable,
            message: message.into(),
        });
    }

    /// The parsed value, `None` when unset; a parse failure is recorded and also gives `None`.
    pub(crate) fn optional<T>(
        &mut self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.raw(name)?.to_owned();
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(message) => {
                self.problem(name, message);
                None
            }
        }
    }

    /// The parsed value or `default` (when unset, and after recording a parse failure).
    pub(crate) fn or<T>(
        &mut self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        self.optional(name, parse).unwrap_or(default)
    }
}
