//! Linux's session autogrouping, off for the run when the bench may turn it off.
//!
//! With `kernel.sched_autogroup_enabled=1` (the default of many distributions, meant for
//! desktops), the kernel first shares the CPU between sessions and only then between the
//! threads of a session. PostgreSQL makes every backend a session of its own (`setsid`), so
//! each backend competes with the whole of authd as an equal, and authd's hashing threads, at
//! `SCHED_IDLE`, yield only to authd's own threads: during a login storm a woken backend waits
//! for bcrypt's time slice, 10 to 20 ms, and every `/me` waits with it. On a server the same
//! happens between services in separate cgroups unless they are weighted (see
//! docs/benchmarks.md). The bench measures authd, not that setting: as root it turns
//! autogrouping off for the run and back on afterwards, and the report says which it was.

use std::path::Path;

const SETTING: &str = "/proc/sys/kernel/sched_autogroup_enabled";

/// What the run had, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Autogroup {
    /// The kernel has no autogrouping, or it was off already.
    Off,
    /// It was on; the bench turned it off for the run.
    TurnedOff,
    /// It is on and could not be turned off (not root).
    On,
}

/// Restores autogrouping when dropped, if it turned it off.
#[derive(Debug)]
pub struct Guard {
    restore: bool,
}

impl Guard {
    /// Turns autogrouping off if it is on and the bench may.
    pub fn apply() -> (Self, Autogroup) {
        let path = Path::new(SETTING);
        let on = std::fs::read_to_string(path).is_ok_and(|v| v.trim() == "1");
        if !on {
            return (Self { restore: false }, Autogroup::Off);
        }
        if std::fs::write(path, "0").is_ok() {
            eprintln!("kernel.sched_autogroup_enabled: turned off for the run (restored after)");
            (Self { restore: true }, Autogroup::TurnedOff)
        } else {
            eprintln!(
                "kernel.sched_autogroup_enabled is 1 and cannot be changed (not root): the \
                 login-storm figures of (e) will suffer from it"
            );
            (Self { restore: false }, Autogroup::On)
        }
    }

    /// Puts the setting back now (for an interrupted run, which exits without unwinding).
    pub fn restore(&mut self) {
        if std::mem::take(&mut self.restore) && std::fs::write(SETTING, "1").is_err() {
            eprintln!("could not turn kernel.sched_autogroup_enabled back on");
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.restore();
    }
}

impl Autogroup {
    /// A sentence for the report's notes.
    pub fn note(self) -> Option<String> {
        match self {
            Self::Off => None,
            Self::TurnedOff => Some(
                "Linux session autogrouping (kernel.sched_autogroup_enabled) was turned off for \
                 the run and restored afterwards: PostgreSQL makes each backend a session of its \
                 own, and with autogrouping on, the kernel would share the CPU between \
                 sessions, so authd's idle-priority hashing threads would delay PostgreSQL \
                 during a login storm (see docs/benchmarks.md)."
                    .to_owned(),
            ),
            Self::On => Some(
                "Linux session autogrouping (kernel.sched_autogroup_enabled) was on and could \
                 not be turned off (run as root to let the bench do it): each PostgreSQL \
                 backend competes with the whole of authd, so during the login storm of (e) \
                 authd's idle-priority hashing threads delay PostgreSQL, and /me with it."
                    .to_owned(),
            ),
        }
    }
}
