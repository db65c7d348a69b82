//! Open-loop pacing: each virtual user sends on a fixed schedule, whatever the answers, so
//! that a workload offers a known rate. The users' schedules are staggered evenly, so together
//! they send at `rate` spread over each period rather than in bursts.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct Pacer {
    next: Instant,
    period: Duration,
}

impl Pacer {
    /// The schedule of user `index` of `users` sharing `rate` requests per second.
    pub fn new(rate: f64, users: usize, index: usize) -> Self {
        let period = Duration::from_secs_f64(users as f64 / rate.max(f64::MIN_POSITIVE));
        let offset = period.mul_f64((index % users.max(1)) as f64 / users.max(1) as f64);
        Self {
            next: Instant::now() + offset,
            period,
        }
    }

    /// When the next request is due; the one after is a period later. A user that fell
    /// behind (an answer slower than its period) sends at once, which keeps the offered rate.
    pub fn take(&mut self) -> Instant {
        let due = self.next;
        self.next += self.period;
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_sharing_a_rate_are_staggered_over_one_period() {
        let a = Pacer::new(10.0, 4, 0);
        let b = Pacer::new(10.0, 4, 2);
        assert_eq!(a.period, Duration::from_millis(400));
        let gap = b.next - a.next;
        assert!(gap >= Duration::from_millis(199) && gap <= Duration::from_millis(201));
    }

    #[test]
    fn each_due_time_is_one_period_after_the_last() {
        let mut pacer = Pacer::new(100.0, 1, 0);
        let first = pacer.take();
        assert_eq!(pacer.take() - first, Duration::from_millis(10));
    }
}
