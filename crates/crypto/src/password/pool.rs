//! A fixed set of OS threads fed by a bounded queue, for CPU-heavy work that must never run on
//! the async executor. Submitting never waits: a full queue is reported at once, so the caller
//! can answer "busy" instead of piling up requests behind a login storm.
//!
//! The workers run at the lowest scheduling priority (`SCHED_IDLE` on Linux, else the lowest
//! nice level). With one worker per core at normal priority, a login storm took every core from
//! the async workers and multiplied the latency of token-authenticated requests; now any runnable
//! request thread preempts bcrypt, which gets only the CPU left over. Logins slow down instead of
//! everything else, and the bounded queue still turns the excess into 503 `SERVICE_BUSY`.
//! Lowering is best effort: if the OS refuses, one warning is logged and the pool runs as is.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, Once};
use std::thread;
use thread_priority::ThreadPriority;

pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// Why a job was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubmitError {
    /// Every worker is busy and `queue_max` jobs are already waiting.
    Full,
    /// Every worker has stopped (cannot happen while the pool is alive, but is not a panic).
    Closed,
}

pub(crate) struct WorkerPool {
    sender: SyncSender<Job>,
    workers: usize,
    queue_max: usize,
}

impl WorkerPool {
    /// Starts `workers` threads named `{name}-{i}` sharing a queue of `queue_max` waiting jobs.
    /// The threads stop once the pool is dropped and the queue is drained.
    pub(crate) fn start(name: &str, workers: usize, queue_max: usize) -> std::io::Result<Self> {
        let (sender, receiver) = sync_channel::<Job>(queue_max);
        let receiver = Arc::new(Mutex::new(receiver));
        for i in 0..workers {
            let receiver = Arc::clone(&receiver);
            thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || run_worker(&receiver))?;
        }
        Ok(Self {
            sender,
            workers,
            queue_max,
        })
    }

    pub(crate) fn try_submit(&self, job: Job) -> Result<(), SubmitError> {
        self.sender.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => SubmitError::Full,
            TrySendError::Disconnected(_) => SubmitError::Closed,
        })
    }

    pub(crate) fn workers(&self) -> usize {
        self.workers
    }

    pub(crate) fn queue_max(&self) -> usize {
        self.queue_max
    }
}

fn run_worker(receiver: &Mutex<Receiver<Job>>) {
    lower_own_priority();
    loop {
        // The lock is held only while waiting for the next job, never while running it.
        let job = {
            let Ok(guard) = receiver.lock() else { return };
            match guard.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panicking job must not shrink the pool; its caller sees its result channel close.
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

/// Moves the calling thread to the lowest priority; see the module documentation for why.
fn lower_own_priority() {
    static WARNED: Once = Once::new();
    if let Err(e) = set_lowest_priority() {
        WARNED.call_once(|| {
            tracing::warn!(
                error = %e,
                "could not lower the priority of the hashing threads; \
                 a login storm may slow down token-authenticated requests"
            );
        });
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn set_lowest_priority() -> Result<(), thread_priority::Error> {
    use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
    thread_priority::set_thread_priority_and_policy(
        thread_priority::thread_native_id(),
        ThreadPriority::Min,
        ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
    )
    // Some sandboxes refuse SCHED_IDLE but allow raising the nice level.
    .or_else(|_| thread_priority::set_current_thread_priority(ThreadPriority::Min))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn set_lowest_priority() -> Result<(), thread_priority::Error> {
    thread_priority::set_current_thread_priority(ThreadPriority::Min)
}

impl fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerPool")
            .field("workers", &self.workers)
            .field("queue_max", &self.queue_max)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn a_full_queue_rejects_new_jobs_and_accepts_again_once_drained() {
        let pool = WorkerPool::start("test-pool", 1, 1).unwrap();
        let (started_tx, started_rx) = mpsc::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        pool.try_submit(Box::new(move || {
            started_tx.send(()).unwrap();
            let _ = release_rx.recv();
        }))
        .unwrap();
        started_rx.recv_timeout(Duration::from_secs(5)).unwrap();

        let (done_tx, done_rx) = mpsc::channel();
        let queued = done_tx.clone();
        pool.try_submit(Box::new(move || queued.send(()).unwrap()))
            .unwrap();
        assert_eq!(pool.try_submit(Box::new(|| {})), Err(SubmitError::Full));

        release_tx.send(()).unwrap();
        done_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        pool.try_submit(Box::new(move || done_tx.send(()).unwrap()))
            .unwrap();
        done_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn jobs_run_at_idle_scheduling_priority() {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadSchedulePolicy};
        let pool = WorkerPool::start("test-pool", 1, 1).unwrap();
        let (policy_tx, policy_rx) = mpsc::channel();
        pool.try_submit(Box::new(move || {
            policy_tx
                .send(thread_priority::thread_schedule_policy())
                .unwrap();
        }))
        .unwrap();
        let policy = policy_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert_eq!(
            policy.unwrap(),
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle)
        );
    }

    #[test]
    fn a_panicking_job_does_not_kill_its_worker() {
        let pool = WorkerPool::start("test-pool", 1, 4).unwrap();
        pool.try_submit(Box::new(|| panic!("job failed"))).unwrap();
        let (done_tx, done_rx) = mpsc::channel();
        pool.try_submit(Box::new(move || done_tx.send(()).unwrap()))
            .unwrap();
        done_rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
}
