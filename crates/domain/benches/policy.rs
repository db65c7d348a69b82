//! Micro-benchmarks for the pure policies on the registration and login paths: the password
//! policy runs on every registration and password change, the role mapping on every token issue.
//!
//! Run with `cargo bench -p authd-domain`.

use authd_domain::authorization::{RoleCatalog, RoleName};
use authd_domain::policy::password::{PasswordContext, PasswordPolicy};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// Passes both profiles: 17 characters, all four character classes, not on the common list.
const TYPICAL_VALID: &str = "Correct-Horse-42!";
/// A common password that is also too short for both profiles: the most rules fail at once.
const COMMON_AND_SHORT: &str = "password1";

/// The longest password either profile accepts (128 characters), mixing every character class.
fn longest_allowed() -> String {
    "Tr0ub4dor&3-".chars().cycle().take(128).collect()
}

fn password_policy(c: &mut Criterion) {
    let long = longest_allowed();
    // The username and email checks run too, as they do on registration.
    let context = PasswordContext {
        username: Some("alice"),
        email_local_part: Some("alice.smith"),
        mfa_enabled: false,
    };
    let cases = [
        ("typical_valid", TYPICAL_VALID),
        ("long_128", long.as_str()),
        ("common_and_short", COMMON_AND_SHORT),
    ];

    let mut group = c.benchmark_group("password_policy");
    for (profile, policy) in [
        ("classic", PasswordPolicy::classic()),
        ("nist", PasswordPolicy::nist()),
    ] {
        // Also builds the common-password set, which happens once per process, outside the
        // measurement; and proves each case measures the path its name claims.
        assert!(policy.check(TYPICAL_VALID, &context).is_empty());
        assert!(policy.check(&long, &context).is_empty());
        assert!(policy.check(COMMON_AND_SHORT, &context).len() >= 2);
        for (case, password) in cases {
            group.bench_function(format!("{profile}/{case}"), |b| {
                b.iter(|| policy.check(black_box(password), black_box(&context)));
            });
        }
    }
    group.finish();
}

fn role_permissions(c: &mut Criterion) {
    let catalog = RoleCatalog::default();
    let role = |s: &str| RoleName::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let user = [role("user")];
    let all_three = [role("user"), role("moderator"), role("admin")];
    let mut group = c.benchmark_group("role_permissions");
    group.bench_function("permissions_of/user", |b| {
        b.iter(|| catalog.permissions_of(black_box(&user)));
    });
    group.bench_function("permissions_of/all_three", |b| {
        b.iter(|| catalog.permissions_of(black_box(&all_three)));
    });
    group.finish();
}

criterion_group!(benches, password_policy, role_permissions);
criterion_main!(benches);
