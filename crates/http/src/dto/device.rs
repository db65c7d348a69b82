//! `deviceInfo` of a session, parsed from its User-Agent with woothee.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DeviceInfo {
    pub browser: String,
    pub os: String,
    /// `Desktop`, `Mobile`, `Tablet`, `Bot` or `Unknown`.
    #[schema(value_type = String, example = "Desktop")]
    pub device: &'static str,
}

const UNKNOWN: &str = "Unknown";

#[must_use]
pub fn device_info(user_agent: Option<&str>) -> DeviceInfo {
    let parsed = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua));
    let Some(parsed) = parsed else {
        return DeviceInfo {
            browser: UNKNOWN.to_owned(),
            os: UNKNOWN.to_owned(),
            device: UNKNOWN,
        };
    };
    let ua = user_agent.unwrap_or_default();
    DeviceInfo {
        browser: known(parsed.name).to_owned(),
        os: os_family(parsed.os).to_owned(),
        device: device_class(parsed.category, parsed.os, ua),
    }
}

fn known(value: &str) -> &str {
    if value.is_empty() || value == woothee::woothee::VALUE_UNKNOWN {
        UNKNOWN
    } else {
        value
    }
}

/// woothee names releases (`Windows 10`, `iPhone`); people recognise families.
fn os_family(os: &str) -> &str {
    match os {
        "iPhone" | "iPad" | "iPod" => "iOS",
        "Mac OSX" => "macOS",
        os if os.starts_with("Windows") => "Windows",
        os => known(os),
    }
}

/// woothee files tablets under `smartphone`; the platform tells them apart (Android tablets
/// leave `Mobile` out of their User-Agent).
fn device_class(category: &str, os: &str, ua: &str) -> &'static str {
    match category {
        "pc" => "Desktop",
        "crawler" => "Bot",
        "smartphone" | "mobilephone" => {
            if os == "iPad" || (os == "Android" && !ua.contains("Mobile")) {
                "Tablet"
            } else {
                "Mobile"
            }
        }
        _ => UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(ua: &str) -> (String, String, &'static str) {
        let d = device_info(Some(ua));
        (d.browser, d.os, d.device)
    }

    #[test]
    fn chrome_on_windows_is_a_desktop() {
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(
            info(ua),
            ("Chrome".to_owned(), "Windows".to_owned(), "Desktop")
        );
    }

    #[test]
    fn safari_on_an_iphone_is_a_mobile_on_ios() {
        let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(info(ua), ("Safari".to_owned(), "iOS".to_owned(), "Mobile"));
    }

    #[test]
    fn an_ipad_is_a_tablet() {
        let ua = "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 Mobile/15E148 Safari/604.1";
        assert_eq!(info(ua).2, "Tablet");
    }

    #[test]
    fn an_android_user_agent_without_mobile_is_a_tablet() {
        let ua = "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(info(ua).2, "Tablet");
        let phone = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
        assert_eq!(info(phone).2, "Mobile");
    }

    #[test]
    fn a_crawler_is_a_bot() {
        let ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assert_eq!(info(ua).2, "Bot");
    }

    #[test]
    fn a_missing_or_unrecognised_user_agent_is_unknown() {
        let unknown = ("Unknown".to_owned(), "Unknown".to_owned(), "Unknown");
        assert_eq!(info("curl-like-thing/1.0 (nothing known)"), unknown);
        let none = device_info(None);
        assert_eq!((none.browser, none.os, none.device), unknown);
    }
}

/// The domain's [`DeviceNames`](authd_domain::ports::DeviceNames) port, read by woothee as the
/// session list's `deviceInfo` is.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserAgentNames;

impl authd_domain::ports::DeviceNames for UserAgentNames {
    fn describe(&self, user_agent: Option<&str>) -> authd_domain::ports::DeviceDescription {
        let info = device_info(user_agent);
        authd_domain::ports::DeviceDescription {
            browser: info.browser,
            os: info.os,
            device: info.device,
        }
    }
}
