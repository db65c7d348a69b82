//! Per-request timings with microsecond resolution (goose's own metrics are whole
//! milliseconds, too coarse for a 10 ms target), kept only for requests sent inside the measured
//! window, and their summary: rate, percentiles and outcomes.

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The measured part of a workload; requests sent before it are warm-up.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub from: Instant,
    pub to: Instant,
}

impl Window {
    pub fn after(delay: Duration, length: Duration) -> Self {
        let from = Instant::now() + delay;
        Self {
            from,
            to: from + length,
        }
    }

    pub fn length(&self) -> Duration {
        self.to - self.from
    }

    fn contains(&self, at: Instant) -> bool {
        self.from <= at && at < self.to
    }
}

/// How a request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The status, and for an error answer its `error.code`.
    Answered { status: u16, code: Option<String> },
    /// The client gave up waiting.
    Timeout,
    /// Connection refused or reset, or the body could not be read.
    Transport,
}

impl Outcome {
    pub fn ok(status: u16) -> Self {
        Self::Answered { status, code: None }
    }

    fn is_success(&self) -> bool {
        matches!(self, Self::Answered { status, .. } if (200..300).contains(status))
    }

    /// `200`, `503 SERVICE_BUSY`, `timeout`.
    fn label(&self) -> String {
        match self {
            Self::Answered {
                status,
                code: Some(code),
            } => format!("{status} {code}"),
            Self::Answered { status, .. } => status.to_string(),
            Self::Timeout => "timeout".to_owned(),
            Self::Transport => "transport error".to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Recorder {
    window: Window,
    samples: Mutex<Vec<(Outcome, u32)>>,
}

impl Recorder {
    pub fn new(window: Window) -> Self {
        Self {
            window,
            samples: Mutex::new(Vec::with_capacity(1 << 16)),
        }
    }

    pub fn window(&self) -> Window {
        self.window
    }

    /// Records a request sent at `sent` that took `elapsed`, if it was sent inside the window.
    pub fn record(&self, sent: Instant, elapsed: Duration, outcome: Outcome) {
        if self.window.contains(sent) {
            let micros = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
            self.samples
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((outcome, micros));
        }
    }

    pub fn summary(&self) -> Summary {
        let samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let seconds = self.window.length().as_secs_f64();
        let mut by_outcome: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        let mut all = Vec::with_capacity(samples.len());
        let mut errors = BTreeMap::new();
        for (outcome, micros) in samples.iter() {
            all.push(*micros);
            by_outcome.entry(outcome.label()).or_default().push(*micros);
            if !outcome.is_success() {
                *errors.entry(outcome.label()).or_insert(0) += 1;
            }
        }
        let successes = samples.iter().filter(|(o, _)| o.is_success()).count();
        Summary {
            requests: all.len() as u64,
            requests_per_s: all.len() as f64 / seconds,
            successes_per_s: successes as f64 / seconds,
            latency: Latency::of(all),
            errors,
            by_outcome: by_outcome
                .into_iter()
                .map(|(label, micros)| {
                    let part = OutcomeSummary {
                        count: micros.len() as u64,
                        per_s: micros.len() as f64 / seconds,
                        latency: Latency::of(micros),
                    };
                    (label, part)
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub requests: u64,
    /// Every answer, errors included.
    pub requests_per_s: f64,
    /// 2xx answers only.
    pub successes_per_s: f64,
    pub latency: Latency,
    /// Count of every answer that is not a 2xx, by status and error code.
    pub errors: BTreeMap<String, u64>,
    pub by_outcome: BTreeMap<String, OutcomeSummary>,
}

impl Summary {
    pub fn outcome(&self, label: &str) -> Option<&OutcomeSummary> {
        self.by_outcome.get(label)
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OutcomeSummary {
    pub count: u64,
    pub per_s: f64,
    pub latency: Latency,
}

/// Milliseconds, from microsecond samples; nearest-rank percentiles.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    fn of(mut micros: Vec<u32>) -> Self {
        micros.sort_unstable();
        let at = |q: f64| {
            let rank = (q * micros.len() as f64).ceil() as usize;
            micros
                .get(rank.saturating_sub(1))
                .map_or(0.0, |us| f64::from(*us) / 1_000.0)
        };
        Self {
            p50_ms: at(0.50),
            p90_ms: at(0.90),
            p99_ms: at(0.99),
            max_ms: at(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_in_milliseconds() {
        let latency = Latency::of((1..=100).map(|ms| ms * 1_000).collect());
        assert_eq!(latency.p50_ms, 50.0);
        assert_eq!(latency.p90_ms, 90.0);
        assert_eq!(latency.p99_ms, 99.0);
        assert_eq!(latency.max_ms, 100.0);
    }

    #[test]
    fn only_requests_sent_inside_the_window_count_and_errors_are_grouped_by_code() {
        let recorder = Recorder::new(Window::after(Duration::ZERO, Duration::from_secs(10)));
        let inside = recorder.window().from + Duration::from_secs(1);
        let ms = Duration::from_millis(1);
        recorder.record(inside, ms, Outcome::ok(200));
        let busy = Outcome::Answered {
            status: 503,
            code: Some("SERVICE_BUSY".to_owned()),
        };
        recorder.record(inside, ms, busy.clone());
        recorder.record(inside, ms, busy);
        recorder.record(inside, ms, Outcome::Timeout);
        recorder.record(recorder.window().to, ms, Outcome::ok(200));
        let summary = recorder.summary();
        assert_eq!(summary.requests, 4);
        assert_eq!(summary.requests_per_s, 0.4);
        assert_eq!(summary.successes_per_s, 0.1);
        assert_eq!(
            summary.errors,
            BTreeMap::from([
                ("503 SERVICE_BUSY".to_owned(), 2),
                ("timeout".to_owned(), 1)
            ])
        );
    }
}
