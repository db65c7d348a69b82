//! [`BcryptHasher`]: bcrypt password hashing off the async executor.
//!
//! Every hash and verification runs on a dedicated pool of OS threads (one per core unless
//! configured) fed by a bounded queue (`HASH_QUEUE_MAX`). When the queue is full the call fails
//! at once with [`HashError::Busy`] (503 `SERVICE_BUSY`): a login storm then costs rejected
//! logins, not a stalled executor or unbounded latency for every caller. Results come back over
//! a oneshot channel; a job whose caller went away is skipped.
//!
//! Passwords longer than bcrypt's 72 bytes, or containing a NUL byte, are pre-hashed with
//! HMAC-SHA-256 (keyed by the optional server pepper) and base64-encoded before bcrypt; the
//! `prehash` module says why and what that implies.

mod pool;
mod prehash;

use async_trait::async_trait;
use authd_domain::ports::{HashError, PasswordCheck, PasswordHasher};
use authd_domain::telemetry::{NoTelemetry, Telemetry};
use authd_domain::values::{Password, PasswordHash};
use bcrypt::HashParts;
use pool::{SubmitError, WorkerPool};
use prehash::Prehasher;
use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use thiserror::Error;
use tokio::sync::oneshot;

/// The bcrypt costs bcrypt itself accepts.
const COST_RANGE: std::ops::RangeInclusive<u32> = 4..=31;

/// Hashed once per process at the configured cost; only ever compared against, never matched.
const DUMMY_PASSWORD: &str = "authd dummy password for unknown users";

/// How to build a [`BcryptHasher`].
#[derive(Debug, Clone)]
pub struct BcryptConfig {
    /// bcrypt cost (`BCRYPT_ROUNDS`), 4..=31. Each step doubles the work.
    pub cost: u32,
    /// Hashing threads; 0 means one per available core.
    pub workers: usize,
    /// Jobs allowed to wait for a thread (`HASH_QUEUE_MAX`), at least 1. Beyond it: `Busy`.
    pub queue_max: usize,
    /// The server pepper (`PASSWORD_PEPPER`) keying the pre-hash of passwords over 72 bytes.
    pub pepper: Option<SecretString>,
}

impl Default for BcryptConfig {
    fn default() -> Self {
        Self {
            cost: 12,
            workers: 0,
            queue_max: 256,
            pepper: None,
        }
    }
}

/// Why a [`BcryptHasher`] could not be built.
#[derive(Debug, Error)]
pub enum HasherConfigError {
    #[error("bcrypt cost must be between 4 and 31, got {0}")]
    CostOutOfRange(u32),
    #[error("the hashing queue must hold at least one job")]
    EmptyQueue,
    #[error("could not start the hashing threads: {0}")]
    Spawn(#[source] std::io::Error),
}

/// bcrypt on a bounded thread pool. Cheap to share behind an `Arc`; dropping it stops the threads
/// once queued work is done.
pub struct BcryptHasher {
    shared: Arc<Shared>,
    pool: WorkerPool,
    peppered: bool,
    telemetry: Arc<dyn Telemetry>,
}

/// What the worker threads need, shared with every job.
struct Shared {
    cost: u32,
    prehasher: Prehasher,
    dummy_hash: OnceLock<String>,
}

impl BcryptHasher {
    /// Validates `config` and starts the worker threads.
    ///
    /// # Errors
    /// A cost outside 4..=31, an empty queue, or threads the OS would not start.
    pub fn new(config: BcryptConfig) -> Result<Self, HasherConfigError> {
        if !COST_RANGE.contains(&config.cost) {
            return Err(HasherConfigError::CostOutOfRange(config.cost));
        }
        if config.queue_max == 0 {
            return Err(HasherConfigError::EmptyQueue);
        }
        let workers = if config.workers == 0 {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        } else {
            config.workers
        };
        let pool = WorkerPool::start("authd-bcrypt", workers, config.queue_max)
            .map_err(HasherConfigError::Spawn)?;
        let pepper = config.pepper.as_ref().map(|p| p.expose_secret().as_bytes());
        Ok(Self {
            shared: Arc::new(Shared {
                cost: config.cost,
                prehasher: Prehasher::new(pepper),
                dummy_hash: OnceLock::new(),
            }),
            pool,
            peppered: pepper.is_some(),
            telemetry: Arc::new(NoTelemetry),
        })
    }

    /// Reports the queue, the waits and the hash durations to `telemetry`.
    #[must_use]
    pub fn with_telemetry(self, telemetry: Arc<dyn Telemetry>) -> Self {
        Self { telemetry, ..self }
    }

    /// The configured bcrypt cost.
    #[must_use]
    pub fn cost(&self) -> u32 {
        self.shared.cost
    }

    /// Runs `work` on the pool and waits for its result without blocking the executor.
    async fn run<T, F>(&self, work: F) -> Result<T, HashError>
    where
        T: Send + 'static,
        F: FnOnce(&Shared) -> Result<T, HashError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let shared = Arc::clone(&self.shared);
        let telemetry = Arc::clone(&self.telemetry);
        let queued_at = Instant::now();
        self.telemetry.hash_queued();
        self.pool
            .try_submit(Box::new(move || {
                let started = Instant::now();
                telemetry.hash_started(started.duration_since(queued_at));
                // The request was abandoned while queued: spare the CPU for the others.
                if tx.is_closed() {
                    return;
                }
                let result = work(&shared);
                telemetry.hash_finished(started.elapsed());
                let _ = tx.send(result);
            }))
            .map_err(|e| {
                // A refused job never starts: it leaves the queue here.
                match e {
                    SubmitError::Full => {
                        self.telemetry.hashing_busy();
                        HashError::Busy
                    }
                    SubmitError::Closed => {
                        self.telemetry.hashing_stopped();
                        HashError::Failed("hashing threads stopped".to_owned())
                    }
                }
            })?;
        rx.await
            .map_err(|_| HashError::Failed("hashing job aborted".to_owned()))?
    }
}

impl Shared {
    fn dummy_hash(&self) -> Result<&str, HashError> {
        if self.dummy_hash.get().is_none() {
            let hash = bcrypt::hash(DUMMY_PASSWORD, self.cost).map_err(|_| bcrypt_failed())?;
            // Two threads may race here; either hash is as good as the other.
            let _ = self.dummy_hash.set(hash);
        }
        self.dummy_hash
            .get()
            .map(String::as_str)
            .ok_or_else(bcrypt_failed)
    }
}

/// bcrypt's errors can quote the stored hash, so only a fixed message leaves this module.
fn bcrypt_failed() -> HashError {
    HashError::Failed("bcrypt failed".to_owned())
}

fn malformed_hash() -> HashError {
    HashError::Failed("stored password hash is not a bcrypt hash".to_owned())
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: &Password) -> Result<PasswordHash, HashError> {
        let password = password.clone();
        self.run(move |shared| {
            let input = shared.prehasher.bcrypt_input(password.expose());
            bcrypt::hash(input.as_slice(), shared.cost)
                .map(PasswordHash::from_trusted)
                .map_err(|_| bcrypt_failed())
        })
        .await
    }

    async fn verify(
        &self,
        password: &Password,
        hash: &PasswordHash,
    ) -> Result<PasswordCheck, HashError> {
        let stored_cost = hash
            .as_str()
            .parse::<HashParts>()
            .map_err(|_| malformed_hash())?
            .get_cost();
        let password = password.clone();
        let hash = hash.clone();
        self.run(move |shared| {
            let input = shared.prehasher.bcrypt_input(password.expose());
            let matches =
                bcrypt::verify(input.as_slice(), hash.as_str()).map_err(|_| malformed_hash())?;
            Ok(if matches {
                PasswordCheck::Match {
                    needs_rehash: stored_cost < shared.cost,
                }
            } else {
                PasswordCheck::Mismatch
            })
        })
        .await
    }

    async fn verify_dummy(&self, password: &Password) -> Result<(), HashError> {
        let password = password.clone();
        self.run(move |shared| {
            let input = shared.prehasher.bcrypt_input(password.expose());
            let dummy = shared.dummy_hash()?;
            let outcome = bcrypt::verify(input.as_slice(), dummy).map_err(|_| bcrypt_failed())?;
            std::hint::black_box(outcome);
            Ok(())
        })
        .await
    }
}

impl fmt::Debug for BcryptHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BcryptHasher")
            .field("cost", &self.shared.cost)
            .field("workers", &self.pool.workers())
            .field("queue_max", &self.pool.queue_max())
            .field("peppered", &self.peppered)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    fn password(s: &str) -> Password {
        Password::parse(s.to_owned(), "password").unwrap()
    }

    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once_and_recovers_afterwards() {
        let hasher = BcryptHasher::new(BcryptConfig {
            cost: 4,
            workers: 1,
            queue_max: 1,
            pepper: None,
        })
        .unwrap();
        // Occupy the only worker, then the only queue slot.
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        hasher
            .pool
            .try_submit(Box::new(move || {
                started_tx.send(()).unwrap();
                let _ = release_rx.recv();
            }))
            .unwrap();
        started_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let (drained_tx, drained_rx) = mpsc::channel();
        hasher
            .pool
            .try_submit(Box::new(move || drained_tx.send(()).unwrap()))
            .unwrap();

        let p = password("hunter2hunter2");
        let started = Instant::now();
        assert!(matches!(hasher.hash(&p).await, Err(HashError::Busy)));
        assert!(matches!(
            hasher.verify_dummy(&p).await,
            Err(HashError::Busy)
        ));
        assert!(started.elapsed() < Duration::from_millis(500));

        release_tx.send(()).unwrap();
        drained_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        let hash = hasher.hash(&p).await.unwrap();
        assert_eq!(
            hasher.verify(&p, &hash).await.unwrap(),
            PasswordCheck::Match {
                needs_rehash: false
            }
        );
    }
}
