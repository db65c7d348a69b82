//! authd's URLs as the guard accepts them, and the extra roots it trusts for them.

use crate::builder::GuardConfigError;
use reqwest13::Url;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::net::IpAddr;

/// `url` trimmed, if it is https, or http to loopback (or `insecure`), without credentials.
pub(crate) fn checked(url: &str, insecure: bool) -> Result<String, GuardConfigError> {
    let url = url.trim();
    let parsed = Url::parse(url).map_err(|_| GuardConfigError::InvalidUrl(redacted(url)))?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(GuardConfigError::CredentialsInUrl(redacted(url)));
    }
    let Some(host) = parsed.host_str() else {
        return Err(GuardConfigError::InvalidUrl(url.to_owned()));
    };
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || ip.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme() {
        "https" => {}
        "http" if loopback || insecure => {}
        "http" => return Err(GuardConfigError::InsecureUrl(url.to_owned())),
        _ => return Err(GuardConfigError::InvalidUrl(url.to_owned())),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// `url` with anything between the scheme and an `@` hidden, for errors and `Debug`.
pub(crate) fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}<redacted>{}", &url[..scheme + 3], &url[at..])
        }
        (None, Some(_)) => "<redacted>".to_owned(),
        _ => url.to_owned(),
    }
}

pub(crate) fn jwks_url(url: &str, insecure: bool) -> Result<String, GuardConfigError> {
    let url = checked(url, insecure)?;
    Ok(if url.ends_with(".json") {
        url
    } else {
        format!("{url}/.well-known/jwks.json")
    })
}

pub(crate) fn introspection_url(url: &str, insecure: bool) -> Result<String, GuardConfigError> {
    let url = checked(url, insecure)?;
    Ok(if url.ends_with("/introspect") {
        url
    } else {
        format!("{url}/v1/auth/introspect")
    })
}

/// Every certificate of every PEM document; a document without one is a mistake.
pub(crate) fn certificates(
    pems: &[Vec<u8>],
) -> Result<Vec<CertificateDer<'static>>, GuardConfigError> {
    let mut all = Vec::new();
    for pem in pems {
        let found = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| GuardConfigError::InvalidCertificate(e.to_string()))?;
        if found.is_empty() {
            return Err(GuardConfigError::InvalidCertificate(
                "no CERTIFICATE block".into(),
            ));
        }
        all.extend(found);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_leads_to_its_jwks_and_introspection_endpoint() {
        assert_eq!(
            jwks_url("http://127.0.0.1:3000/", false).ok().as_deref(),
            Some("http://127.0.0.1:3000/.well-known/jwks.json")
        );
        assert_eq!(
            jwks_url("https://a.example/keys.json", false)
                .ok()
                .as_deref(),
            Some("https://a.example/keys.json")
        );
        assert_eq!(
            introspection_url("https://a.example", false)
                .ok()
                .as_deref(),
            Some("https://a.example/v1/auth/introspect")
        );
        assert!(jwks_url("ftp://a.example", true).is_err());
        assert!(jwks_url("not a url", true).is_err());
    }

    #[test]
    fn only_loopback_hosts_may_be_plain_http() {
        for url in [
            "http://127.0.0.1:3000",
            "http://127.8.9.10",
            "http://localhost:3000",
            "http://LOCALHOST",
            "http://[::1]:3000",
        ] {
            assert!(checked(url, false).is_ok(), "{url}");
        }
        for url in [
            "http://auth.example.com",
            "http://10.0.0.5:3000",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            assert!(
                matches!(checked(url, false), Err(GuardConfigError::InsecureUrl(_))),
                "{url}"
            );
            assert!(checked(url, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn credentials_in_a_url_are_refused_and_never_echoed() {
        for url in [
            "https://user:pa55word@auth.example.com",
            "https://pa55word@auth.example.com",
        ] {
            let error = checked(url, true).err().map(|e| e.to_string());
            let error = error.unwrap_or_default();
            assert!(error.contains("user name or password"), "{error}");
            assert!(!error.contains("pa55word"), "{error}");
        }
        assert_eq!(
            redacted("https://u:p@a.example/x"),
            "https://<redacted>@a.example/x"
        );
        assert_eq!(redacted("https://a.example/x"), "https://a.example/x");
    }
}
