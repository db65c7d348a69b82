use super::*;
use std::collections::HashSet;

const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 6238 appendix B: time in seconds, then the 8-digit codes for SHA-1, SHA-256, SHA-512.
const RFC_6238_VECTORS: [(u64, &str, &str, &str); 6] = [
    (59, "94287082", "46119246", "90693936"),
    (1_111_111_109, "07081804", "68084774", "25091201"),
    (1_111_111_111, "14050471", "67062674", "99943326"),
    (1_234_567_890, "89005924", "91819424", "93441116"),
    (2_000_000_000, "69279037", "90698825", "38618901"),
    (20_000_000_000, "65353130", "77737706", "47863826"),
];

const KEY_A: &str = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
const KEY_B: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

fn keyed(list: &str) -> OtpCodes {
    OtpCodes::new(std::sync::Arc::new(MfaKeys::parse(list).unwrap()))
}

fn codes() -> OtpCodes {
    keyed(KEY_A)
}

fn rfc_code(seed: &[u8], algorithm: TotpAlgorithm, time: u64) -> String {
    let secret = TotpSecret::new(seed.to_vec(), algorithm);
    code_at(&secret, time / STEP_SECS, 8).unwrap()
}

#[test]
fn sha1_codes_match_rfc_6238_appendix_b() {
    for (time, sha1, _, _) in RFC_6238_VECTORS {
        assert_eq!(
            rfc_code(SEED_SHA1, TotpAlgorithm::Sha1, time),
            sha1,
            "T = {time}"
        );
    }
}

#[test]
fn sha256_codes_match_rfc_6238_appendix_b() {
    for (time, _, sha256, _) in RFC_6238_VECTORS {
        assert_eq!(
            rfc_code(SEED_SHA256, TotpAlgorithm::Sha256, time),
            sha256,
            "T = {time}"
        );
    }
}

#[test]
fn sha512_codes_match_rfc_6238_appendix_b() {
    for (time, _, _, sha512) in RFC_6238_VECTORS {
        assert_eq!(
            rfc_code(SEED_SHA512, TotpAlgorithm::Sha512, time),
            sha512,
            "T = {time}"
        );
    }
}

#[test]
fn users_get_the_last_six_digits_of_the_rfc_code() {
    // Dynamic truncation takes the number modulo 10^digits, so the 6-digit code is the 8-digit
    // code's tail: 94287082 at T = 59 is 287082.
    let secret = TotpSecret::new(SEED_SHA1.to_vec(), TotpAlgorithm::Sha1);
    for (time, sha1, _, _) in RFC_6238_VECTORS {
        let code = codes().totp_code(&secret, time / STEP_SECS).unwrap();
        assert_eq!(code.as_str(), &sha1[2..], "T = {time}");
    }
}

#[test]
fn a_secret_under_128_bits_makes_no_code() {
    let short = TotpSecret::new(vec![1; 15], TotpAlgorithm::Sha1);
    assert_eq!(codes().totp_code(&short, 1), None);
    let enough = TotpSecret::new(vec![1; 16], TotpAlgorithm::Sha1);
    assert!(codes().totp_code(&enough, 1).is_some());
}

#[test]
fn new_secrets_are_160_bit_sha1_and_differ() {
    let otp = codes();
    let a = otp.new_totp_secret();
    let b = otp.new_totp_secret();
    assert!(a.expose_bytes().len() * 8 >= 160);
    assert_eq!(a.algorithm(), TotpAlgorithm::Sha1);
    assert_ne!(a.expose_bytes(), b.expose_bytes());
    assert!(otp.totp_code(&a, 1).is_some());
}

#[test]
fn backup_codes_are_ten_distinct_eight_digit_codes() {
    let otp = codes();
    let first = otp.backup_codes(10);
    assert_eq!(first.len(), 10);
    let distinct: HashSet<&str> = first.iter().map(BackupCode::as_str).collect();
    assert_eq!(distinct.len(), 10);
    for code in &first {
        assert_eq!(code.as_str().len(), 8);
        assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
    }
    // A second draw shares no code with the first (a collision is a 1-in-a-million event).
    let second = otp.backup_codes(10);
    assert!(second.iter().all(|c| !distinct.contains(c.as_str())));
}

#[test]
fn backup_code_digests_are_keyed_and_stable() {
    let code = BackupCode::parse("1234-5678", "code").unwrap();
    let digest = codes().digest_backup_code(&code);
    assert_eq!(digest.as_str().len(), 64);
    assert_eq!(
        digest.as_str(),
        codes()
            .digest_backup_code(&BackupCode::parse("12345678", "c").unwrap())
            .as_str()
    );
    let other_key = keyed(KEY_B);
    assert_ne!(
        digest.as_str(),
        other_key.digest_backup_code(&code).as_str()
    );
    assert!(!digest.as_str().contains("12345678"));
}

#[test]
fn after_a_key_rotation_a_code_is_looked_up_under_every_key_the_new_one_first() {
    let code = BackupCode::parse("12345678", "code").unwrap();
    let before = codes().digest_backup_code(&code);
    let rotated = keyed(&format!("{KEY_B},{KEY_A}"));
    let digests = rotated.backup_code_digests(&code);
    assert_eq!(digests.len(), 2);
    assert_eq!(digests[0], rotated.digest_backup_code(&code));
    assert_ne!(digests[0], before);
    assert_eq!(digests[1], before);
}

#[test]
fn the_base32_secret_is_rfc_4648_without_padding() {
    let secret = TotpSecret::new(SEED_SHA1.to_vec(), TotpAlgorithm::Sha1);
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(&codes().base32(&secret)),
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    );
}

#[test]
fn the_otpauth_url_percent_encodes_issuer_and_account() {
    let secret = TotpSecret::new(SEED_SHA1.to_vec(), TotpAlgorithm::Sha1);
    let url = codes()
        .otpauth_url(&secret, "Acme & Co", "jane+mfa@example.com")
        .unwrap();
    assert_eq!(
        url,
        "otpauth://totp/Acme%20%26%20Co:jane%2Bmfa%40example.com\
         ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20%26%20Co"
    );
}

#[test]
fn the_otpauth_url_names_a_non_default_algorithm() {
    let secret = TotpSecret::new(SEED_SHA256.to_vec(), TotpAlgorithm::Sha256);
    let url = codes().otpauth_url(&secret, "authd", "jane").unwrap();
    assert!(url.contains("algorithm=SHA256"), "{url}");
}

#[test]
fn labels_with_the_separator_are_refused_not_mangled() {
    let secret = codes().new_totp_secret();
    for (issuer, account) in [("a:b", "jane"), ("authd", "ja:ne"), ("authd", "")] {
        assert!(
            matches!(
                codes().otpauth_url(&secret, issuer, account),
                Err(OtpauthError::InvalidLabel(_))
            ),
            "{issuer:?} {account:?}"
        );
    }
}

#[test]
fn emailed_codes_are_six_digits_from_the_whole_range() {
    let otp = codes();
    let drawn: HashSet<String> = (0..200)
        .map(|_| otp.new_code().as_str().to_owned())
        .collect();
    assert!(drawn.len() > 190, "{} distinct of 200", drawn.len());
    assert!(drawn.iter().all(|c| c.len() == 6));
    // A million codes: 200 draws all above 100000 would mean the leading zeros never come.
    assert!(drawn.iter().any(|c| c.as_str() < "900000"));
}

#[test]
fn emailed_code_digests_are_keyed_rotate_and_differ_from_backup_code_digests() {
    let code = OtpCode::from_digits("012345").unwrap();
    let digest = codes().digest_code(&code);
    assert_eq!(digest.as_str().len(), 64);
    assert!(!digest.as_str().contains("012345"));
    assert_eq!(digest, codes().digest_code(&code));
    assert_ne!(digest, keyed(KEY_B).digest_code(&code));
    // Same digits, other purpose: a code digest never stands in for a backup code's.
    let backup = BackupCode::parse("00012345", "c").unwrap();
    assert_ne!(
        codes().digest_code(&OtpCode::from_digits("012345").unwrap()),
        codes().digest_backup_code(&backup)
    );
    let rotated = keyed(&format!("{KEY_B},{KEY_A}"));
    let digests = rotated.code_digests(&code);
    assert_eq!(digests, vec![rotated.digest_code(&code), digest]);
}
