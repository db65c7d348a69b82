//! The username of an account registered without one (the CheckInn dialect has no username):
//! the email's local part, reduced to what a username may hold, plus a random suffix, so that
//! it is both recognisable and, almost always, free.

use crate::values::Username;

/// The longest part taken from the address: with `-` and the suffix, the result stays well
/// under [`Username::MAX_LEN`].
const MAX_BASE: usize = 40;
/// What pads a base shorter than [`Username::MIN_LEN`] (an address like `x@` or `€€@`).
const PAD: &str = "user";
/// Characters of randomness in the suffix: 30 bits in lower-case base32.
pub const SUFFIX_LEN: usize = 6;
const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `jane.doe+news@example.com` and randomness `random` (a fresh opaque token, base64url) give
/// `janedoenews-k3q7za` (say): the local part's ASCII letters, digits, `_` and `-` (at most 40 of
/// them, padded with `_user` when fewer than 3), `-`, and the first [`SUFFIX_LEN`] characters
/// of `random` in lower-case base32. Always a valid [`Username`].
#[must_use]
pub fn derived_username(email_local_part: &str, random: &str) -> Username {
    let mut name: String = email_local_part
        .chars()
        .filter(|c| Username::allows(*c))
        .take(MAX_BASE)
        .collect();
    if name.len() < Username::MIN_LEN {
        // Set apart, so that `ab` does not read as a word with it (`abuser`).
        if !name.is_empty() {
            name.push('_');
        }
        name.push_str(PAD);
    }
    name.push('-');
    name.extend(
        random
            .chars()
            .filter_map(|c| BASE64URL.find(c))
            .take(SUFFIX_LEN)
            .map(|i| char::from(BASE32[i % BASE32.len()])),
    );
    Username::from_trusted(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: &str = "Kq7Z-_a0bcdefgh";

    fn derived(local: &str) -> String {
        derived_username(local, RANDOM).as_str().to_owned()
    }

    #[test]
    fn the_local_part_keeps_letters_digits_underscores_and_hyphens() {
        assert_eq!(derived("Jane.Doe+news_2-x"), "JaneDoenews_2-x-kk3z67");
    }

    #[test]
    fn the_suffix_is_lower_case_base32() {
        let name = derived("jane");
        let suffix = name.rsplit_once('-').map(|(_, s)| s).unwrap();
        assert_eq!(suffix.len(), SUFFIX_LEN);
        assert!(suffix.bytes().all(|b| BASE32.contains(&b)), "{suffix}");
    }

    #[test]
    fn different_randomness_gives_a_different_name() {
        assert_ne!(
            derived_username("jane", "AAAAAAAA"),
            derived_username("jane", "BAAAAAAA")
        );
    }

    #[test]
    fn a_long_local_part_is_cut_to_forty_characters() {
        let name = derived(&"a".repeat(64));
        assert_eq!(name, format!("{}-kk3z67", "a".repeat(40)));
        assert!(name.len() <= Username::MAX_LEN);
    }

    #[test]
    fn a_short_or_foreign_local_part_is_padded() {
        assert_eq!(derived("jo"), "jo_user-kk3z67");
        assert_eq!(derived("ab"), "ab_user-kk3z67");
        assert_eq!(derived("x"), "x_user-kk3z67");
        assert_eq!(derived("名前"), "user-kk3z67");
        assert_eq!(derived(""), "user-kk3z67");
        assert_eq!(derived("abc"), "abc-kk3z67");
    }

    #[test]
    fn every_derived_name_is_a_valid_username() {
        for local in ["jane", "", "x", "名前.é", &"z".repeat(200), "a-b_c.d"] {
            let name = derived_username(local, RANDOM);
            assert_eq!(
                Username::parse(name.as_str(), "username").map(|u| u.as_str().to_owned()),
                Ok(name.as_str().to_owned()),
                "{local}"
            );
        }
    }
}
