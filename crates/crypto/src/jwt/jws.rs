//! The compact JWS form (RFC 7515) for the one algorithm a codec is pinned to:
//! `base64url(header).base64url(payload).base64url(signature)`.
//!
//! Each key's header is constant, so it is encoded once. On the way in, a header byte-for-byte
//! equal to one of ours selects its key without parsing; any other header is decoded once and
//! must name the pinned `alg`, an access-token `typ` and (for RS256) the `kid` of one of our keys.
//! Nothing else in it is read: `jku`, `jwk` and `x5u` can never lead to a key.

use super::keys::RsaSigningKey;
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use std::borrow::Cow;

/// RFC 9068's media type for access tokens; `application/at+jwt` is the same type spelled out.
const ACCESS_TOKEN_TYPE: &str = "at+jwt";
const ACCESS_TOKEN_MEDIA_TYPE: &str = "application/at+jwt";

/// The signing side of a codec: its keys and their pre-encoded headers.
pub(super) enum KeySet {
    /// RS256: `keys[0]` signs, every key verifies.
    Rsa(Vec<Keyed<RsaSigningKey>>),
    /// HS256: one shared secret, no `kid`. Boxed: aws-lc's HMAC context is over a kilobyte.
    Hmac(Box<Keyed<hmac::Key>>),
}

/// A key and the base64url header of the tokens it signs.
pub(super) struct Keyed<K> {
    header: String,
    key: K,
}

/// A token cut at its two dots; `signing_input` is `header.payload`, what the signature covers.
pub(super) struct Parts<'a> {
    pub(super) header: &'a str,
    pub(super) payload: &'a str,
    pub(super) signature: &'a str,
    pub(super) signing_input: &'a str,
}

/// Exactly three segments, or nothing.
pub(super) fn split(token: &str) -> Option<Parts<'_>> {
    let (signing_input, signature) = token.rsplit_once('.')?;
    let (header, payload) = signing_input.split_once('.')?;
    if payload.contains('.') {
        return None;
    }
    Some(Parts {
        header,
        payload,
        signature,
        signing_input,
    })
}

#[derive(Deserialize)]
struct IncomingHeader<'a> {
    #[serde(borrow)]
    alg: Cow<'a, str>,
    #[serde(borrow)]
    typ: Option<Cow<'a, str>>,
    #[serde(borrow)]
    kid: Option<Cow<'a, str>>,
}

/// A header that names our algorithm and an access-token type.
struct AcceptedHeader {
    kid: Option<String>,
}

fn encoded_header(alg: &str, kid: Option<&str>) -> String {
    let mut header = serde_json::json!({ "alg": alg, "typ": ACCESS_TOKEN_TYPE });
    if let Some(kid) = kid {
        header["kid"] = kid.into();
    }
    URL_SAFE_NO_PAD.encode(header.to_string())
}

impl KeySet {
    pub(super) fn rsa(keys: Vec<RsaSigningKey>) -> Self {
        Self::Rsa(
            keys.into_iter()
                .map(|key| Keyed {
                    header: encoded_header("RS256", Some(key.kid())),
                    key,
                })
                .collect(),
        )
    }

    pub(super) fn hmac(secret: &[u8]) -> Self {
        Self::Hmac(Box::new(Keyed {
            header: encoded_header("HS256", None),
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
        }))
    }

    pub(super) fn alg(&self) -> &'static str {
        match self {
            Self::Rsa(_) => "RS256",
            Self::Hmac(_) => "HS256",
        }
    }

    /// The `kid` of the signing key, if the algorithm has one.
    pub(super) fn signing_kid(&self) -> Option<&str> {
        match self {
            Self::Rsa(keys) => keys.first().map(|k| k.key.kid()),
            Self::Hmac(_) => None,
        }
    }

    /// The encoded header of the tokens this set signs.
    pub(super) fn signing_header(&self) -> &str {
        match self {
            Self::Rsa(keys) => keys.first().map_or("", |k| k.header.as_str()),
            Self::Hmac(keyed) => &keyed.header,
        }
    }

    pub(super) fn sign(
        &self,
        signing_input: &[u8],
    ) -> Result<Vec<u8>, aws_lc_rs::error::Unspecified> {
        match self {
            Self::Rsa(keys) => keys
                .first()
                .ok_or(aws_lc_rs::error::Unspecified)?
                .key
                .sign(signing_input),
            Self::Hmac(keyed) => Ok(hmac::sign(&keyed.key, signing_input).as_ref().to_vec()),
        }
    }

    /// Whether `parts` carries an acceptable header and a valid signature by one of our keys.
    pub(super) fn verifies(&self, parts: &Parts<'_>) -> bool {
        let Ok(signature) = URL_SAFE_NO_PAD.decode(parts.signature) else {
            return false;
        };
        let message = parts.signing_input.as_bytes();
        match self {
            Self::Rsa(keys) => self
                .rsa_key_for(keys, parts.header)
                .is_some_and(|key| key.verifies(message, &signature)),
            Self::Hmac(keyed) => {
                (keyed.header == parts.header || self.accepted_header(parts.header).is_some())
                    // Constant-time comparison of the MAC.
                    && hmac::verify(&keyed.key, message, &signature).is_ok()
            }
        }
    }

    fn rsa_key_for<'k>(
        &self,
        keys: &'k [Keyed<RsaSigningKey>],
        header: &str,
    ) -> Option<&'k RsaSigningKey> {
        if let Some(known) = keys.iter().find(|k| k.header == header) {
            return Some(&known.key);
        }
        let kid = self.accepted_header(header)?.kid?;
        keys.iter().map(|k| &k.key).find(|key| key.kid() == kid)
    }

    /// `None` for a header we refuse.
    fn accepted_header(&self, header: &str) -> Option<AcceptedHeader> {
        let json = URL_SAFE_NO_PAD.decode(header).ok()?;
        let header: IncomingHeader<'_> = serde_json::from_slice(&json).ok()?;
        let typ_ok = header.typ.as_deref().is_some_and(|t| {
            t.eq_ignore_ascii_case(ACCESS_TOKEN_TYPE)
                || t.eq_ignore_ascii_case(ACCESS_TOKEN_MEDIA_TYPE)
        });
        (header.alg == self.alg() && typ_ok).then(|| AcceptedHeader {
            kid: header.kid.map(Cow::into_owned),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_three_segments_make_a_token() {
        let parts = split("h.p.s").unwrap();
        assert_eq!(
            (
                parts.header,
                parts.payload,
                parts.signature,
                parts.signing_input
            ),
            ("h", "p", "s", "h.p")
        );
        for bad in ["h.p", "h.p.s.x", "hps", "h..p.s"] {
            assert!(split(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn an_hs256_header_naming_another_alg_or_typ_is_refused() {
        let keys = KeySet::hmac(&[7; 32]);
        let sign = |header: &serde_json::Value| {
            let input = format!("{}.e30", URL_SAFE_NO_PAD.encode(header.to_string()));
            let signature = URL_SAFE_NO_PAD.encode(keys.sign(input.as_bytes()).unwrap());
            format!("{input}.{signature}")
        };
        let accepted = sign(&serde_json::json!({"alg": "HS256", "typ": "AT+JWT", "kid": "x"}));
        assert!(keys.verifies(&split(&accepted).unwrap()));
        for header in [
            serde_json::json!({"alg": "HS384", "typ": "at+jwt"}),
            serde_json::json!({"alg": "hs256", "typ": "at+jwt"}),
            serde_json::json!({"alg": "HS256", "typ": "JWT"}),
        ] {
            let token = sign(&header);
            assert!(!keys.verifies(&split(&token).unwrap()), "{header}");
        }
    }
}
