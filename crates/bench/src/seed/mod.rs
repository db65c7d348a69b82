//! Accounts to load the server with: inserted straight into PostgreSQL for the production stack
//! (one bcrypt hash shared by all, tokens minted here), or registered, verified and logged in
//! over HTTP for the in-memory store, which nothing outside the process can write to.

mod http;
mod million;
mod postgres;

pub use http::register_and_log_in;
pub use million::insert_million_and_admin;
pub use postgres::insert_accounts;

/// Every seeded account's password; it satisfies the default (classic) password policy.
pub const PASSWORD: &str = "Bench-Password-42!";

/// An account the load can act as: one live session, its access and refresh tokens.
#[derive(Clone)]
pub struct Account {
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}
