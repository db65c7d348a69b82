//! Comparing a presented secret (a metrics token, an introspection credential) with the
//! configured one without a timing side channel on its contents.

use subtle::ConstantTimeEq as _;

/// Whether `presented` equals `expected`, in time independent of where they differ.
pub(crate) fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    bool::from(presented.ct_eq(expected))
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cret", b"s3creT"));
        assert!(!same_secret(b"s3cret", b"s3cre"));
        assert!(!same_secret(b"", b"x"));
        assert!(same_secret(b"", b""));
    }
}
