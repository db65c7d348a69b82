//! The background tasks' loop: one round now, then one every period, until shutdown.

use std::future::Future;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

/// Runs `round` at once and then every `period` until `stop` turns true (or its sender is
/// dropped). A round that overruns delays the next instead of bunching them up.
pub(crate) async fn every<F, Fut>(period: Duration, mut stop: watch::Receiver<bool>, mut round: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            _ = ticks.tick() => round().await,
        }
    }
}
