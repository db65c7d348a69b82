//! What administrators ask of the account store and the audit trail: pages of users found by
//! status, role and a search term; changes to an account; pages of audit events.

use crate::Timestamp;
use crate::audit::AuditKind;
use crate::authorization::RoleName;
use crate::ids::UserId;
use crate::user::{AccountStatus, ProfileChanges};
use thiserror::Error;

/// Which page of a listing: `page` from 1, `limit` 1-100 (default 20), as seed section 15.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u32,
    limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PageError {
    #[error("page must be 1 or more")]
    Page,
    #[error("limit must be between 1 and 100")]
    Limit,
}

impl PageRequest {
    pub const DEFAULT_LIMIT: u32 = 20;
    pub const MAX_LIMIT: u32 = 100;
    /// Beyond this page the offset alone would walk a million rows; nobody pages that far.
    pub const MAX_PAGE: u32 = 100_000;

    /// # Errors
    /// [`PageError`] when `page` is 0 or above [`Self::MAX_PAGE`], or `limit` is outside 1-100.
    pub fn new(page: Option<u32>, limit: Option<u32>) -> Result<Self, PageError> {
        let page = page.unwrap_or(1);
        let limit = limit.unwrap_or(Self::DEFAULT_LIMIT);
        if page == 0 || page > Self::MAX_PAGE {
            return Err(PageError::Page);
        }
        if limit == 0 || limit > Self::MAX_LIMIT {
            return Err(PageError::Limit);
        }
        Ok(Self { page, limit })
    }

    #[must_use]
    pub const fn page(self) -> u32 {
        self.page
    }

    #[must_use]
    pub const fn limit(self) -> u32 {
        self.limit
    }

    /// How many rows come before this page.
    #[must_use]
    pub const fn offset(self) -> u64 {
        (self.page as u64 - 1) * self.limit as u64
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            limit: Self::DEFAULT_LIMIT,
        }
    }
}

/// One page of a listing and how many items the whole listing has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: u64,
}

impl<T> Page<T> {
    /// `ceil(total / limit)`: 0 for an empty listing.
    #[must_use]
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(u64::from(self.request.limit()))
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            request: self.request,
            total: self.total,
        }
    }
}

/// What `search` looks for: trimmed, lowercased, 1-100 characters, matched as a substring of
/// the email or the username. The adapters escape it for `LIKE` themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("search must be 1-100 characters")]
pub struct InvalidSearchTerm;

impl SearchTerm {
    pub const MAX_CHARS: usize = 100;

    /// # Errors
    /// [`InvalidSearchTerm`] when nothing is left after trimming, or more than 100 characters
    /// are, or it holds a control character.
    pub fn parse(s: &str) -> Result<Self, InvalidSearchTerm> {
        let s = s.trim();
        if s.is_empty() || s.chars().count() > Self::MAX_CHARS || s.chars().any(char::is_control) {
            return Err(InvalidSearchTerm);
        }
        Ok(Self(s.to_lowercase()))
    }

    /// The lowercased text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The order of a user listing. Ties fall back to the id, so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    /// `-createdAt`, the default: newest first.
    #[default]
    NewestFirst,
    /// `createdAt`.
    OldestFirst,
    /// `email` / `-email`.
    EmailAsc,
    EmailDesc,
    /// `username` / `-username`.
    UsernameAsc,
    UsernameDesc,
    /// `-lastLogin`: most recent login first, never-logged-in last.
    LastLoginDesc,
    /// `lastLogin`: never-logged-in first.
    LastLoginAsc,
}

impl UserSort {
    pub const ALL: [Self; 8] = [
        Self::NewestFirst,
        Self::OldestFirst,
        Self::EmailAsc,
        Self::EmailDesc,
        Self::UsernameAsc,
        Self::UsernameDesc,
        Self::LastLoginDesc,
        Self::LastLoginAsc,
    ];

    /// The query-string spelling.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::NewestFirst => "-createdAt",
            Self::OldestFirst => "createdAt",
            Self::EmailAsc => "email",
            Self::EmailDesc => "-email",
            Self::UsernameAsc => "username",
            Self::UsernameDesc => "-username",
            Self::LastLoginDesc => "-lastLogin",
            Self::LastLoginAsc => "lastLogin",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Which accounts a listing shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserQuery {
    pub status: Option<AccountStatus>,
    pub search: Option<SearchTerm>,
    /// Accounts holding this role.
    pub role: Option<RoleName>,
    pub sort: UserSort,
    pub page: PageRequest,
}

/// What an administrator changes on an account, beyond its profile. `None` leaves a field
/// as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountChange {
    pub profile: ProfileChanges,
    pub status: Option<AccountStatus>,
    /// The whole new list, deduplicated, each defined in the role catalog.
    pub roles: Option<Vec<RoleName>>,
    pub email_verified: Option<bool>,
}

impl AccountChange {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// The accounts whose last one must stay: active holders of any of `roles` (the roles that
/// grant `admin.roles.write`). A change that would leave none is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LastAdminGuard {
    pub roles: Vec<RoleName>,
}

impl LastAdminGuard {
    /// Whether an account with these roles and this status counts as a full admin.
    #[must_use]
    pub fn counts(&self, status: AccountStatus, roles: &[RoleName]) -> bool {
        status == AccountStatus::Active && roles.iter().any(|r| self.roles.contains(r))
    }
}

/// Which audit events a listing shows, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditQuery {
    /// Events about this account.
    pub user_id: Option<UserId>,
    /// Only these kinds; empty: every kind.
    pub kinds: Vec<AuditKind>,
    /// From this time on, inclusive.
    pub from: Option<Timestamp>,
    /// Before this time, exclusive.
    pub to: Option<Timestamp>,
    pub page: PageRequest,
}

#[cfg(test)]
mod tests;
