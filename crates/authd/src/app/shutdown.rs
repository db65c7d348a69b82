//! How a signal stops the server. SIGTERM (orchestrators, `docker stop`): readiness turns off at
//! once, the server keeps accepting for `SHUTDOWN_DRAIN_DELAY` so that load balancers notice and
//! route elsewhere (until they do, new requests still arrive here, and are served), then stops
//! accepting and gives requests in flight up to `SHUTDOWN_GRACE`. Ctrl-C (SIGINT, a developer's
//! terminal, where no load balancer routes) skips the drain. A second signal cuts the drain short.

use actix_web::dev::ServerHandle;
use authd_http::Draining;
use std::time::Duration;
use tokio::sync::watch;

/// Waits for the first signal, then stops `server` as described above. `stopping` is told as
/// soon as the signal comes, so that background work (the sweep) can wind down during the drain.
pub(super) async fn on_signal(
    server: ServerHandle,
    draining: Draining,
    drain: Duration,
    stopping: watch::Sender<bool>,
) {
    let mut signals = Signals::listen();
    let first = signals.next().await;
    draining.start();
    let _ = stopping.send(true);
    if first == Signal::Terminate && !drain.is_zero() {
        tracing::info!(
            drain_ms = u64::try_from(drain.as_millis()).unwrap_or(u64::MAX),
            "SIGTERM: readiness is off; still serving while load balancers notice"
        );
        tokio::select! {
            () = tokio::time::sleep(drain) => {}
            _ = signals.next() => tracing::info!("a second signal: the drain is cut short"),
        }
    }
    tracing::info!("no longer accepting connections; finishing the requests in flight");
    server.stop(true).await;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Terminate,
    Interrupt,
}

/// The signal listeners, installed once: a signal that arrives between two waits is not lost.
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    fn listen() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let term = signal(SignalKind::terminate())
                .inspect_err(|e| {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                })
                .ok();
            Self { term }
        }
        #[cfg(not(unix))]
        Self {}
    }

    async fn next(&mut self) -> Signal {
        #[cfg(unix)]
        if let Some(term) = self.term.as_mut() {
            return tokio::select! {
                () = ctrl_c() => Signal::Interrupt,
                _ = term.recv() => Signal::Terminate,
            };
        }
        ctrl_c().await;
        Signal::Interrupt
    }
}

/// Ctrl-C; never resolves if the handler cannot be installed (rather than stopping at once).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
