use super::*;

#[test]
fn the_sweep_runs_every_ten_minutes_with_the_documented_retentions() {
    let config = parse(&[]).unwrap();
    assert_eq!(
        config.sweep.interval,
        Some(std::time::Duration::from_secs(600))
    );
    assert_eq!(config.sweep.retention.sessions, Duration::days(30));
    assert_eq!(config.sweep.retention.outbox, Duration::days(7));
    assert_eq!(config.sweep.retention.audit, Duration::days(365));
}

#[test]
fn every_sweep_variable_is_read_and_zero_or_off_disables_it() {
    let config = parse(&[
        ("SWEEP_INTERVAL", "90s"),
        ("SESSION_RETENTION", "14d"),
        ("OUTBOX_RETENTION", "48h"),
        ("AUDIT_RETENTION", "730d"),
    ])
    .unwrap();
    assert_eq!(
        config.sweep.interval,
        Some(std::time::Duration::from_secs(90))
    );
    assert_eq!(config.sweep.retention.sessions, Duration::days(14));
    assert_eq!(config.sweep.retention.outbox, Duration::hours(48));
    assert_eq!(config.sweep.retention.audit, Duration::days(730));
    for off in ["0", "off", "OFF", "0s"] {
        let config = parse(&[("SWEEP_INTERVAL", off)]).unwrap();
        assert_eq!(config.sweep.interval, None, "{off}");
    }
}

#[test]
fn bad_sweep_values_are_refused_with_one_line_each() {
    let errors = problems(&[
        ("SWEEP_INTERVAL", "sometimes"),
        ("SESSION_RETENTION", "30"),
        ("OUTBOX_RETENTION", "-1d"),
        ("AUDIT_RETENTION", "1y"),
    ]);
    for variable in [
        "SWEEP_INTERVAL",
        "SESSION_RETENTION",
        "OUTBOX_RETENTION",
        "AUDIT_RETENTION",
    ] {
        assert!(errors.mentions(variable), "{errors}");
    }
    assert_eq!(errors.0.len(), 4, "{errors}");
    assert!(problems(&[("SWEEP_INTERVAL", "2d")]).mentions("SWEEP_INTERVAL"));
}

#[test]
fn a_retention_without_a_unit_is_refused_even_when_long_enough_in_seconds() {
    // 8760 meant as hours would be read as seconds (2.4 h) and delete the trail for good.
    let errors = problems(&[("AUDIT_RETENTION", "8760")]);
    assert!(errors.mentions("AUDIT_RETENTION"), "{errors}");
    assert!(errors.to_string().contains("needs a unit"), "{errors}");
}
