//! Registration of the conformance checks as tests, grouped by what an adapter serves: an
//! adapter's test file calls [`storage_conformance!`](crate::storage_conformance) and/or
//! [`cache_conformance!`](crate::cache_conformance) once, and gets one `#[tokio::test]` per
//! check, named after it. The list of checks of a port sits in the port's module, beside the
//! checks (`users_conformance!` in `users.rs`, ...), so a check is added in one place and runs
//! on every adapter of its port by construction.
//!
//! Each test runs on a multi-threaded runtime with 4 workers, so that the concurrent checks
//! race for real. The calling crate needs `tokio` (with `macros` and `rt-multi-thread`).

/// Every check of the storage ports (users, login attempts, sessions, one-time tokens, outbox,
/// audit, MFA, the user directory, known devices, the cleanup sweep), each as
/// a `#[tokio::test]` on the [`StorageUnderTest`](crate::StorageUnderTest) that `$storage`
/// gives: an expression evaluated once per check (it may `.await`), which must give storage of
/// its own each time (the outbox checks count every message they see).
///
/// ```ignore
/// authd_testkit::storage_conformance!(storage().await);
/// ```
#[macro_export]
macro_rules! storage_conformance {
    ($storage:expr) => {
        $crate::users_conformance!($storage);
        $crate::login_attempts_conformance!($storage);
        $crate::sessions_conformance!($storage);
        $crate::one_time_tokens_conformance!($storage);
        $crate::outbox_conformance!($storage);
        $crate::audit_conformance!($storage);
        $crate::mfa_conformance!($storage);
        $crate::directory_conformance!($storage);
        $crate::known_devices_conformance!($storage);
        $crate::retention_conformance!($storage);
    };
}

/// Every check of the short-lived shared state: the access-token denylist on the adapter that
/// `denylist` gives, the rate limiter on the one `rate_limiter` gives and the failed-login
/// spreads on the one `failure_spread` gives (each an expression evaluated once per check; it
/// may `.await`).
///
/// ```ignore
/// authd_testkit::cache_conformance! {
///     denylist: store().await,
///     rate_limiter: store().await,
///     failure_spread: store().await,
/// }
/// ```
#[macro_export]
macro_rules! cache_conformance {
    (
        denylist: $denylist:expr,
        rate_limiter: $limiter:expr,
        failure_spread: $spread:expr $(,)?
    ) => {
        $crate::denylist_conformance!($denylist);
        $crate::rate_limiter_conformance!($limiter);
        $crate::failure_spread_conformance!($spread);
    };
}

/// `async fn <check>() { <module>::<check>(&<under test>).await }` as a test, for each check.
#[doc(hidden)]
#[macro_export]
macro_rules! __register_checks {
    ($module:ident, $under_test:expr; $($check:ident)*) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $check() {
            $crate::$module::$check(&$under_test).await;
        }
    )*};
}

/// As [`__register_checks!`](crate::__register_checks), for checks that take the adapter as an
/// `Arc` of the port, to share it with the tasks they spawn.
#[doc(hidden)]
#[macro_export]
macro_rules! __register_shared_checks {
    ($module:ident, $under_test:expr; $($check:ident)*) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $check() {
            $crate::$module::$check(::std::sync::Arc::new($under_test)).await;
        }
    )*};
}
