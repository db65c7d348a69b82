//! `BUILTIN_PAGES`: whether authd serves the pages of the links it mails (`/verify-email`,
//! `/reset-password`, `/unlock-account`; see docs/pages.md).

use super::reader::Reader;
use super::{ApiConfig, ServerConfig};

/// `BUILTIN_PAGES` (`auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltinPages {
    /// Served when the links point at authd itself (`APP_BASE_URL` is `PUBLIC_URL`, as by
    /// default) and the `/v1` routes they call are served; off when a frontend owns the links.
    Auto,
    /// Served whatever `APP_BASE_URL` says: a proxy sends that origin's `/verify-email`, ...,
    /// `/pages/*` and `/v1/auth/*` to authd.
    On,
    Off,
}

pub(super) fn builtin_pages(r: &mut Reader) -> BuiltinPages {
    r.or("BUILTIN_PAGES", BuiltinPages::Auto, |v| {
        match v.to_ascii_lowercase().as_str() {
            "auto" => Ok(BuiltinPages::Auto),
            "on" | "true" => Ok(BuiltinPages::On),
            "off" | "false" => Ok(BuiltinPages::Off),
            _ => Err(format!("{v:?} is not a setting (expected auto, on or off)")),
        }
    })
}

/// `BUILTIN_PAGES=on` where the pages could not work is refused rather than served broken.
/// Another origin in `APP_BASE_URL` is not such a case: the pages call the API by URLs relative
/// to themselves, same-origin wherever they are served, so the proxy that routes the pages of
/// that origin to authd routes its `/v1/auth/*` too (docs/pages.md).
pub(super) fn check(r: &mut Reader, server: &ServerConfig, api: &ApiConfig) {
    if server.builtin_pages != BuiltinPages::On {
        return;
    }
    if !api.dialects.perfect21 {
        r.problem(
            "BUILTIN_PAGES",
            "is on, but API_DIALECTS does not serve perfect21, whose /v1/auth routes the pages \
             call: add perfect21 or set BUILTIN_PAGES=auto or off",
        );
    }
}

impl ServerConfig {
    /// Whether the pages are served, once the bound port is known (`PORT=0` moves the derived
    /// URLs) and with the dialects `api` serves.
    #[must_use]
    pub fn serves_builtin_pages(&self, api: &ApiConfig) -> bool {
        match self.builtin_pages {
            BuiltinPages::On => true,
            BuiltinPages::Off => false,
            BuiltinPages::Auto => {
                api.dialects.perfect21 && same_base(&self.app_base_url, &self.public_url)
            }
        }
    }
}

/// `scheme://host[:port]` of a base URL (validated by `values::base_url`).
fn origin_of(url: &str) -> &str {
    let path = url
        .find("://")
        .and_then(|at| url[at + 3..].find('/').map(|slash| at + 3 + slash));
    path.map_or(url, |at| &url[..at])
}

/// The same base URL: the origin in any case, the path exactly.
fn same_base(a: &str, b: &str) -> bool {
    let (origin_a, origin_b) = (origin_of(a), origin_of(b));
    origin_a.eq_ignore_ascii_case(origin_b) && a[origin_a.len()..] == b[origin_b.len()..]
}
