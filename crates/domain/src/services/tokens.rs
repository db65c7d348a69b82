//! Issuing the token pair, shared by login and refresh.

use crate::token::RawToken;

/// What a successful login or refresh hands to the client.
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// `None` on a refresh with rotation turned off.
    pub refresh_token: Option<RawToken>,
    /// Seconds until the refresh token expires (for the cookie's `Max-Age`).
    pub refresh_expires_in: i64,
    /// `false`: the refresh cookie is a session cookie.
    pub remember_me: bool,
}
