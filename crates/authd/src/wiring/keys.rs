//! The signing keys of access tokens, the secret of refresh-token successors, and the keys of
//! MFA secrets.

use crate::app::StartupError;
use crate::config::{Config, Signing};
use authd_crypto::{JwtCodec, JwtSettings, MfaKeys, RsaSigningKey};
use secrecy::ExposeSecret;
use std::sync::Arc;

pub(super) fn access_token_codec(config: &Config) -> Result<JwtCodec, StartupError> {
    let settings = JwtSettings {
        verified_cache: config.jwt.verified_cache,
        ..JwtSettings::new(&config.jwt.issuer, &config.jwt.audience)
    };
    match &config.jwt.signing {
        Signing::Hs256 { secret } => {
            JwtCodec::hs256(secret.expose_secret().as_bytes(), settings).map_err(StartupError::Jwt)
        }
        Signing::Rs256 { key_files } => {
            let keys = if key_files.is_empty() {
                tracing::warn!(
                    "no JWT_PRIVATE_KEY_FILE: signing access tokens with an EPHEMERAL RS256 key \
                     generated now; every token becomes invalid when this process exits, and \
                     other instances cannot verify it"
                );
                vec![RsaSigningKey::generate_ephemeral().map_err(StartupError::KeyGeneration)?]
            } else {
                key_files
                    .iter()
                    .map(|path| {
                        let pem = std::fs::read_to_string(path).map_err(|source| {
                            StartupError::KeyFile {
                                path: path.clone(),
                                source,
                            }
                        })?;
                        RsaSigningKey::from_pem(&pem).map_err(|source| StartupError::Key {
                            path: path.clone(),
                            source,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            JwtCodec::rs256(keys, settings).map_err(StartupError::Jwt)
        }
    }
}

/// `JWT_REFRESH_SECRET`, or 32 random bytes: successors then change across restarts (and differ
/// between instances), which only matters to a grace window that straddles one.
pub(super) fn refresh_secret(config: &Config) -> Result<Vec<u8>, StartupError> {
    if let Some(secret) = &config.jwt.refresh_secret {
        return Ok(secret.expose_secret().as_bytes().to_vec());
    }
    let mut secret = vec![0_u8; 32];
    aws_lc_rs::rand::fill(&mut secret).map_err(|_| StartupError::Random)?;
    Ok(secret)
}

/// `MFA_ENCRYPTION_KEY`, or, on the embedded store, a key for this process only. On PostgreSQL
/// sealed secrets outlive the process and are shared by every instance, so a missing key stops
/// start-up (with MFA on); `authd migrate` needs none.
pub(super) fn mfa_keys(config: &Config) -> Result<Arc<MfaKeys>, StartupError> {
    if let Some(keys) = &config.mfa.keys {
        return Ok(keys.clone());
    }
    if config.mfa.enabled && config.database.is_some() {
        return Err(StartupError::MfaKeyMissing);
    }
    if config.mfa.enabled {
        tracing::warn!(
            "no MFA_ENCRYPTION_KEY: sealing TOTP secrets with an EPHEMERAL key generated now; \
             fine for the embedded store, whose factors end with the process anyway"
        );
    }
    Ok(Arc::new(MfaKeys::ephemeral()))
}
