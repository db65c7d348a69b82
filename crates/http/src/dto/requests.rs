//! Request bodies. Every field is optional at the JSON level so that a missing required field is
//! answered with `REQUIRED_FIELD_MISSING` naming it, not with a parser message.

use crate::error::ApiError;
use authd_domain::error::FieldError;
use authd_domain::services::{LoginInput, ProfileInput, RegisterInput};
use authd_domain::values::{Preferences, codes};
use serde::{Deserialize, Deserializer};

/// Collects the required fields that are absent (or `null`).
#[derive(Default)]
struct Required(Vec<FieldError>);

impl Required {
    fn take(&mut self, field: &str, value: Option<String>) -> String {
        value.unwrap_or_else(|| {
            self.0.push(FieldError::new(
                field,
                codes::REQUIRED,
                format!("{field} is required"),
            ));
            String::new()
        })
    }

    fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation(self.0))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterRequest {
    email: Option<String>,
    username: Option<String>,
    password: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
}

impl RegisterRequest {
    /// # Errors
    /// `VALIDATION_ERROR` listing every missing required field.
    pub fn into_input(self) -> Result<RegisterInput, ApiError> {
        let mut required = Required::default();
        let input = RegisterInput {
            email: required.take("email", self.email),
            username: required.take("username", self.username),
            password: required.take("password", self.password),
            first_name: self.first_name,
            last_name: self.last_name,
            phone: self.phone,
        };
        required.finish(input)
    }
}

/// Login leaves missing credentials to the service, which answers `MISSING_CREDENTIALS`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginRequest {
    email: Option<String>,
    username: Option<String>,
    password: Option<String>,
    remember_me: Option<bool>,
}

impl From<LoginRequest> for LoginInput {
    fn from(r: LoginRequest) -> Self {
        Self {
            email: r.email,
            username: r.username,
            password: r.password,
            remember_me: r.remember_me,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogoutRequest {
    pub logout_all_devices: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct VerifyEmailRequest {
    pub token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct EmailRequest {
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

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordRequest {
    token: Option<String>,
    new_password: Option<String>,
}

impl ResetPasswordRequest {
    /// `(token, newPassword)`.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_parts(self) -> Result<(String, String), ApiError> {
        let mut required = Required::default();
        let parts = (
            required.take("token", self.token),
            required.take("newPassword", self.new_password),
        );
        required.finish(parts)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChangePasswordRequest {
    current_password: Option<String>,
    new_password: Option<String>,
}

impl ChangePasswordRequest {
    /// `(currentPassword, newPassword)`.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_parts(self) -> Result<(String, String), ApiError> {
        let mut required = Required::default();
        let parts = (
            required.take("currentPassword", self.current_password),
            required.take("newPassword", self.new_password),
        );
        required.finish(parts)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordRequest {
    password: Option<String>,
}

impl PasswordRequest {
    /// # Errors
    /// `VALIDATION_ERROR` when `password` is missing.
    pub fn into_password(self) -> Result<String, ApiError> {
        let mut required = Required::default();
        let password = required.take("password", self.password);
        required.finish(password)
    }
}

/// `PUT /v1/users/me`: an absent field is left alone, `null` clears it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateProfileRequest {
    #[serde(default, deserialize_with = "present")]
    first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    phone: Option<Option<String>>,
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
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing_fields(e: ApiError) -> Vec<(String, &'static str)> {
        match e {
            ApiError::Validation(f) => f.into_iter().map(|f| (f.field, f.code)).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn register_lists_every_missing_required_field() {
        let body: RegisterRequest = serde_json::from_str(r#"{"username":"john"}"#).unwrap();
        let err = body.into_input().unwrap_err();
        assert_eq!(
            missing_fields(err),
            vec![
                ("email".to_owned(), "REQUIRED_FIELD_MISSING"),
                ("password".to_owned(), "REQUIRED_FIELD_MISSING")
            ]
        );
    }

    #[test]
    fn a_null_required_field_counts_as_missing() {
        let body: ChangePasswordRequest =
            serde_json::from_str(r#"{"currentPassword":null,"newPassword":"x"}"#).unwrap();
        let err = body.into_parts().unwrap_err();
        assert_eq!(
            missing_fields(err),
            vec![("currentPassword".to_owned(), "REQUIRED_FIELD_MISSING")]
        );
    }

    #[test]
    fn a_complete_register_body_becomes_the_service_input() {
        let body: RegisterRequest = serde_json::from_str(
            r#"{"email":"a@b.c","username":"john","password":"pw","firstName":"John"}"#,
        )
        .unwrap();
        let input = body.into_input().unwrap();
        assert_eq!(input.email, "a@b.c");
        assert_eq!(input.first_name.as_deref(), Some("John"));
        assert_eq!(input.last_name, None);
    }

    #[test]
    fn profile_update_tells_an_absent_field_from_a_null_one() {
        let body: UpdateProfileRequest =
            serde_json::from_str(r#"{"firstName":"Jo","phone":null}"#).unwrap();
        let input = ProfileInput::from(body);
        assert_eq!(input.first_name, Some(Some("Jo".to_owned())));
        assert_eq!(input.phone, Some(None));
        assert_eq!(input.last_name, None);
    }
}
