//! How long and how hard each workload runs: the whole run's budget in one place, so that the
//! report can state it and the run stays under ten minutes on two cores.

use std::time::Duration;

/// A workload's warm-up (requests not counted) and measured window.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    pub warmup: Duration,
    pub measure: Duration,
}

impl Phase {
    const fn secs(warmup: u64, measure: u64) -> Self {
        Self {
            warmup: Duration::from_secs(warmup),
            measure: Duration::from_secs(measure),
        }
    }

    fn scaled(self, divisor: u32) -> Self {
        Self {
            warmup: (self.warmup / divisor).max(Duration::from_secs(1)),
            measure: (self.measure / divisor).max(Duration::from_secs(2)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    /// `--quick`: every phase divided by five; a smoke run of the harness, not a measurement.
    pub quick: bool,
    /// Accounts inserted into PostgreSQL, each with a session, an access and a refresh token.
    pub seeded_users: usize,
    /// (a): closed-loop virtual users reading /v1/users/me.
    pub me: Phase,
    pub me_users: usize,
    /// (b): virtual users, one refresh-token chain each.
    pub refresh: Phase,
    pub refresh_users: usize,
    /// (c): logins offered at `login_overload` times the measured bcrypt limit, open loop.
    pub login: Phase,
    pub login_overload: f64,
    /// Enough for the offered rate while accepted logins wait out a full hashing queue.
    pub login_users: usize,
    /// (d): closed-loop virtual users registering fresh accounts.
    pub register: Phase,
    pub register_users: usize,
    /// (e): /v1/users/me at a fixed rate, alone and then under the login storm.
    pub paced_me_rate: f64,
    pub paced_me_users: usize,
    pub paced_alone: Phase,
    pub storm: Phase,
    /// Longest wait after a login storm for the hashing queue it filled to be empty again.
    pub drain: Duration,
    /// (f): accounts registered, verified and logged in over HTTP on the embedded default.
    pub embedded_users: usize,
    pub embedded_logins_per_user: usize,
    /// Cold starts of the embedded default timed until /health/ready answers 200.
    pub startup_samples: usize,
    /// Timed bcrypt cost-12 hashes per core for the machine's raw hashing limit.
    pub bcrypt_hashes_per_core: usize,
    /// (g): accounts seeded for the admin search, and its closed-loop administrators: one per
    /// core, so that the figures are the search's latency rather than a queue's (administrators
    /// do not search a thousand times a second).
    pub directory_users: i32,
    pub admin_search: Phase,
    pub admin_search_users: usize,
    /// `--only a,b`: the workloads to run (letters `a` to `g`); `None` runs them all.
    pub only: Option<Vec<char>>,
}

impl Plan {
    pub fn full() -> Self {
        Self {
            quick: false,
            seeded_users: 1_000,
            me: Phase::secs(3, 12),
            me_users: 16,
            refresh: Phase::secs(3, 12),
            refresh_users: 16,
            login: Phase::secs(10, 20),
            login_overload: 2.0,
            login_users: 192,
            register: Phase::secs(2, 12),
            register_users: 8,
            paced_me_rate: 1_000.0,
            paced_me_users: 16,
            paced_alone: Phase::secs(2, 20),
            storm: Phase::secs(10, 20),
            drain: Duration::from_secs(30),
            embedded_users: 16,
            embedded_logins_per_user: 2,
            startup_samples: 5,
            bcrypt_hashes_per_core: 4,
            directory_users: 1_000_000,
            admin_search: Phase::secs(3, 15),
            admin_search_users: 2,
            only: None,
        }
    }

    /// Whether workload `letter` (`'a'` to `'g'`) is part of this run.
    pub fn runs(&self, letter: char) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&letter))
    }

    /// Whether any workload on PostgreSQL + Redis, (a) to (e) and (g), is part of this run.
    pub fn runs_stack(&self) -> bool {
        ['a', 'b', 'c', 'd', 'e', 'g']
            .into_iter()
            .any(|l| self.runs(l))
    }

    /// Reads `--only`'s value: comma-separated letters from `a` to `g`.
    ///
    /// # Errors
    /// A letter outside `a`..=`g`, or none at all.
    pub fn only(mut self, list: &str) -> Result<Self, String> {
        let letters: Vec<char> = list
            .split(',')
            .map(str::trim)
            .map(|l| {
                let mut chars = l.chars();
                match (chars.next(), chars.next()) {
                    (Some(c @ 'a'..='g'), None) => Ok(c),
                    _ => Err(format!("--only: unknown workload {l:?} (a to g)")),
                }
            })
            .collect::<Result<_, _>>()?;
        self.only = Some(letters);
        Ok(self)
    }

    pub fn quick() -> Self {
        let full = Self::full();
        Self {
            quick: true,
            me: full.me.scaled(5),
            refresh: full.refresh.scaled(5),
            login: full.login.scaled(5),
            register: full.register.scaled(5),
            paced_alone: full.paced_alone.scaled(5),
            storm: full.storm.scaled(5),
            admin_search: full.admin_search.scaled(5),
            // A smoke run: a tenth of the accounts, seeded in seconds.
            directory_users: 100_000,
            startup_samples: 2,
            bcrypt_hashes_per_core: 1,
            ..full
        }
    }
}
