//! Comparing a presented secret (a metrics token, an introspection credential) with the
//! configured one without a timing side channel on its contents or its length.

use aws_lc_rs::digest::{SHA256, digest};
use subtle::ConstantTimeEq as _;

/// Whether `presented` equals `expected`, in time independent of where they differ. The
/// digests are compared, not the secrets: `ct_eq` answers at once when lengths differ, which
/// would tell a caller the configured secret's length.
pub(crate) fn same_secret(presented: &[u8], expected: &[u8]) -> bool {
    let presented = digest(&SHA256, presented);
    let expected = digest(&SHA256, expected);
    bool::from(presented.as_ref().ct_eq(expected.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_match_only_when_equal() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cret", b"s3creT"));
        assert!(!same_secret(b"s3cret", b"s3cre"));
        assert!(!same_secret(b"s3cret", b"s3cret\0"));
        assert!(!same_secret(b"", b"x"));
        assert!(same_secret(b"", b""));
    }
}
