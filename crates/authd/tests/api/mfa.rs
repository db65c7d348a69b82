//! Multi-factor authentication end to end: TOTP setup (the QR code read back), confirmation,
//! logins answered `MFA_REQUIRED` and completed at `/v1/auth/mfa/verify`, backup codes,
//! remembered devices, turning MFA off, `ENABLE_MFA=false`, the limits and lockout that guard
//! codes, and the races storage settles (one code, one challenge, one session).

mod at_rest;
mod devices;
mod email;
mod flow;
mod guards;
mod logs;
mod races;
mod sms;
mod switch;
