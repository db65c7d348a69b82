//! Which TOTP code is accepted, and why only once.
//!
//! RFC 6238 §5.2 lets a verifier accept codes of neighbouring steps, because phones' clocks drift
//! and people type slowly; §5.2 also says a verifier MUST NOT accept the second attempt of the
//! same code after a successful one. Most incumbents skip the latter, so a code read over a
//! shoulder or phished stays good for up to 90 seconds. authd remembers the last step it accepted
//! for each factor and accepts only strictly later steps: the same code never works twice, and an
//! older code cannot be played after a newer one was used.

use super::OtpCode;
use crate::Timestamp;

/// A TOTP time step: seconds since the Unix epoch divided by the step length.
pub type TotpStep = u64;

/// How TOTP codes are matched against the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpPolicy {
    /// Length of one step in seconds (RFC 6238's X; every authenticator app assumes 30).
    pub step_secs: u64,
    /// How many steps before and after the current one are accepted: 1 covers a clock 30 s off
    /// and a code typed as it changed, and keeps a guess's odds at 3 in a million.
    pub window: u64,
}

/// The step length authenticator apps assume (RFC 6238's default); the code generator must use
/// the same.
pub const TOTP_STEP_SECS: u64 = 30;

impl Default for TotpPolicy {
    fn default() -> Self {
        Self {
            step_secs: TOTP_STEP_SECS,
            window: 1,
        }
    }
}

/// Why a presented TOTP code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotpRefusal {
    /// The code is no code of any step in the window.
    Wrong,
    /// The code is right for a step in the window, but that step is not later than the last one
    /// accepted: a replay (audited as `mfa_replay_refused`).
    Replayed,
}

impl TotpPolicy {
    /// The step `now` falls in; `None` before 1970, where no code exists.
    #[must_use]
    pub fn step_at(&self, now: Timestamp) -> Option<TotpStep> {
        let secs = u64::try_from(now.timestamp()).ok()?;
        secs.checked_div(self.step_secs)
    }

    /// The step to record as the factor's last accepted one if `presented` is accepted at `now`.
    /// `last_accepted` is the factor's last accepted step (`None` for a factor never used);
    /// `code_of` computes a step's code, `None` when it cannot (which then matches nothing, so a
    /// broken secret fails closed).
    ///
    /// Every step of the window is computed and compared in constant time, whether or not an
    /// earlier one matched, so the answer time does not reveal which step (or how much of a code)
    /// was right. If a code happens to match several steps, the earliest acceptable one is taken:
    /// it advances the factor's mark the least, so the user's next code still works.
    ///
    /// The caller must record the returned step atomically with the check that it is still later
    /// than the stored one (concurrent requests with one code race to that write).
    ///
    /// # Errors
    /// [`TotpRefusal::Replayed`] when the code matches only steps at or before `last_accepted`,
    /// [`TotpRefusal::Wrong`] when it matches no step in the window (or `now` is before 1970).
    pub fn accept(
        &self,
        now: Timestamp,
        presented: &OtpCode,
        last_accepted: Option<TotpStep>,
        code_of: impl Fn(TotpStep) -> Option<OtpCode>,
    ) -> Result<TotpStep, TotpRefusal> {
        let current = self.step_at(now).ok_or(TotpRefusal::Wrong)?;
        let first = current.saturating_sub(self.window);
        let last = current.saturating_add(self.window);
        let mut accepted = None;
        let mut replayed = false;
        for step in first..=last {
            let matches = code_of(step).is_some_and(|code| code.ct_eq(presented));
            let fresh = last_accepted.is_none_or(|seen| step > seen);
            if matches && fresh && accepted.is_none() {
                accepted = Some(step);
            }
            replayed |= matches && !fresh;
        }
        match (accepted, replayed) {
            (Some(step), _) => Ok(step),
            (None, true) => Err(TotpRefusal::Replayed),
            (None, false) => Err(TotpRefusal::Wrong),
        }
    }
}

#[cfg(test)]
mod tests;
