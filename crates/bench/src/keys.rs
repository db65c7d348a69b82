//! The secrets the bench shares with the server it starts: an RSA key written as PEM for
//! `JWT_PRIVATE_KEY_FILE` (so access tokens minted here verify there) and a refresh secret.
//! Opaque refresh tokens are made with the server's own generator, so their stored hashes match.

use crate::error::BenchError;
use authd_crypto::{JwtCodec, JwtSettings, OpaqueTokens, RsaSigningKey};
use authd_domain::authorization::RoleName;
use authd_domain::ids::{SessionId, TokenId, UserId};
use authd_domain::ports::{AccessTokenCodec, TokenGenerator};
use authd_domain::token::{AccessClaims, OpaqueToken};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::fmt;
use std::path::{Path, PathBuf};

/// `authd`'s defaults for `iss` and `aud`, which the bench leaves unset on the server.
const ISSUER: &str = "authd";
const AUDIENCE: &str = "authd";
/// Long enough for the whole run; the server only checks `exp`.
const ACCESS_TOKEN_HOURS: i64 = 2;

pub struct Keys {
    pub pem_file: PathBuf,
    refresh_secret: String,
    codec: JwtCodec,
    tokens: OpaqueTokens,
}

impl Keys {
    /// Generates a 2048-bit RSA key and a refresh secret; writes the key to `dir/jwt.pem`.
    ///
    /// # Errors
    /// Key generation fails or the file cannot be written.
    pub fn create(dir: &Path) -> Result<Self, BenchError> {
        let pem = rsa_pem()?;
        let pem_file = dir.join("jwt.pem");
        std::fs::write(&pem_file, &pem).map_err(BenchError::io(&pem_file))?;
        let key = RsaSigningKey::from_pem(&pem)
            .map_err(|e| BenchError::setup(format!("the generated key: {e}")))?;
        let codec = JwtCodec::rs256(vec![key], JwtSettings::new(ISSUER, AUDIENCE))
            .map_err(|e| BenchError::setup(format!("the JWT codec: {e}")))?;
        let secret = random_bytes::<48>()?;
        let refresh_secret = URL_SAFE_NO_PAD.encode(secret);
        let tokens = OpaqueTokens::new(refresh_secret.as_bytes().to_vec())
            .map_err(|e| BenchError::setup(e.to_string()))?;
        Ok(Self {
            pem_file,
            refresh_secret,
            codec,
            tokens,
        })
    }

    /// `JWT_REFRESH_SECRET` for the server.
    pub fn refresh_secret(&self) -> &str {
        &self.refresh_secret
    }

    /// An access token for `user` in `session`, as the server would issue at login.
    ///
    /// # Errors
    /// Signing fails.
    pub fn access_token(&self, user: UserId, session: SessionId) -> Result<String, BenchError> {
        self.access_token_with_roles(user, session, &["user"])
    }

    /// The same for an account holding `roles` (authd checks a route's permission against its
    /// own role catalog, not against the token's `permissions` claim).
    ///
    /// # Errors
    /// A role name is malformed, or signing fails.
    pub fn access_token_with_roles(
        &self,
        user: UserId,
        session: SessionId,
        roles: &[&str],
    ) -> Result<String, BenchError> {
        let roles = roles
            .iter()
            .map(|r| RoleName::parse(r).map_err(|e| BenchError::setup(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let now = chrono::Utc::now();
        let claims = AccessClaims {
            user_id: user,
            session_id: session,
            token_id: TokenId::new(),
            issued_at: now,
            expires_at: now + chrono::Duration::hours(ACCESS_TOKEN_HOURS),
            roles,
            permissions: authd_domain::authorization::Permissions::none(),
        };
        self.codec
            .issue(&claims)
            .map_err(|e| BenchError::setup(format!("signing an access token: {e}")))
    }

    /// A fresh refresh token and the hash the server stores for it.
    pub fn refresh_token(&self) -> OpaqueToken {
        self.tokens.generate()
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keys")
            .field("pem_file", &self.pem_file)
            .finish_non_exhaustive()
    }
}

/// A fresh RSA key as PKCS#8 PEM (`BEGIN PRIVATE KEY`).
fn rsa_pem() -> Result<String, BenchError> {
    let failed = |_| BenchError::setup("RSA key generation failed");
    let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(failed)?;
    let der = pair.as_der().map_err(failed)?;
    let body = STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for line in body.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(line));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    Ok(pem)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], BenchError> {
    let mut bytes = [0_u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| BenchError::setup("the system random number generator failed"))?;
    Ok(bytes)
}
