//! The domain's events as counters, gauges and histograms.

use authd_domain::notification::Notification;
use authd_domain::ports::SweptRows;
use authd_domain::telemetry::{LoginOutcome, Telemetry};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::fmt;
use std::time::Duration;

/// Waits and bcrypt runs, in seconds: a cost-12 hash takes about 250 ms on one core.
const HASH_BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// One cleanup sweep, in seconds: milliseconds when there is little to delete, seconds for a
/// backlog of hundreds of thousands of rows.
const SWEEP_BUCKETS: [f64; 10] = [0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0, 60.0];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct TableLabels {
    table: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct KindLabels {
    kind: &'static str,
}

/// The [`Telemetry`] of a running service. Every login outcome is registered at zero, so that a
/// rate over it exists before the first failure.
pub struct DomainMetrics {
    logins: [Counter; LoginOutcome::ALL.len()],
    refreshes: Counter,
    reuse: Counter,
    lockouts: Counter,
    queue: Gauge,
    wait: Histogram,
    hash: Histogram,
    busy: Counter,
    emails: Family<KindLabels, Counter>,
    given_up: Family<KindLabels, Counter>,
    swept: Family<TableLabels, Counter>,
    sweeps: Histogram,
}

impl DomainMetrics {
    /// Registers the families in `registry` (prefix `authd`).
    pub fn register(registry: &mut Registry) -> Self {
        let logins = Family::<OutcomeLabels, Counter>::default();
        let this = Self {
            logins: LoginOutcome::ALL.map(|o| {
                logins.get_or_create_owned(&OutcomeLabels {
                    outcome: o.as_str(),
                })
            }),
            refreshes: Counter::default(),
            reuse: Counter::default(),
            lockouts: Counter::default(),
            queue: Gauge::default(),
            wait: Histogram::new(HASH_BUCKETS),
            hash: Histogram::new(HASH_BUCKETS),
            busy: Counter::default(),
            emails: Family::default(),
            given_up: Family::default(),
            swept: Family::default(),
            sweeps: Histogram::new(SWEEP_BUCKETS),
        };
        registry.register("logins", "Login attempts by outcome", logins);
        registry.register(
            "refreshes",
            "Refresh tokens exchanged for a new token pair",
            this.refreshes.clone(),
        );
        registry.register(
            "refresh_reuse_detected",
            "Rotated refresh tokens presented again after the grace window (the session was revoked)",
            this.reuse.clone(),
        );
        registry.register(
            "lockouts",
            "Accounts or unknown identifiers locked by failed logins",
            this.lockouts.clone(),
        );
        registry.register(
            "password_hash_queue_depth",
            "Password hashing jobs waiting for a hashing thread",
            this.queue.clone(),
        );
        registry.register(
            "password_hash_wait_seconds",
            "Time a password hashing job waited for a hashing thread",
            this.wait.clone(),
        );
        registry.register(
            "password_hash_duration_seconds",
            "Time a password hash or verification took on its thread",
            this.hash.clone(),
        );
        registry.register(
            "password_hash_rejected",
            "Password hashing jobs refused because the queue was full (503 SERVICE_BUSY)",
            this.busy.clone(),
        );
        // Every kind from the start, so that a rate over a kind never sent is 0, not absent.
        for kind in Notification::KINDS {
            drop(this.emails.get_or_create(&KindLabels { kind }));
            drop(this.given_up.get_or_create(&KindLabels { kind }));
        }
        registry.register(
            "emails_sent",
            "Emails handed to the mail transport, by kind",
            this.emails.clone(),
        );
        registry.register(
            "emails_given_up",
            "Emails the outbox stopped trying to deliver after failures, by kind",
            this.given_up.clone(),
        );
        for (table, _) in SweptRows::default().by_table() {
            drop(this.swept.get_or_create(&TableLabels { table }));
        }
        registry.register(
            "cleanup_rows_deleted",
            "Rows the cleanup sweep deleted, by table",
            this.swept.clone(),
        );
        registry.register(
            "cleanup_sweep_duration_seconds",
            "Time a cleanup sweep took (sweeps skipped because another instance held the lock \
             are not counted)",
            this.sweeps.clone(),
        );
        this
    }
}

impl Telemetry for DomainMetrics {
    fn login(&self, outcome: LoginOutcome) {
        if let Some(i) = LoginOutcome::ALL.iter().position(|&o| o == outcome) {
            self.logins[i].inc();
        }
    }

    fn refreshed(&self) {
        self.refreshes.inc();
    }

    fn refresh_reuse_detected(&self) {
        self.reuse.inc();
    }

    fn locked_out(&self) {
        self.lockouts.inc();
    }

    fn hash_queued(&self) {
        self.queue.inc();
    }

    fn hash_started(&self, waited: Duration) {
        self.queue.dec();
        self.wait.observe(waited.as_secs_f64());
    }

    fn hash_finished(&self, took: Duration) {
        self.hash.observe(took.as_secs_f64());
    }

    fn hashing_busy(&self) {
        self.queue.dec();
        self.busy.inc();
    }

    fn hashing_stopped(&self) {
        self.queue.dec();
    }

    fn email_sent(&self, kind: &'static str) {
        self.emails.get_or_create(&KindLabels { kind }).inc();
    }

    fn email_given_up(&self, kind: &'static str) {
        self.given_up.get_or_create(&KindLabels { kind }).inc();
    }

    fn rows_swept(&self, table: &'static str, rows: u64) {
        self.swept
            .get_or_create(&TableLabels { table })
            .inc_by(rows);
    }

    fn sweep_finished(&self, took: Duration) {
        self.sweeps.observe(took.as_secs_f64());
    }
}

impl fmt::Debug for DomainMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DomainMetrics").finish_non_exhaustive()
    }
}
