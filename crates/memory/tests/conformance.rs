//! The port conformance suites of `authd-testkit`, run against the in-memory adapters, which
//! serve every storage port and both caches: one test per check, each on a fresh adapter.

use authd_clock::SystemClock;
use authd_memory::{MemoryDenylist, MemoryRateLimiter, MemoryStore};
use authd_testkit::StorageUnderTest;
use std::sync::Arc;

fn storage() -> StorageUnderTest {
    StorageUnderTest::from_store(Arc::new(MemoryStore::new()))
}

// The checks time the caches with the wall clock, as the binary runs them.
authd_testkit::storage_conformance!(storage());
authd_testkit::cache_conformance! {
    denylist: MemoryDenylist::new(Arc::new(SystemClock)),
    rate_limiter: MemoryRateLimiter::new(Arc::new(SystemClock)),
    failure_spread: MemoryRateLimiter::new(Arc::new(SystemClock)),
}
