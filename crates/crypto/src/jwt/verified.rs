//! Access tokens already verified by this process. A client sends the same access token with
//! every request for its whole lifetime (15 minutes by default), so remembering which exact
//! tokens passed the signature and claim checks turns the RSA verification of every request
//! after the first into a hash lookup.
//!
//! Only a token that passed every check is remembered, under its full text: a token differing
//! in a single byte is another key and goes through the whole verification. What a token may
//! lose with time (`exp`, `nbf`) is checked again at every use; revocation is the denylist's
//! business and is checked after verification whether the token was remembered or not. The keys
//! never change while the process runs, so nothing remembered can outlive the key that signed it.

use super::claims::ClaimRules;
use authd_domain::ports::AccessTokenError;
use authd_domain::token::AccessClaims;
use quick_cache::sync::Cache;

/// What is kept of a verified token: its claims and the two instants checked at every use.
#[derive(Clone)]
pub(super) struct Verified {
    pub(super) claims: AccessClaims,
    pub(super) exp: i64,
    pub(super) nbf: Option<i64>,
}

/// At most `capacity` tokens, the least useful evicted first (S3-FIFO); none when 0.
pub(super) struct VerifiedTokens {
    cache: Option<Cache<Box<str>, Verified>>,
}

impl VerifiedTokens {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            cache: (capacity > 0).then(|| Cache::new(capacity)),
        }
    }

    /// The claims of `token` if it was verified before, checked again against `now`; `None`
    /// when it must be verified in full.
    pub(super) fn claims(
        &self,
        token: &str,
        rules: &ClaimRules,
        now: i64,
    ) -> Option<Result<AccessClaims, AccessTokenError>> {
        let known = self.cache.as_ref()?.get(token)?;
        Some(
            rules
                .check_time(known.exp, known.nbf, now)
                .map(|()| known.claims),
        )
    }

    /// Remembers a token that passed every check.
    pub(super) fn remember(&self, token: &str, verified: Verified) {
        if let Some(cache) = &self.cache {
            cache.insert(token.into(), verified);
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.cache
            .as_ref()
            .map_or(0, |c| usize::try_from(c.capacity()).unwrap_or(usize::MAX))
    }
}

#[cfg(test)]
mod tests;
