//! Multi-factor authentication: the factors a user can add, the codes they type, the challenge
//! between a right password and the second factor, remembered devices, and the rule that decides
//! which TOTP code is accepted. Pure: codes are computed behind
//! [`OneTimePasswords`](crate::ports::OneTimePasswords) and secrets sealed behind
//! [`SecretSealer`](crate::ports::SecretSealer), both implemented by the crypto adapter; state is
//! kept behind [`MfaRepository`](crate::ports::MfaRepository).

mod challenge;
mod codes;
mod device;
mod factor;
mod method;
mod presented;
mod secret;
mod totp_policy;

pub use challenge::MfaChallenge;
pub use codes::{BackupCode, OtpCode};
pub use device::RememberedDevice;
pub use factor::{DeviceName, Factor, FactorKind, SealedSecret};
pub use method::MfaMethod;
pub use presented::PresentedCode;
pub use secret::{TotpAlgorithm, TotpSecret};
/// How long an emailed code works once the mail worker mints it (API.md: 10 minutes).
pub const EMAIL_CODE_TTL: chrono::Duration = chrono::Duration::minutes(10);

pub use totp_policy::{TOTP_STEP_SECS, TotpPolicy, TotpRefusal, TotpStep};
