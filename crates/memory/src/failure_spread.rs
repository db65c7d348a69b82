//! [`FailureSpread`] over the in-memory windows: per client address, the distinct login targets
//! that failed in the current window. Windows are fixed and aligned on the Unix epoch (the
//! window holding `now` is `now / length`), as the Redis adapter keys them, so that both
//! agree on where a window ends.
//!
//! One mutex guards every address, so a failure's count and the one-time flag are decided
//! together and of concurrent failures exactly one sees the threshold. Each address keeps at
//! most `limit.accounts` targets (further ones cannot change the answer), and closed windows
//! are swept out at most once per [`SWEEP_INTERVAL`] of the times callers pass in.

use async_trait::async_trait;
use authd_domain::Timestamp;
use authd_domain::error::PortError;
use authd_domain::ports::{FailureSpread, SpreadLimit};
use chrono::Duration;
use std::collections::{HashMap, HashSet};

const SWEEP_INTERVAL: Duration = Duration::minutes(1);

/// Every address's failures in its current window.
#[derive(Default)]
pub(crate) struct Spreads {
    by_ip: HashMap<String, Spread>,
    next_sweep: Option<Timestamp>,
}

impl Spreads {
    pub(crate) fn len(&self) -> usize {
        self.by_ip.len()
    }
}

struct Spread {
    /// The window's index since the epoch, in windows of its length.
    window: i64,
    closes_at: Timestamp,
    targets: HashSet<String>,
}

#[async_trait]
impl FailureSpread for crate::MemoryRateLimiter {
    async fn record(
        &self,
        ip: &str,
        target: &str,
        limit: SpreadLimit,
        now: Timestamp,
    ) -> Result<bool, PortError> {
        let (window, closes_at) = window_of(now, limit.window);
        let threshold = usize::try_from(limit.accounts).unwrap_or(usize::MAX);
        let mut s = self.spreads();
        if s.next_sweep.is_none_or(|next| now >= next) {
            s.next_sweep = now.checked_add_signed(SWEEP_INTERVAL);
            s.by_ip.retain(|_, spread| spread.closes_at > now);
        }
        let spread = s.by_ip.entry(ip.to_owned()).or_insert_with(|| Spread {
            window,
            closes_at,
            targets: HashSet::new(),
        });
        if spread.window != window {
            *spread = Spread {
                window,
                closes_at,
                targets: HashSet::new(),
            };
        }
        if spread.targets.len() >= threshold || spread.targets.contains(target) {
            return Ok(false);
        }
        spread.targets.insert(target.to_owned());
        Ok(spread.targets.len() == threshold)
    }
}

/// The index of the window of `length` holding `now`, and when it closes. A window shorter
/// than a millisecond is one.
fn window_of(now: Timestamp, length: Duration) -> (i64, Timestamp) {
    let length_ms = length.num_milliseconds().max(1);
    let window = now.timestamp_millis().div_euclid(length_ms);
    let closes_at = window
        .checked_add(1)
        .and_then(|next| next.checked_mul(length_ms))
        .and_then(chrono::DateTime::from_timestamp_millis)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    (window, closes_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryRateLimiter;
    use authd_testkit::clock::ManualClock;
    use chrono::{TimeZone, Utc};
    use std::sync::Arc;

    #[tokio::test]
    async fn closed_windows_are_forgotten_so_memory_stays_bounded() {
        let start = Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).unwrap();
        let spread = MemoryRateLimiter::new(Arc::new(ManualClock::at(start)));
        let limit = SpreadLimit {
            accounts: 10,
            window: Duration::minutes(15),
        };
        for n in 0..100 {
            spread
                .record(&format!("10.0.0.{n}"), "t", limit, start)
                .await
                .unwrap();
        }
        assert_eq!(spread.spreads().len(), 100);

        let later = start + Duration::minutes(16);
        spread.record("10.0.0.0", "t", limit, later).await.unwrap();

        assert_eq!(spread.spreads().len(), 1, "closed windows were kept");
    }

    #[test]
    fn windows_are_aligned_on_the_epoch() {
        let at = Utc.with_ymd_and_hms(2024, 1, 1, 12, 7, 30).unwrap();
        let (_, closes_at) = window_of(at, Duration::minutes(15));
        assert_eq!(
            closes_at,
            Utc.with_ymd_and_hms(2024, 1, 1, 12, 15, 0).unwrap()
        );
    }
}
