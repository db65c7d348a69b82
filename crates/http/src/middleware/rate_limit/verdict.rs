//! One answer from the decisions of every limit a request counted against, and how that answer
//! is written: the `X-RateLimit-*` headers and the wording of the 429. Pure: `now` is an argument.

use super::group::LimitGroup;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use authd_domain::policy::rate_limit::RateLimitDecision;
use chrono::Duration;
use std::cmp::Reverse;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub group: LimitGroup,
    pub decision: RateLimitDecision,
}

impl Verdict {
    #[must_use]
    pub const fn allowed(&self) -> bool {
        self.decision.allowed
    }

    /// Whole seconds until the window closes, at least 1 (for `Retry-After` and `retryAfter`).
    #[must_use]
    pub fn retry_after_secs(&self) -> i64 {
        retry_after_of(&self.decision)
    }

    /// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (Unix seconds when the window closes).
    pub fn write_headers(&self, headers: &mut HeaderMap, now_unix: i64) {
        for (name, value) in limit_headers(&self.decision, now_unix) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
}

/// Whole seconds until the window of `decision` closes, at least 1.
#[must_use]
pub fn retry_after_of(decision: &RateLimitDecision) -> i64 {
    ceil_secs(decision.resets_in).max(1)
}

/// The `X-RateLimit-*` headers of `decision`, also for a limit the domain applies (the per-user
/// MFA limit), so that both read alike.
#[must_use]
pub fn limit_headers(
    decision: &RateLimitDecision,
    now_unix: i64,
) -> [(&'static str, HeaderValue); 3] {
    let reset = now_unix.saturating_add(ceil_secs(decision.resets_in));
    [
        (
            "x-ratelimit-limit",
            HeaderValue::from(i64::from(decision.limit)),
        ),
        (
            "x-ratelimit-remaining",
            HeaderValue::from(i64::from(decision.remaining)),
        ),
        ("x-ratelimit-reset", HeaderValue::from(reset)),
    ]
}

/// Writes the headers of [`limit_headers`] on an answer being built.
pub fn write_limit_headers(
    decision: &RateLimitDecision,
    builder: &mut actix_web::HttpResponseBuilder,
    now_unix: i64,
) {
    for header in limit_headers(decision, now_unix) {
        builder.insert_header(header);
    }
}

/// The decision a client must respect: a refusal beats any allowance, and among refusals the one
/// that lasts longest (waiting less would be refused again); among allowances the one with the
/// fewest hits left, then the one that resets last.
#[must_use]
pub fn most_restrictive(verdicts: impl IntoIterator<Item = Verdict>) -> Option<Verdict> {
    verdicts.into_iter().max_by_key(|v| {
        (
            !v.decision.allowed,
            Reverse(v.decision.remaining),
            v.decision.resets_in,
        )
    })
}

/// "Too many registration attempts. Try again in 1 hour." (`attempts`: what was attempted, as
/// [`LimitGroup::attempts`] says it).
#[must_use]
pub fn exceeded_message(attempts: &str, retry_after_secs: i64) -> String {
    format!(
        "Too many {}. Try again in {}.",
        attempts,
        wait_phrase(retry_after_secs)
    )
}

/// Seconds under a minute, else whole minutes rounded up, said in hours when they are whole.
fn wait_phrase(secs: i64) -> String {
    let secs = secs.max(1);
    if secs < 60 {
        return plural(secs, "second");
    }
    let minutes = (secs + 59) / 60;
    if minutes % 60 == 0 {
        plural(minutes / 60, "hour")
    } else {
        plural(minutes, "minute")
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

fn ceil_secs(d: Duration) -> i64 {
    let whole = d.num_seconds();
    let ceil = if d > Duration::seconds(whole) {
        whole.saturating_add(1)
    } else {
        whole
    };
    ceil.max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(group: LimitGroup, allowed: bool, remaining: u32, resets_in: i64) -> Verdict {
        Verdict {
            group,
            decision: RateLimitDecision {
                allowed,
                limit: 10,
                remaining,
                resets_in: Duration::seconds(resets_in),
            },
        }
    }

    fn header(headers: &HeaderMap, name: &str) -> String {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_refusal_wins_over_an_allowance_with_fewer_hits_left() {
        let general = verdict(LimitGroup::General, true, 0, 900);
        let login = verdict(LimitGroup::Login, false, 0, 60);
        assert_eq!(most_restrictive([general, login]), Some(login));
    }

    #[test]
    fn of_two_refusals_the_longer_one_is_reported() {
        let general = verdict(LimitGroup::General, false, 0, 900);
        let login = verdict(LimitGroup::Login, false, 0, 60);
        assert_eq!(most_restrictive([login, general]), Some(general));
    }

    #[test]
    fn of_two_allowances_the_one_with_fewer_hits_left_is_reported() {
        let general = verdict(LimitGroup::General, true, 99, 900);
        let login = verdict(LimitGroup::Login, true, 4, 900);
        assert_eq!(most_restrictive([general, login]), Some(login));
    }

    #[test]
    fn no_decision_means_no_verdict() {
        assert_eq!(most_restrictive([]), None);
    }

    #[test]
    fn headers_carry_the_limit_the_hits_left_and_the_reset_as_an_epoch() {
        let mut headers = HeaderMap::new();
        let mut v = verdict(LimitGroup::General, true, 7, 0);
        v.decision.resets_in = Duration::milliseconds(899_200);
        v.write_headers(&mut headers, 1_701_433_500);
        assert_eq!(header(&headers, "x-ratelimit-limit"), "10");
        assert_eq!(header(&headers, "x-ratelimit-remaining"), "7");
        assert_eq!(header(&headers, "x-ratelimit-reset"), "1701434400");
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        let mut v = verdict(LimitGroup::Login, false, 0, 0);
        assert_eq!(v.retry_after_secs(), 1);
        v.decision.resets_in = Duration::milliseconds(899_001);
        assert_eq!(v.retry_after_secs(), 900);
    }

    #[test]
    fn messages_read_like_the_documented_ones() {
        assert_eq!(
            exceeded_message(LimitGroup::General.attempts(), 900),
            "Too many requests. Try again in 15 minutes."
        );
        assert_eq!(
            exceeded_message(LimitGroup::Register.attempts(), 3600),
            "Too many registration attempts. Try again in 1 hour."
        );
        assert_eq!(
            exceeded_message(LimitGroup::Login.attempts(), 61),
            "Too many login attempts. Try again in 2 minutes."
        );
        assert_eq!(
            exceeded_message(LimitGroup::PasswordReset.attempts(), 3540),
            "Too many password reset requests. Try again in 59 minutes."
        );
    }

    #[test]
    fn short_and_singular_waits_are_worded_naturally() {
        assert_eq!(wait_phrase(1), "1 second");
        assert_eq!(wait_phrase(42), "42 seconds");
        assert_eq!(wait_phrase(60), "1 minute");
        assert_eq!(wait_phrase(3599), "1 hour");
        assert_eq!(wait_phrase(7200), "2 hours");
    }
}
