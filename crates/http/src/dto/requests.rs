//! Request bodies. Every field is optional at the JSON level so that a missing required field is
//! answered with `REQUIRED_FIELD_MISSING` naming it, not with a parser message. Passwords and raw
//! tokens are `SecretString`s from the moment they are parsed: their `Debug` is redacted.

use crate::error::ApiError;
use authd_domain::error::FieldError;
use authd_domain::services::{LoginInput, ProfileInput, RegisterInput};
use authd_domain::values::{Preferences, codes};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

/// Collects the required fields that are absent (or `null`).
#[derive(Default)]
pub(super) struct Required(Vec<FieldError>);

impl Required {
    pub(super) fn take<T: From<String>>(&mut self, field: &str, value: Option<T>) -> T {
        value.unwrap_or_else(|| {
            self.0.push(FieldError::new(
                field,
                codes::REQUIRED,
                format!("{field} is required"),
            ));
            String::new().into()
        })
    }

    pub(super) fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "email": "user@example.com", "username": "johndoe", "password": "SecurePass123!",
    "firstName": "John", "lastName": "Doe", "phone": "+1234567890"
}))]
pub struct RegisterRequest {
    /// A valid address of at most 255 characters; unique whatever its case.
    #[schema(required, nullable = false, value_type = String, format = Email)]
    email: Option<String>,
    /// 3-50 letters, digits, `_` or `-` (surrounding blanks are dropped); unique whatever its
    /// case and look-alikes.
    #[schema(required, nullable = false, value_type = String, min_length = 3)]
    username: Option<String>,
    /// At least 12 characters with an upper and a lower case letter, a digit and a symbol.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// At most 100 characters.
    first_name: Option<String>,
    /// At most 100 characters.
    last_name: Option<String>,
    /// At most 20 characters.
    phone: Option<String>,
    /// A role from `SELF_ASSIGNABLE_ROLES` (by default only `user`); absent: `DEFAULT_ROLE`.
    role: Option<String>,
}

impl RegisterRequest {
    /// # Errors
    /// `VALIDATION_ERROR` listing every missing required field.
    pub fn into_input(self) -> Result<RegisterInput, ApiError> {
        let mut required = Required::default();
        let input = RegisterInput {
            email: required.take("email", self.email),
            username: Some(required.take("username", self.username)),
            password: required.take("password", self.password),
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
            role: self.role,
        };
        required.finish(input)
    }
}

/// Login leaves missing credentials to the service, which answers `MISSING_CREDENTIALS`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"email": "user@example.com", "password": "SecurePass123!", "rememberMe": true}))]
pub struct LoginRequest {
    /// The email or the `username` identifies the account.
    email: Option<String>,
    username: Option<String>,
    /// Absent: `MISSING_CREDENTIALS`, as for a missing email and username.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// A refresh token (and cookie) that outlives the browser session.
    remember_me: Option<bool>,
    /// A remembered device's token (`deviceToken` of an MFA verification): the second factor is
    /// skipped. Wins over the `mfa_device` cookie.
    #[schema(value_type = Option<String>)]
    device_token: Option<SecretString>,
}

impl LoginRequest {
    /// The service's input; `device_cookie` is the `mfa_device` cookie, used when the body
    /// names no device.
    #[must_use]
    pub fn into_input(self, device_cookie: Option<SecretString>) -> LoginInput {
        let device_token = self
            .device_token
            .filter(|t| !t.expose_secret().is_empty())
            .or(device_cookie);
        LoginInput {
            email: self.email,
            username: self.username,
            password: self.password,
            remember_me: self.remember_me,
            device_token,
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"refreshToken": "def502004e6a0b5c9df6e5..."}))]
pub struct RefreshRequest {
    /// Absent or empty: the `refresh_token` cookie is used.
    #[schema(value_type = Option<String>)]
    refresh_token: Option<SecretString>,
}

impl RefreshRequest {
    /// The token of the body, unless absent or empty (then the cookie is asked).
    #[must_use]
    pub fn into_token(self) -> Option<SecretString> {
        self.refresh_token.filter(|t| !t.expose_secret().is_empty())
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"logoutAllDevices": false}))]
pub struct LogoutRequest {
    /// Ends every session of the account, not only the caller's.
    pub logout_all_devices: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"token": "abc123def456ghi789..."}))]
pub struct VerifyEmailRequest {
    /// The token of the verification email (surrounding blanks are ignored); absent or blank:
    /// `MISSING_TOKEN`.
    #[schema(required, nullable = false, value_type = String)]
    token: Option<SecretString>,
}

impl VerifyEmailRequest {
    /// The token without the blanks a copy and paste brings along.
    ///
    /// # Errors
    /// `MISSING_TOKEN` when it is absent or blank.
    pub fn into_token(self) -> Result<SecretString, ApiError> {
        required_token(self.token)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"token": "abc123def456ghi789..."}))]
pub struct UnlockRequest {
    /// The token of the unlock link in the "account locked" email (surrounding blanks are
    /// ignored); absent or blank: `MISSING_TOKEN`.
    #[schema(required, nullable = false, value_type = String)]
    token: Option<SecretString>,
}

impl UnlockRequest {
    /// # Errors
    /// `MISSING_TOKEN` when it is absent or blank.
    pub fn into_token(self) -> Result<SecretString, ApiError> {
        required_token(self.token)
    }
}

/// A link's token without the blanks a copy and paste brings along; `MISSING_TOKEN` when absent
/// or blank.
fn required_token(token: Option<SecretString>) -> Result<SecretString, ApiError> {
    token
        .map(|t| trimmed(&t))
        .filter(|t| !t.expose_secret().is_empty())
        .ok_or(ApiError::MissingToken)
}

/// `secret` without surrounding whitespace.
pub(super) fn trimmed(secret: &SecretString) -> SecretString {
    SecretString::from(secret.expose_secret().trim())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"email": "user@example.com"}))]
pub struct EmailRequest {
    #[schema(required, nullable = false, value_type = String, format = Email)]
    email: Option<String>,
}

impl EmailRequest {
    /// # Errors
    /// `VALIDATION_ERROR` when `email` is missing.
    pub fn into_email(self) -> Result<String, ApiError> {
        let mut required = Required::default();
        let email = required.take("email", self.email);
        required.finish(email)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"token": "reset_token_from_email", "newPassword": "NewSecurePass123!"}))]
pub struct ResetPasswordRequest {
    /// The token of the reset email (surrounding blanks are ignored).
    #[schema(required, nullable = false, value_type = String)]
    token: Option<SecretString>,
    /// The password rules of registration.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    new_password: Option<SecretString>,
}

impl ResetPasswordRequest {
    /// `(token, newPassword)`, the token trimmed.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_parts(self) -> Result<(SecretString, SecretString), ApiError> {
        let mut required = Required::default();
        let parts = (
            trimmed(&required.take("token", self.token)),
            required.take("newPassword", self.new_password),
        );
        required.finish(parts)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"currentPassword": "OldSecurePass123!", "newPassword": "NewSecurePass123!"}))]
pub struct ChangePasswordRequest {
    #[schema(required, nullable = false, value_type = String, format = Password)]
    current_password: Option<SecretString>,
    /// The password rules of registration, and not the current one.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    new_password: Option<SecretString>,
}

impl ChangePasswordRequest {
    /// `(currentPassword, newPassword)`.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_parts(self) -> Result<(SecretString, SecretString), ApiError> {
        let mut required = Required::default();
        let parts = (
            required.take("currentPassword", self.current_password),
            required.take("newPassword", self.new_password),
        );
        required.finish(parts)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({"password": "SecurePass123!"}))]
pub struct PasswordRequest {
    /// The account's current password.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
}

impl PasswordRequest {
    /// # Errors
    /// `VALIDATION_ERROR` when `password` is missing.
    pub fn into_password(self) -> Result<SecretString, ApiError> {
        let mut required = Required::default();
        let password = required.take("password", self.password);
        required.finish(password)
    }
}

/// `PUT /v1/users/me`: an absent field is left alone, `null` clears it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"firstName": "John", "lastName": "Smith", "phone": "+1234567890"}))]
pub struct UpdateProfileRequest {
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    first_name: Option<Option<String>>,
    /// At most 100 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    last_name: Option<Option<String>>,
    /// At most 20 characters; `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    /// Replaces the stored preferences.
    #[schema(schema_with = super::schemas::preferences_or_null)]
    preferences: Option<Preferences>,
}

impl From<UpdateProfileRequest> for ProfileInput {
    fn from(r: UpdateProfileRequest) -> Self {
        Self {
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            preferences: r.preferences,
        }
    }
}

/// Called only when the field is present, so `null` becomes `Some(None)`.
pub(crate) fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests;
