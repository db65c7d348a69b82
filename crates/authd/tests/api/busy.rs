//! A login storm beyond the hashing queue is turned away at once with 503 SERVICE_BUSY, and the
//! service serves normally once it has passed.

use crate::helpers::spawn_app_with;
use crate::helpers::{Backend, backends};
use futures_util::future::join_all;
use rstest_reuse::apply;

#[apply(backends)]
async fn logins_beyond_the_hashing_queue_answer_service_busy_with_retry_after(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("HASH_WORKERS", "1"),
            ("HASH_QUEUE_MAX", "1"),
            ("BCRYPT_ROUNDS", "8"),
        ],
    )
    .await;
    let user = app.verified_user().await;

    let credentials = user.credentials();
    let storm = join_all((0..40).map(|_| app.login_reply(&credentials))).await;

    let busy: Vec<_> = storm.iter().filter(|r| r.status == 503).collect();
    assert!(
        !busy.is_empty(),
        "one worker and a queue of one cannot take 40 logins at once"
    );
    for reply in &busy {
        reply.error(503, "SERVICE_BUSY");
        let retry_after: u64 = reply
            .header("retry-after")
            .expect("a Retry-After header")
            .parse()
            .expect("Retry-After in seconds");
        assert!(retry_after >= 1);
    }
    assert!(
        storm.iter().all(|r| r.status == 200 || r.status == 503),
        "every login is served or turned away, nothing else: {:?}",
        storm.iter().map(|r| r.status).collect::<Vec<_>>()
    );

    app.login_reply(&user.credentials()).await.ok(200);
}
