use super::*;
use crate::mfa::{TotpAlgorithm, TotpSecret};
use crate::ports::{MockOneTimePasswords, OneTimePasswords};
use chrono::{TimeZone, Utc};

const STEP: u64 = 30;

/// A fake authenticator whose code of step `s` spells `s` (mod a million), so each test reads
/// which step a code belongs to.
fn code_of(step: TotpStep) -> Option<OtpCode> {
    OtpCode::from_digits(&format!("{:06}", step % 1_000_000))
}

fn code(step: TotpStep) -> OtpCode {
    code_of(step).unwrap()
}

/// A moment inside step `step`, `offset` seconds after it began.
fn at(step: TotpStep, offset: u64) -> Timestamp {
    let secs = i64::try_from(step * STEP + offset).unwrap();
    Utc.timestamp_opt(secs, 0).unwrap()
}

fn policy() -> TotpPolicy {
    TotpPolicy::default()
}

#[test]
fn the_default_is_30_second_steps_and_one_step_either_side() {
    assert_eq!(
        policy(),
        TotpPolicy {
            step_secs: 30,
            window: 1
        }
    );
}

#[test]
fn the_current_steps_code_is_accepted_from_the_first_to_the_last_second_of_the_step() {
    for offset in [0, 29] {
        assert_eq!(
            policy().accept(at(1000, offset), &code(1000), None, code_of),
            Ok(1000)
        );
    }
}

#[test]
fn a_phone_one_step_behind_or_ahead_is_accepted() {
    assert_eq!(
        policy().accept(at(1000, 0), &code(999), None, code_of),
        Ok(999)
    );
    assert_eq!(
        policy().accept(at(1000, 29), &code(1001), None, code_of),
        Ok(1001)
    );
}

#[test]
fn codes_two_steps_away_are_wrong() {
    for step in [998, 1002] {
        assert_eq!(
            policy().accept(at(1000, 15), &code(step), None, code_of),
            Err(TotpRefusal::Wrong),
            "step {step}"
        );
    }
}

#[test]
fn a_wider_window_accepts_further_steps() {
    let wide = TotpPolicy {
        step_secs: STEP,
        window: 2,
    };
    assert_eq!(wide.accept(at(1000, 0), &code(998), None, code_of), Ok(998));
    assert_eq!(
        wide.accept(at(1000, 0), &code(997), None, code_of),
        Err(TotpRefusal::Wrong)
    );
}

#[test]
fn the_same_code_is_never_accepted_twice() {
    let first = policy().accept(at(1000, 3), &code(1000), None, code_of);
    assert_eq!(first, Ok(1000));
    assert_eq!(
        policy().accept(at(1000, 20), &code(1000), first.ok(), code_of),
        Err(TotpRefusal::Replayed)
    );
    // Still a replay in the next step, while the code is inside the window.
    assert_eq!(
        policy().accept(at(1001, 5), &code(1000), first.ok(), code_of),
        Err(TotpRefusal::Replayed)
    );
}

#[test]
fn an_earlier_step_is_refused_after_a_later_one_was_accepted() {
    // The phone ran ahead and 1001 was used; the code of 1000 (now current) must not work.
    assert_eq!(
        policy().accept(at(1000, 10), &code(1000), Some(1001), code_of),
        Err(TotpRefusal::Replayed)
    );
    assert_eq!(
        policy().accept(at(1000, 10), &code(999), Some(1000), code_of),
        Err(TotpRefusal::Replayed)
    );
}

#[test]
fn the_next_steps_code_is_accepted_after_the_current_one() {
    assert_eq!(
        policy().accept(at(1000, 25), &code(1001), Some(1000), code_of),
        Ok(1001)
    );
}

#[test]
fn a_wrong_code_stays_wrong_whatever_was_accepted_before() {
    let wrong = OtpCode::from_digits("999999").unwrap();
    for last in [None, Some(999), Some(1001)] {
        assert_eq!(
            policy().accept(at(1000, 0), &wrong, last, code_of),
            Err(TotpRefusal::Wrong),
            "{last:?}"
        );
    }
}

#[test]
fn at_step_zero_the_window_does_not_reach_before_the_epoch() {
    assert_eq!(policy().accept(at(0, 0), &code(0), None, code_of), Ok(0));
    assert_eq!(policy().accept(at(0, 0), &code(1), None, code_of), Ok(1));
    // Step 0 accepted once is a step like any other: its code is not accepted again.
    assert_eq!(
        policy().accept(at(0, 10), &code(0), Some(0), code_of),
        Err(TotpRefusal::Replayed)
    );
}

#[test]
fn before_the_epoch_no_code_is_accepted() {
    let before = Utc.timestamp_opt(-1, 0).unwrap();
    assert_eq!(policy().step_at(before), None);
    assert_eq!(
        policy().accept(before, &code(0), None, code_of),
        Err(TotpRefusal::Wrong)
    );
}

#[test]
fn a_code_matching_two_steps_takes_the_earliest_acceptable_one() {
    let same = |_: TotpStep| OtpCode::from_digits("111111");
    let presented = OtpCode::from_digits("111111").unwrap();
    assert_eq!(
        policy().accept(at(1000, 0), &presented, None, same),
        Ok(999)
    );
    assert_eq!(
        policy().accept(at(1000, 0), &presented, Some(999), same),
        Ok(1000)
    );
    assert_eq!(
        policy().accept(at(1000, 0), &presented, Some(1001), same),
        Err(TotpRefusal::Replayed)
    );
}

#[test]
fn a_secret_that_yields_no_code_accepts_nothing() {
    assert_eq!(
        policy().accept(at(1000, 0), &code(1000), None, |_| None),
        Err(TotpRefusal::Wrong)
    );
}

#[test]
fn the_policy_asks_the_port_for_exactly_the_steps_of_the_window() {
    let secret = TotpSecret::new(vec![7; 20], TotpAlgorithm::Sha1);
    let mut otp = MockOneTimePasswords::new();
    for step in [999, 1000, 1001] {
        otp.expect_totp_code()
            .withf(move |s, asked| s.expose_bytes() == [7; 20] && *asked == step)
            .times(1)
            .returning(|_, asked| code_of(asked));
    }
    let accepted = policy().accept(at(1000, 7), &code(1000), None, |step| {
        otp.totp_code(&secret, step)
    });
    assert_eq!(accepted, Ok(1000));
}

#[test]
fn steps_are_counted_from_the_epoch_in_whole_steps() {
    assert_eq!(policy().step_at(Utc.timestamp_opt(59, 0).unwrap()), Some(1));
    assert_eq!(
        policy().step_at(Utc.timestamp_opt(1_111_111_109, 0).unwrap()),
        Some(37_037_036)
    );
    let zero = TotpPolicy {
        step_secs: 0,
        window: 1,
    };
    assert_eq!(zero.step_at(at(1, 0)), None);
}
