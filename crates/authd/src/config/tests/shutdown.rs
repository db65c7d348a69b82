use super::*;

#[test]
fn shutdown_drains_five_seconds_and_then_waits_up_to_twenty_five_for_requests() {
    let config = parse(&[]).unwrap();
    assert_eq!(config.shutdown.drain, std::time::Duration::from_secs(5));
    assert_eq!(config.shutdown.grace, std::time::Duration::from_secs(25));
}

#[test]
fn both_shutdown_variables_are_read_and_a_drain_may_be_zero() {
    let config = parse(&[("SHUTDOWN_DRAIN_DELAY", "1500ms"), ("SHUTDOWN_GRACE", "60")]).unwrap();
    assert_eq!(
        config.shutdown.drain,
        std::time::Duration::from_millis(1500)
    );
    assert_eq!(config.shutdown.grace, std::time::Duration::from_secs(60));
    let config = parse(&[("SHUTDOWN_DRAIN_DELAY", "0")]).unwrap();
    assert_eq!(config.shutdown.drain, std::time::Duration::ZERO);
}

#[test]
fn bad_shutdown_values_are_refused_with_one_line_each() {
    let errors = problems(&[("SHUTDOWN_DRAIN_DELAY", "soon"), ("SHUTDOWN_GRACE", "0")]);
    assert!(errors.mentions("SHUTDOWN_DRAIN_DELAY"), "{errors}");
    assert!(errors.mentions("SHUTDOWN_GRACE"), "{errors}");
    assert_eq!(errors.0.len(), 2, "{errors}");
    for too_long in [("SHUTDOWN_GRACE", "1h"), ("SHUTDOWN_DRAIN_DELAY", "11m")] {
        assert!(problems(&[too_long]).mentions(too_long.0), "{too_long:?}");
    }
}
