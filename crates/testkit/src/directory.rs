//! Conformance checks for [`authd_domain::ports::UserDirectory`]: finding accounts (filters,
//! search, every order, pages), an administrator's changes with what suspension and deletion
//! take away, the last-admin guard under concurrency, unlocking, and storing the first admin.
//!
//! Every check names its accounts with a tag of its own and searches for that tag, and guards
//! a role name of its own, so totals and "no other admin" hold even on storage that other
//! checks use at the same time.
//!
//! The orders, precisely: `createdAt`, `email`, `username` (both compared lower-cased) and
//! `lastLogin` ascending break ties by ascending id; each descending order is its ascending
//! one exactly reversed, ties included (descending id). `-lastLogin` puts accounts that never
//! logged in last, `lastLogin` first.

mod accounts;
mod changes;
mod last_admin;
mod search;

pub use accounts::*;
pub use changes::*;
pub use last_admin::*;
pub use search::*;

use crate::StorageUnderTest;
use crate::fixtures::{self, unique};
use authd_domain::authorization::RoleName;
use authd_domain::directory::{LastAdminGuard, PageRequest, SearchTerm, UserQuery, UserSort};
use authd_domain::ids::UserId;
use authd_domain::user::{AccountStatus, User};

/// Every check of this module, each registered as a test on a fresh `$storage` (see
/// [`crate::conformance`]): listing a check here runs it on every adapter of the port.
#[macro_export]
macro_rules! directory_conformance {
    ($storage:expr) => {
        $crate::__register_checks! { directory, $storage;
            search_filters_by_status_and_role_and_counts_every_match
            search_finds_a_substring_of_the_email_or_the_username_in_any_case
            search_takes_percent_underscore_and_backslash_literally
            every_sort_orders_as_documented_with_ties_by_id
            pages_split_a_listing_without_overlap_and_count_the_whole
            a_change_sets_the_profile_roles_and_verified_flag_and_nothing_else
            verifying_a_pending_account_activates_it_unless_a_status_is_given
            suspension_revokes_sessions_voids_tokens_and_forgets_mfa_state
            deletion_ends_access_as_suspension_does
            a_change_that_keeps_the_account_usable_revokes_nothing
            a_deleted_account_takes_no_change
            a_change_to_an_unknown_account_is_not_found
            clear_lockout_clears_the_lock_and_the_failure_count
            insert_stores_the_account_as_given_and_queues_no_mail
            insert_refuses_a_taken_email_or_a_look_alike_username
            concurrent_inserts_with_one_email_have_exactly_one_winner
            any_admin_counts_only_active_holders_of_a_guarded_role
            the_last_admin_cannot_be_demoted_suspended_or_deleted
            an_admin_may_leave_while_another_remains
            changes_to_accounts_that_are_not_admins_ignore_the_guard
            two_admins_demoting_each_other_at_once_leave_exactly_one
            two_admins_suspending_each_other_at_once_leave_exactly_one
            many_admins_removed_at_once_leave_exactly_one
        }
    };
}

/// A role name no other check uses.
fn fresh_role() -> RoleName {
    role(&format!("r{}", unique()))
}

fn role(name: &str) -> RoleName {
    RoleName::parse(name).unwrap_or_else(|e| panic!("{e}"))
}

/// The guard of the given roles.
fn guard(roles: &[&RoleName]) -> LastAdminGuard {
    LastAdminGuard {
        roles: roles.iter().map(|r| (*r).clone()).collect(),
    }
}

/// A fresh account (pending, created at [`fixtures::t0`]) named `<prefix><tag>`: email
/// `<prefix><tag>@example.com`, username `<prefix><tag>`.
fn named(prefix: &str, tag: &str) -> User {
    fixtures::user_with(
        &format!("{prefix}{tag}@example.com"),
        &format!("{prefix}{tag}"),
    )
}

/// An active, verified account holding `roles`, stored as given.
async fn active_with(s: &StorageUnderTest, roles: &[&RoleName]) -> User {
    let user = User {
        status: AccountStatus::Active,
        email_verified: true,
        roles: roles.iter().map(|r| (*r).clone()).collect(),
        ..fixtures::user()
    };
    insert(s, &user).await;
    user
}

async fn insert(s: &StorageUnderTest, user: &User) {
    s.directory
        .insert(user)
        .await
        .unwrap_or_else(|e| panic!("inserting a fresh account: {e}"));
}

async fn stored(s: &StorageUnderTest, id: UserId) -> User {
    s.users
        .find_by_id(id)
        .await
        .unwrap()
        .expect("the account exists")
}

/// Accounts whose email or username holds `term`, in `sort` order, on page `page` of `limit`.
fn query(term: &str, sort: UserSort, page: u32, limit: u32) -> UserQuery {
    UserQuery {
        search: Some(SearchTerm::parse(term).unwrap_or_else(|e| panic!("{e}"))),
        sort,
        page: PageRequest::new(Some(page), Some(limit)).unwrap_or_else(|e| panic!("{e}")),
        ..UserQuery::default()
    }
}

/// The ids of every account `query` finds (one page of up to 100).
async fn found(s: &StorageUnderTest, query: &UserQuery) -> Vec<UserId> {
    s.directory
        .search(query)
        .await
        .unwrap()
        .items
        .iter()
        .map(|u| u.id)
        .collect()
}

/// `ids` sorted, to compare sets.
fn sorted<T: Ord>(mut ids: Vec<T>) -> Vec<T> {
    ids.sort_unstable();
    ids
}
