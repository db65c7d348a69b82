//! The "account locked" email: its self-unlock link is minted at send time, only while the lock
//! is still in force.

use super::{claims, is_dropped, jane, marks_sent, mints_and_sends, no_links, queued, worker};
use crate::ids::UserId;
use crate::notification::{Notification, OutboxMessage};
use crate::ports::{MockMailer, MockOutbox};
use crate::services::test_support::{Mocks, active_user, t0};
use crate::token::{ACCOUNT_UNLOCK_TTL, TokenPurpose};
use crate::user::{AccountStatus, User};
use chrono::Duration;

fn lock_mail(user_id: Option<UserId>) -> OutboxMessage {
    let (to, username) = jane();
    queued(
        Notification::AccountLocked {
            user_id,
            to,
            username,
            until: t0() + Duration::minutes(29),
        },
        0,
    )
}

/// The account as stored now: `status`, locked until `locked_until`.
fn account(m: &mut Mocks, user_id: UserId, status: AccountStatus, locked_until: Option<i64>) {
    let mut user = User {
        id: user_id,
        status,
        ..active_user()
    };
    user.lockout.failed_attempts = 5;
    user.lockout.locked_until = locked_until.map(|s| t0() + Duration::seconds(s));
    m.users
        .expect_find_by_id()
        .withf(move |id| *id == user_id)
        .times(1)
        .returning(move |_| Ok(Some(user.clone())));
}

/// `msg` goes out as a plain notice: no token is minted, the letter carries none.
async fn sent_without_link(mut m: Mocks, msg: OutboxMessage) {
    let mut outbox = MockOutbox::new();
    claims(&mut outbox, vec![msg.clone()]);
    marks_sent(&mut outbox, msg.id);
    let users = std::mem::take(&mut m.users);
    let mut m = no_links(outbox);
    m.users = users;
    let mut mailer = MockMailer::new();
    mailer
        .expect_deliver()
        .times(1)
        .withf(|letter| {
            letter.link_token.is_none()
                && matches!(letter.notification, Notification::AccountLocked { .. })
        })
        .returning(|_| Ok(()));
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 1);
}

#[tokio::test]
async fn a_lock_email_carries_an_unlock_token_valid_for_thirty_minutes() {
    let user_id = UserId::new();
    let msg = lock_mail(Some(user_id));
    let mut m = Mocks::new();
    account(&mut m, user_id, AccountStatus::Active, Some(60));
    claims(&mut m.outbox, vec![msg.clone()]);
    marks_sent(&mut m.outbox, msg.id);
    let mut mailer = MockMailer::new();
    assert_eq!(ACCOUNT_UNLOCK_TTL, Duration::minutes(30));
    mints_and_sends(
        &mut m,
        &mut mailer,
        user_id,
        TokenPurpose::AccountUnlock,
        ACCOUNT_UNLOCK_TTL,
    );
    assert_eq!(worker(m, mailer).run_once(10).await.unwrap(), 1);
}

#[tokio::test]
async fn a_lock_that_is_over_is_still_reported_but_without_a_link() {
    // Expired at `now`, and cleared (by a login, a reset or an unlock) since it was queued.
    for locked_until in [Some(0), None] {
        let user_id = UserId::new();
        let mut m = Mocks::new();
        account(&mut m, user_id, AccountStatus::Active, locked_until);
        sent_without_link(m, lock_mail(Some(user_id))).await;
    }
}

#[tokio::test]
async fn a_lock_email_queued_without_its_user_goes_out_without_a_link() {
    let mut m = Mocks::new();
    m.users.expect_find_by_id().never();
    sent_without_link(m, lock_mail(None)).await;
}

#[tokio::test]
async fn a_lock_email_for_an_account_deleted_or_suspended_since_is_dropped() {
    for status in [AccountStatus::Deleted, AccountStatus::Suspended] {
        let user_id = UserId::new();
        let mut m = Mocks::new();
        account(&mut m, user_id, status, Some(60));
        is_dropped(m, lock_mail(Some(user_id))).await;
    }
}
