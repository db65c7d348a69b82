//! The machine's physical login limit: bcrypt cost-12 hashes on every core at once, in this
//! process, before any server runs. A login verifies one hash, which costs the same as making
//! one, so no service can log in more users per second than `cores / hash time`.

use serde::Serialize;
use std::time::{Duration, Instant};

pub const COST: u32 = 12;

#[derive(Debug, Clone, Serialize)]
pub struct BcryptLimit {
    pub cost: u32,
    pub threads: usize,
    pub hashes: usize,
    /// Mean time of one hash while every core hashed.
    pub mean_hash_ms: f64,
    /// Hashes completed per second of wall time, all threads together.
    pub measured_hashes_per_s: f64,
    /// `threads / mean hash time`: the ceiling for logins per second.
    pub limit_per_s: f64,
}

/// Hashes `per_thread` times on each of `threads` threads (after one untimed hash each, which
/// warms caches and frequency scaling) and times them.
pub fn measure(threads: usize, per_thread: usize) -> BcryptLimit {
    let started = Instant::now();
    let per_hash: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let password = format!("Bench-Password-{t}!");
                    let _ = bcrypt::hash(&password, COST);
                    (0..per_thread)
                        .map(|_| {
                            let one = Instant::now();
                            let _ = bcrypt::hash(&password, COST);
                            one.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    // The untimed warm-up hash is in the wall time too; take it out proportionally.
    let wall = started.elapsed().as_secs_f64() * per_thread as f64 / (per_thread + 1) as f64;
    let hashes = per_hash.len();
    let mean = per_hash.iter().map(Duration::as_secs_f64).sum::<f64>() / hashes.max(1) as f64;
    BcryptLimit {
        cost: COST,
        threads,
        hashes,
        mean_hash_ms: mean * 1_000.0,
        measured_hashes_per_s: hashes as f64 / wall.max(f64::EPSILON),
        limit_per_s: threads as f64 / mean.max(f64::EPSILON),
    }
}
