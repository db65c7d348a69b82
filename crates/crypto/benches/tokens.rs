//! Micro-benchmarks for the token hot paths: every authenticated request verifies an access
//! token, and every login or refresh signs one and generates, digests and rotates an opaque
//! refresh token.
//!
//! Run with `cargo bench -p authd-crypto`.

// A benchmark whose setup fails has nothing to measure; aborting with the reason is the report.
#![allow(clippy::expect_used)]

use authd_crypto::{JwtCodec, JwtSettings, OpaqueTokens, RsaSigningKey};
use authd_domain::authorization::RoleName;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{AccessTokenCodec, TokenGenerator};
use authd_domain::token::AccessClaims;
use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

/// Claims shaped like a real login: one role, its permissions, a 15-minute lifetime.
fn typical_claims() -> AccessClaims {
    let now = Utc::now();
    AccessClaims {
        user_id: UserId::new(),
        session_id: SessionId::new(),
        token_id: TokenId::new(),
        issued_at: now,
        // Far enough ahead that the token stays valid for the whole run.
        expires_at: now + Duration::minutes(15),
        roles: vec![RoleName::parse("user").unwrap_or_else(|e| panic!("{e}"))],
        permissions: authd_domain::authorization::Permissions::none()
            .with(authd_domain::authorization::Permission::UsersRead),
    }
}

/// `verified_cache` 0: every verification in full, as for a token seen for the first time.
fn settings(verified_cache: usize) -> JwtSettings {
    JwtSettings {
        verified_cache,
        ..JwtSettings::new("https://auth.example.com", "https://api.example.com")
    }
}

/// Signs and verifies; `verify` measures the accepting path in full (a token the process has
/// not seen), `verify_remembered` a token presented again (the common case: a client sends
/// its token with every request for its whole lifetime).
fn bench_codec(c: &mut Criterion, group_name: &str, full: &JwtCodec, remembering: &JwtCodec) {
    let claims = typical_claims();
    // One instant for the whole run: the clock's reading is not what is measured.
    let now = Utc::now();
    let token = full.issue(&claims).expect("signing the fixture token");
    full.verify(&token, now)
        .expect("the fixture token verifies");
    let remembered = remembering
        .issue(&claims)
        .expect("signing the fixture token");
    remembering
        .verify(&remembered, now)
        .expect("the fixture token verifies");

    let mut group = c.benchmark_group(group_name);
    group.bench_function("sign", |b| {
        b.iter(|| full.issue(black_box(&claims)));
    });
    group.bench_function("verify", |b| {
        b.iter(|| full.verify(black_box(&token), now));
    });
    group.bench_function("verify_remembered", |b| {
        b.iter(|| remembering.verify(black_box(&remembered), now));
    });
    group.finish();
}

fn jwt_rs256(c: &mut Criterion) {
    let codec = |cache| {
        let key = RsaSigningKey::generate_ephemeral().expect("generating a 2048-bit RSA key");
        JwtCodec::rs256(vec![key], settings(cache)).expect("an RS256 codec")
    };
    bench_codec(
        c,
        "jwt_rs256_2048",
        &codec(0),
        &codec(authd_crypto::DEFAULT_VERIFIED_CACHE),
    );
}

fn jwt_hs256(c: &mut Criterion) {
    let codec = |cache| JwtCodec::hs256(&[0x5a; 32], settings(cache)).expect("an HS256 codec");
    bench_codec(
        c,
        "jwt_hs256",
        &codec(0),
        &codec(authd_crypto::DEFAULT_VERIFIED_CACHE),
    );
}

fn opaque_tokens(c: &mut Criterion) {
    let tokens = OpaqueTokens::new(vec![0x42; 32]).expect("an opaque-token generator");
    let presented = tokens.generate();
    let raw = presented.raw.expose().to_owned();

    let mut group = c.benchmark_group("opaque_tokens");
    group.bench_function("generate", |b| {
        b.iter(|| tokens.generate());
    });
    group.bench_function("digest", |b| {
        b.iter(|| tokens.digest(black_box(&raw)));
    });
    group.bench_function("successor_of", |b| {
        b.iter(|| tokens.successor_of(black_box(&raw)));
    });
    group.finish();
}

criterion_group!(benches, jwt_rs256, jwt_hs256, opaque_tokens);
criterion_main!(benches);
