//! authd's cryptography adapters, one per domain port:
//!
//! - [`BcryptHasher`] ([`PasswordHasher`](authd_domain::ports::PasswordHasher)): bcrypt on a
//!   bounded pool of OS threads that answers `Busy` instead of queueing without limit;
//! - [`JwtCodec`] ([`AccessTokenCodec`](authd_domain::ports::AccessTokenCodec)): RS256 (with key
//!   rotation and a JWKS document) or HS256 access tokens of type `at+jwt`;
//! - [`OpaqueTokens`] ([`TokenGenerator`](authd_domain::ports::TokenGenerator)): 256-bit random
//!   tokens stored as SHA-256 digests, and HMAC-derived refresh-token successors;
//! - [`OtpCodes`] ([`OneTimePasswords`](authd_domain::ports::OneTimePasswords)): TOTP codes and
//!   otpauth URLs with totp-rs, backup codes from the system RNG and their keyed digests;
//! - [`AesGcmSealer`] ([`SecretSealer`](authd_domain::ports::SecretSealer)): TOTP secrets sealed
//!   with AES-256-GCM under [`MfaKeys`] (`MFA_ENCRYPTION_KEY`, rotating);
//! - [`PngQr`] ([`QrRenderer`](authd_domain::ports::QrRenderer)): the otpauth URL as a PNG QR code.

mod jwt;
mod mfa_keys;
mod opaque;
mod otp;
mod password;
mod qr;
mod sealer;

pub use jwt::{
    DEFAULT_VERIFIED_CACHE, JwtCodec, JwtConfigError, JwtSettings, KeyError, MAX_LEEWAY_SECS,
    RsaKeyBits, RsaSigningKey,
};
pub use mfa_keys::{MFA_KEY_BYTES, MfaKeyError, MfaKeys};
pub use opaque::{OpaqueTokens, TokenSecretError};
pub use otp::OtpCodes;
pub use password::{BcryptConfig, BcryptHasher, HasherConfigError};
pub use qr::PngQr;
pub use sealer::AesGcmSealer;

/// The shortest secret accepted for HMAC keys (HS256 signing, refresh-token successors): 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;
