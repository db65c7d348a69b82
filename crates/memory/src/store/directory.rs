//! [`UserDirectory`] over the in-memory tables. An administrator's change is checked and written
//! under the store's one lock, so the last-admin guard sees every other change either wholly
//! before or wholly after it: of two admins demoting each other at once, one finds the other
//! still counting and succeeds, the other finds nobody left and is refused.

use super::{MemoryStore, Tables};
use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::directory::{AccountChange, LastAdminGuard, Page, UserQuery, UserSort};
use authd_domain::error::PortError;
use authd_domain::ids::{SessionId, UserId};
use authd_domain::policy::lockout::LockoutPolicy;
use authd_domain::ports::{AccountChangeError, AppliedChange, InsertAccountError, UserDirectory};
use authd_domain::user::{AccountStatus, User};
use std::cmp::Ordering;

#[async_trait]
impl UserDirectory for MemoryStore {
    async fn search(&self, query: &UserQuery) -> Result<Page<User>, PortError> {
        let t = self.lock();
        let mut found: Vec<&User> = t.users.values().filter(|u| matches(u, query)).collect();
        found.sort_by(|a, b| compare(query.sort, a, b));
        let total = found.len() as u64;
        let skip = usize::try_from(query.page.offset()).unwrap_or(usize::MAX);
        let take = usize::try_from(query.page.limit()).unwrap_or(usize::MAX);
        let items = found.into_iter().skip(skip).take(take).cloned().collect();
        Ok(Page {
            items,
            request: query.page,
            total,
        })
    }

    async fn apply_change(
        &self,
        id: UserId,
        change: &AccountChange,
        guard: &LastAdminGuard,
        now: Timestamp,
    ) -> Result<AppliedChange, AccountChangeError> {
        let mut t = self.lock();
        t.maybe_sweep(now);
        let before = t
            .users
            .get(&id)
            .cloned()
            .ok_or(AccountChangeError::NotFound)?;
        if before.status == AccountStatus::Deleted {
            return Err(AccountChangeError::Deleted);
        }
        let after = changed(&before, change, now);
        if guard.counts(before.status, &before.roles)
            && !guard.counts(after.status, &after.roles)
            && !t.any_admin_but(guard, id)
        {
            return Err(AccountChangeError::LastAdmin);
        }
        let ends_access = matches!(
            after.status,
            AccountStatus::Suspended | AccountStatus::Deleted
        ) && after.status != before.status;
        let revoked_sessions = if ends_access {
            t.end_access_of(id, now)
        } else {
            Vec::new()
        };
        t.users.insert(id, after.clone());
        Ok(AppliedChange {
            before,
            after,
            revoked_sessions,
        })
    }

    async fn clear_lockout(&self, id: UserId, _now: Timestamp) -> Result<bool, PortError> {
        let mut t = self.lock();
        Ok(t.users.get_mut(&id).is_some_and(|user| {
            user.lockout = LockoutPolicy::cleared();
            true
        }))
    }

    async fn any_admin(&self, guard: &LastAdminGuard) -> Result<bool, PortError> {
        let t = self.lock();
        Ok(t.users.values().any(|u| guard.counts(u.status, &u.roles)))
    }

    async fn insert(&self, user: &User) -> Result<(), InsertAccountError> {
        let mut t = self.lock();
        t.maybe_sweep(user.created_at);
        let email = user.email.normalized();
        let username = user.username.skeleton();
        if t.user_by_email.contains_key(&email) {
            return Err(InsertAccountError::EmailTaken);
        }
        if t.user_by_username.contains_key(&username) {
            return Err(InsertAccountError::UsernameTaken);
        }
        if t.users.contains_key(&user.id) {
            return Err(PortError::internal("duplicate user id").into());
        }
        t.user_by_email.insert(email, user.id);
        t.user_by_username.insert(username, user.id);
        t.users.insert(user.id, user.clone());
        Ok(())
    }
}

impl Tables {
    /// Whether an account other than `id` counts as a full admin under `guard`.
    fn any_admin_but(&self, guard: &LastAdminGuard, id: UserId) -> bool {
        self.users
            .values()
            .any(|u| u.id != id && guard.counts(u.status, &u.roles))
    }

    /// What a suspension or deletion takes away: every live session (returned), the unused
    /// one-time tokens, the remembered devices and the pending login challenges, so that
    /// nothing issued before lets the account back in.
    fn end_access_of(&mut self, id: UserId, now: Timestamp) -> Vec<SessionId> {
        self.remove_one_time_tokens_of(id);
        self.mfa.forget_devices_of(id);
        self.mfa.forget_challenges_of(id);
        self.revoke_sessions_of(id, now, None)
    }
}

/// The account after `change`, as the port describes it.
fn changed(before: &User, change: &AccountChange, now: Timestamp) -> User {
    let mut after = before.clone();
    change.profile.apply_to(&mut after.profile);
    if let Some(verified) = change.email_verified {
        after.email_verified = verified;
        // Verifying the address by hand does what the verification link would have done.
        if verified && before.status == AccountStatus::Pending {
            after.status = AccountStatus::Active;
        }
    }
    if let Some(status) = change.status {
        after.status = status;
    }
    if let Some(roles) = &change.roles {
        after.roles.clone_from(roles);
    }
    after.updated_at = now;
    after
}

fn matches(user: &User, query: &UserQuery) -> bool {
    query.status.is_none_or(|status| user.status == status)
        && query
            .role
            .as_ref()
            .is_none_or(|role| user.roles.contains(role))
        && query.search.as_ref().is_none_or(|term| {
            // A plain substring test: `%`, `_` and `\` mean themselves.
            user.email.normalized().contains(term.as_str())
                || user.username.normalized().contains(term.as_str())
        })
}

/// `sort`'s order; ties go by id in the same direction, so that each descending order is
/// exactly its ascending one reversed and no two pages overlap.
fn compare(sort: UserSort, a: &User, b: &User) -> Ordering {
    let (key, descending) = match sort {
        UserSort::NewestFirst => (a.created_at.cmp(&b.created_at), true),
        UserSort::OldestFirst => (a.created_at.cmp(&b.created_at), false),
        UserSort::EmailAsc => (lowercase_cmp(a.email.as_str(), b.email.as_str()), false),
        UserSort::EmailDesc => (lowercase_cmp(a.email.as_str(), b.email.as_str()), true),
        UserSort::UsernameAsc => (
            lowercase_cmp(a.username.as_str(), b.username.as_str()),
            false,
        ),
        UserSort::UsernameDesc => (
            lowercase_cmp(a.username.as_str(), b.username.as_str()),
            true,
        ),
        // `None < Some`: never-logged-in accounts come first ascending, last descending.
        UserSort::LastLoginDesc => (a.last_login.cmp(&b.last_login), true),
        UserSort::LastLoginAsc => (a.last_login.cmp(&b.last_login), false),
    };
    let order = key.then_with(|| a.id.cmp(&b.id));
    if descending { order.reverse() } else { order }
}

/// Compares the lower-cased texts without building them.
fn lowercase_cmp(a: &str, b: &str) -> Ordering {
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}
