//! Multi-factor authentication: the factors a user can add, the codes they type, and the rule
//! that decides which TOTP code is accepted. Pure: codes are computed behind
//! [`OneTimePasswords`](crate::ports::OneTimePasswords), implemented by the crypto adapter.

mod codes;
mod method;
mod secret;
mod totp_policy;

pub use codes::{BackupCode, OtpCode};
pub use method::MfaMethod;
pub use secret::{TotpAlgorithm, TotpSecret};
pub use totp_policy::{TOTP_STEP_SECS, TotpPolicy, TotpRefusal, TotpStep};
