//! A request's path as it may be logged. The request span opens before routing knows the route,
//! so the path as sent is all there is, and a path can carry a secret: the CheckInn reset link
//! puts its token in the path (`/api/auth/reset-password/{token}`). The query, where the mailed
//! links carry theirs (`/verify-email?token=…`), is never logged; but a mail client that mangles
//! a link (`/verify-email%3Ftoken=…`) moves it into the path, hence `token=` below.

use std::borrow::Cow;

/// What stands in for a secret segment.
pub(crate) const REDACTED: &str = "[redacted]";

/// The segments after which the rest of a path is a secret. Matched anywhere in the path and in
/// any case, so a mistyped base URL (`//api/auth/...`, `/API/...`), which no route serves, still
/// keeps its token out of the log.
const SECRET_AFTER: &[&str] = &["/reset-password/", "token=", "token%3d"];

/// `path` with everything after a secret-carrying segment replaced by [`REDACTED`].
#[must_use]
pub(crate) fn loggable_path(path: &str) -> Cow<'_, str> {
    let lower = path.to_ascii_lowercase();
    let cut = SECRET_AFTER
        .iter()
        .filter_map(|segment| lower.find(segment).map(|at| at + segment.len()))
        .min();
    match cut {
        // ASCII lowercasing keeps every byte offset, so `cut` is a boundary of `path` too.
        Some(cut) if cut < path.len() => Cow::Owned(format!("{}{REDACTED}", &path[..cut])),
        _ => Cow::Borrowed(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_token_in_the_path_is_redacted() {
        assert_eq!(
            loggable_path("/api/auth/reset-password/abc.def"),
            "/api/auth/reset-password/[redacted]"
        );
        assert_eq!(
            loggable_path("//API/Auth/Reset-Password/abc/extra"),
            "//API/Auth/Reset-Password/[redacted]"
        );
    }

    #[test]
    fn a_link_token_mangled_into_the_path_is_redacted() {
        assert_eq!(
            loggable_path("/verify-email%3Ftoken=abc.def"),
            "/verify-email%3Ftoken=[redacted]"
        );
        assert_eq!(
            loggable_path("/unlock-account%3FTOKEN%3Dabc"),
            "/unlock-account%3FTOKEN%3D[redacted]"
        );
        assert_eq!(
            loggable_path("/reset-password%3Ftoken=abc"),
            "/reset-password%3Ftoken=[redacted]"
        );
    }

    #[test]
    fn other_paths_are_logged_as_sent() {
        for path in [
            "/v1/auth/reset-password",
            "/api/auth/reset-password/",
            "/api/auth/login",
            "/v1/users/me",
            "/verify-email",
            "/pages/pages.js",
            "/",
        ] {
            assert_eq!(loggable_path(path), path);
        }
    }
}
