//! Reads variables by name and collects every problem instead of stopping at the first, so an
//! operator fixes a broken configuration in one round.

use super::ConfigError;
use std::collections::HashMap;

pub(crate) struct Reader {
    vars: HashMap<String, String>,
    pub(crate) errors: Vec<ConfigError>,
}

impl Reader {
    pub(crate) fn new(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            vars: vars.into_iter().collect(),
            errors: Vec::new(),
        }
    }

    /// The trimmed value; an empty value counts as unset (a `NAME=` line in `.env`).
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub(crate) fn is_set(&self, name: &str) -> bool {
        self.raw(name).is_some()
    }

    pub(crate) fn problem(&mut self, name: &'static str, message: impl Into<String>) {
        self.errors.push(ConfigError {
            variable: name,
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
