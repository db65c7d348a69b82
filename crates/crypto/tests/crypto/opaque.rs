use authd_crypto::OpaqueTokens;
use authd_domain::ports::TokenGenerator;
use std::collections::HashSet;

fn tokens() -> OpaqueTokens {
    OpaqueTokens::new(vec![7; 32]).unwrap()
}

fn is_base64url(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[test]
fn a_generated_token_is_43_base64url_characters_with_its_sha256() {
    let t = tokens().generate();
    assert_eq!(t.raw.expose().len(), 43);
    assert!(is_base64url(t.raw.expose()));
    assert_eq!(t.hash.as_str().len(), 64);
    assert!(
        t.hash
            .as_str()
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(tokens().digest(t.raw.expose()), t.hash);
}

#[test]
fn generated_tokens_are_unique() {
    let g = tokens();
    let seen: HashSet<String> = (0..1000)
        .map(|_| g.generate().raw.expose().to_owned())
        .collect();
    assert_eq!(seen.len(), 1000);
}

#[test]
fn the_digest_is_the_hex_sha256_of_the_token() {
    assert_eq!(
        tokens().digest("abc").as_str(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn the_successor_is_deterministic_and_differs_from_the_presented_token() {
    let g = tokens();
    let presented = g.generate();
    let a = g.successor_of(presented.raw.expose());
    let b = g.successor_of(presented.raw.expose());
    assert_eq!(a.raw.expose(), b.raw.expose());
    assert_eq!(a.hash, b.hash);
    assert_ne!(a.raw.expose(), presented.raw.expose());
    assert_eq!(a.raw.expose().len(), 43);
    assert!(is_base64url(a.raw.expose()));
    assert_eq!(g.digest(a.raw.expose()), a.hash);
}

#[test]
fn another_secret_gives_another_successor() {
    let other = OpaqueTokens::new(vec![8; 32]).unwrap();
    assert_ne!(
        tokens().successor_of("presented").raw.expose(),
        other.successor_of("presented").raw.expose()
    );
}

#[test]
fn a_short_secret_is_refused() {
    assert!(OpaqueTokens::new(vec![1; 31]).is_err());
}

#[test]
fn debug_output_shows_no_secret_or_token() {
    let g = tokens();
    let t = g.generate();
    assert!(!format!("{g:?}").contains("7, 7"));
    assert!(!format!("{t:?}").contains(t.raw.expose()));
}
