//! The look-alike key of a username: two usernames with the same key could be taken for one
//! another on a screen, so only one of them may be registered.
//!
//! # The key
//! `key(name) = canon(skeleton(lowercase(name)))`, where
//! - `skeleton` is the confusable skeleton of Unicode TS #39 (the `unicode-security` crate's
//!   data): within the characters a username may hold it maps `I` and `1` to `l`, `0` to `O`,
//!   and `m` to `rn`;
//! - `canon` replaces each character by the representative of its class, the classes being the
//!   smallest ones that put every allowed character with its lower case and with its skeleton
//!   when that skeleton is a single character. Today they are `{1 I i L l}` (written `i`),
//!   `{0 O o}` (written `o`), and each other letter with its capital.
//!
//! Without `canon` the two relations a person expects would not compose: `aIice` has the
//! skeleton `alice` but `ALlCE` lowers to `allce`, which the skeleton leaves alone, although
//! `ALlCE` reads as `ALICE`, the same name as `alice` in another case.
//!
//! # It merges more than the eye does
//! Sameness must be transitive for a unique key, so everything chained by look-alike or
//! by case lands in one class: `L` looks nothing like `1`, yet `L ~ l ~ 1`; `RN` looks nothing
//! like `M`, yet `RN ~ rn ~ m ~ M`. So `ALLEN` blocks `a11en`, `bill` blocks `BiLi`, and `MOM`
//! blocks `rnorn`. That costs a few refused names, which a person then varies, and never lets
//! two names that can be confused both exist; the reverse mistake would let one impersonate
//! the other.
//!
//! The key only decides uniqueness. The name is stored and shown as typed, and a login by
//! username still compares case-insensitively (`aIice` does not log in as `alice`).

use super::username::is_allowed;
use std::sync::LazyLock;
use unicode_security::confusable_detection::skeleton;

/// The key under which usernames are unique (see the module documentation). It is not meant to
/// be shown: a person could not read it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsernameSkeleton(String);

impl UsernameSkeleton {
    /// The key of `name`. Any text has one; it is meaningful for what a username may hold.
    #[must_use]
    pub fn of(name: &str) -> Self {
        let mut key = String::with_capacity(name.len());
        for c in name.chars() {
            match ASCII_KEYS.get(c as usize) {
                Some(ascii) => key.push_str(ascii),
                None => {
                    // Stored names are ASCII; other text is keyed the same way, just slower.
                    let lower: String = c.to_lowercase().collect();
                    key.extend(skeleton(&lower).map(representative));
                }
            }
        }
        Self(key)
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The key of each ASCII character, worked out once from the confusables data.
static ASCII_KEYS: LazyLock<Vec<String>> = LazyLock::new(|| {
    (0..128u8)
        .map(|b| {
            let lower = char::from(b).to_ascii_lowercase().to_string();
            skeleton(&lower).map(representative).collect()
        })
        .collect()
});

/// What `c` is replaced with in a key: itself, unless it belongs to a class of the allowed
/// characters, whose representative stands for all of them.
fn representative(c: char) -> char {
    CLASSES.get(c as usize).copied().unwrap_or(c)
}

/// For each ASCII character, the representative of its class: the smallest lower-case letter
/// in it, or its smallest character when it has no letter.
static CLASSES: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut sets = DisjointSets::new(128);
    for c in (0..128u8).map(char::from).filter(|c| is_allowed(*c)) {
        sets.union(c as usize, c.to_ascii_lowercase() as usize);
        let prototype: Vec<char> = skeleton(c.encode_utf8(&mut [0; 4])).collect();
        if let [single] = prototype.as_slice()
            && single.is_ascii()
        {
            sets.union(c as usize, *single as usize);
        }
    }
    let mut best: Vec<char> = (0..128u8).map(char::from).collect();
    for c in (0..128u8).map(char::from) {
        let root = sets.root(c as usize);
        let current = best[root];
        let better = match (c.is_ascii_lowercase(), current.is_ascii_lowercase()) {
            (true, false) => true,
            (false, true) => false,
            _ => c < current,
        };
        if better {
            best[root] = c;
        }
    }
    (0..128).map(|i| best[sets.root(i)]).collect()
});

/// Union-find over `0..n`, small enough that path compression is not worth it.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        Self {
            parent: (0..n).collect(),
        }
    }

    fn root(&self, mut i: usize) -> usize {
        while self.parent[i] != i {
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        self.parent[a.max(b)] = a.min(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> String {
        UsernameSkeleton::of(name).0
    }

    fn allowed() -> impl Iterator<Item = char> {
        (0..128u8).map(char::from).filter(|c| is_allowed(*c))
    }

    #[track_caller]
    fn look_alike(a: &str, b: &str) {
        assert_eq!(key(a), key(b), "{a} and {b} must collide");
    }

    #[track_caller]
    fn distinct(a: &str, b: &str) {
        assert_ne!(key(a), key(b), "{a} and {b} must both be registrable");
    }

    #[test]
    fn the_issues_look_alikes_collide_with_alice() {
        for name in [
            "alice", "aIice", "ALlCE", "ALICE", "a1ice", "A1ICE", "aiice", "al1ce",
        ] {
            look_alike(name, "alice");
        }
    }

    #[test]
    fn capital_i_lower_l_one_and_their_cases_are_one_character() {
        for c in ["I", "i", "l", "L", "1"] {
            look_alike(&format!("x{c}x"), "xlx");
        }
    }

    #[test]
    fn letter_o_and_digit_zero_are_one_character() {
        for c in ["O", "o", "0"] {
            look_alike(&format!("b{c}b"), "bob");
        }
    }

    #[test]
    fn r_n_reads_as_m_in_either_case() {
        look_alike("rnary", "mary");
        look_alike("RNARY", "Mary");
        look_alike("MOM", "rnorn");
        distinct("mary", "rary");
        distinct("mary", "nary");
    }

    #[test]
    fn chains_of_look_alikes_and_cases_merge_names_the_eye_would_keep_apart() {
        look_alike("ALLEN", "a11en");
        look_alike("bill", "BiLi");
        look_alike("MOM", "rnorn");
    }

    #[test]
    fn names_that_merely_resemble_stay_apart() {
        for (a, b) in [
            ("alice", "alicia"),
            ("bob", "bop"),
            ("alice", "alise"),
            ("user_1", "user-1"),
            ("user_1", "user_2"),
            ("vv_name", "w_name"),
            ("clown", "down"),
            ("john_doe", "johndoe"),
            ("abc", "abcd"),
            ("user5", "users"),
            ("user8", "userb"),
        ] {
            distinct(a, b);
        }
    }

    #[test]
    fn a_key_is_the_same_whatever_the_case() {
        for name in ["Jane_Doe-42", "BoB_99", "OLIVIA", "m1ll1e"] {
            assert_eq!(key(name), key(&name.to_lowercase()));
            assert_eq!(key(name), key(&name.to_uppercase()));
        }
    }

    #[test]
    fn every_allowed_character_is_keyed_as_the_confusables_data_says() {
        let classes: Vec<(char, String)> = allowed()
            .filter(|c| key(&c.to_string()) != c.to_ascii_lowercase().to_string())
            .map(|c| (c, key(&c.to_string())))
            .collect();
        let expected: Vec<(char, String)> = [
            ('0', "o"),
            ('1', "i"),
            ('L', "i"),
            ('M', "rn"),
            ('l', "i"),
            ('m', "rn"),
        ]
        .into_iter()
        .map(|(c, k)| (c, k.to_owned()))
        .collect();
        assert_eq!(
            classes, expected,
            "a new unicode-security changed the classes"
        );
    }

    #[test]
    fn keys_of_allowed_names_are_made_of_allowed_characters() {
        for c in allowed() {
            assert!(key(&c.to_string()).chars().all(is_allowed), "{c}");
        }
    }

    #[test]
    fn the_key_is_stable_under_keying_again() {
        for name in ["aIice", "MOM", "Zer0_C00l", "l1Il", "rnm"] {
            assert_eq!(key(&key(name)), key(name), "{name}");
        }
    }

    #[test]
    fn text_outside_the_username_alphabet_has_a_key_without_panicking() {
        assert_eq!(key(""), "");
        assert_eq!(key("ａlice"), key("ａlice"));
        assert!(!key("Ꭺlice").is_empty());
    }
}
