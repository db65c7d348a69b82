//! The CheckInn request bodies, under the document's field names, and the form checks the
//! adapter makes before calling a service: required fields, `name` (split into first and last
//! name on its last blank) and `passwordConfirm`. Every field is optional at the JSON level so
//! that a missing one is a field error naming it; passwords are `SecretString`s from the start.

use crate::checkinn::envelope::field_name;
use crate::dto::requests::present;
use crate::error::ApiError;
use authd_domain::error::FieldError;
use authd_domain::services::{LoginInput, ProfileInput, RegisterInput};
use authd_domain::values::{Preferences, codes};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use utoipa::ToSchema;

/// The longest `name`, as the domain's first and last names (after trimming).
const NAME_MAX_CHARS: usize = 100;

/// The problems found by the form checks, all reported at once.
#[derive(Default)]
struct Form(Vec<FieldError>);

impl Form {
    fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.0.push(FieldError::new(
                field,
                codes::REQUIRED,
                format!("{} is required", label(field)),
            ));
        }
        value
    }

    /// `passwordConfirm` must repeat `password` when both are there.
    fn confirmed(&mut self, password: Option<&SecretString>, confirm: Option<&SecretString>) {
        if let (Some(password), Some(confirm)) = (password, confirm)
            && password.expose_secret() != confirm.expose_secret()
        {
            self.0.push(FieldError::new(
                "passwordConfirm",
                codes::INVALID_FORMAT,
                "Passwords do not match",
            ));
        }
    }

    /// `(first name, last name)` of a `name`, or a problem with it.
    fn name(&mut self, name: &str) -> Option<(String, Option<String>)> {
        let name = name.trim();
        let problem = if name.is_empty() {
            Some((codes::REQUIRED, "Name is required".to_owned()))
        } else if name.chars().count() > NAME_MAX_CHARS {
            Some((
                codes::TOO_LONG,
                format!("Name must be at most {NAME_MAX_CHARS} characters"),
            ))
        } else {
            None
        };
        if let Some((code, message)) = problem {
            self.0.push(FieldError::new("name", code, message));
            return None;
        }
        Some(split_name(name))
    }

    /// The value when no problem was found.
    fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        match value() {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(ApiError::Validation(self.0)),
        }
    }
}

/// How a message names `field`, in the domain's wording ("Email is required").
fn label(field: &str) -> String {
    match field {
        "passwordConfirm" => "Password confirmation".to_owned(),
        "passwordCurrent" => "Current password".to_owned(),
        "refreshToken" => "Refresh token".to_owned(),
        other => {
            let mut chars = other.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        }
    }
}

/// `"John Ronald Doe"` is first name `John Ronald`, last name `Doe`; one word is a first name.
#[must_use]
pub(super) fn split_name(name: &str) -> (String, Option<String>) {
    let name = name.trim();
    match name.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim_end().to_owned(), Some(last.to_owned())),
        None => (name.to_owned(), None),
    }
}

/// `POST /api/auth/register`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnRegisterRequest, example = json!({
    "name": "John Doe", "email": "john@example.com", "phone": "0987654321",
    "password": "SecurePass123!", "role": "Customer"
}))]
pub struct RegisterBody {
    /// The whole name, 1-100 characters: its last word is the last name.
    #[schema(required, nullable = false, value_type = String)]
    name: Option<String>,
    #[schema(required, nullable = false, value_type = String, format = Email)]
    email: Option<String>,
    /// A national number such as `0987654321`, or E.164.
    phone: Option<String>,
    /// The `PASSWORD_POLICY` rules (with `checkinn`: 8+ characters with an upper and a lower
    /// case letter, a digit and a special character).
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// When sent, it must repeat `password`.
    #[schema(value_type = Option<String>, format = Password)]
    password_confirm: Option<SecretString>,
    /// One of `SELF_ASSIGNABLE_ROLES` (`Customer`, `HotelPartner` on a CheckInn deployment);
    /// absent: `DEFAULT_ROLE`.
    role: Option<String>,
}

impl RegisterBody {
    /// The registration, once the form checks passed. When they did not, the service's own
    /// checks (`domain_problems`, which changes nothing) of what the form could read are
    /// reported with them, so that every problem comes at once; a field the form already
    /// faulted is reported once, by the form.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing every missing field, a bad `name`, a `passwordConfirm` that
    /// differs and, with any of these, the service's problems of the other fields.
    pub fn into_input(
        self,
        domain_problems: impl FnOnce(&RegisterInput) -> Vec<FieldError>,
    ) -> Result<RegisterInput, ApiError> {
        let mut form = Form::default();
        let name = form.required("name", self.name);
        let name = name.and_then(|n| form.name(&n));
        let email = form.required("email", self.email);
        let password = form.required("password", self.password);
        form.confirmed(password.as_ref(), self.password_confirm.as_ref());
        let (first_name, last_name) =
            name.map_or((None, None), |(first, last)| (Some(first), last));
        let input = RegisterInput {
            email: email.unwrap_or_default(),
            username: None,
            password: password.unwrap_or_else(|| SecretString::from("")),
            first_name,
            last_name,
            phone: self.phone,
            role: self.role,
        };
        if form.0.is_empty() {
            return Ok(input);
        }
        let faulted: Vec<String> = form.0.iter().map(|e| e.field.clone()).collect();
        form.0.extend(
            domain_problems(&input)
                .into_iter()
                .filter(|e| !faulted.iter().any(|f| f == field_name(&e.field))),
        );
        Err(ApiError::Validation(form.0))
    }
}

/// `POST /api/auth/login`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = CheckInnLoginRequest, example = json!({
    "email": "john@example.com", "password": "SecurePass123!"
}))]
pub struct LoginBody {
    #[schema(required, nullable = false, value_type = String, format = Email)]
    email: Option<String>,
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
}

impl LoginBody {
    /// A remembered login: the refresh token gets its long lifetime (`JWT_REFRESH_EXPIRY`); the
    /// cookie carrying it lives `JWT_COOKIE_EXPIRES_IN`, whatever that lifetime.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields.
    pub fn into_input(self) -> Result<LoginInput, ApiError> {
        let mut form = Form::default();
        // Blank is missing here, so that every missing credential is the same field error (the
        // service would call an empty one MISSING_CREDENTIALS, a code this dialect never uses).
        let email = form.required("email", self.email.filter(|e| !e.trim().is_empty()));
        let password = form.required(
            "password",
            self.password.filter(|p| !p.expose_secret().is_empty()),
        );
        form.finish(|| {
            Some(LoginInput {
                email: Some(email?),
                username: None,
                password: Some(password?),
                remember_me: Some(true),
                device_token: None,
            })
        })
    }
}

/// `POST /api/auth/forgot-password`, `POST /api/auth/resend-verification`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = CheckInnEmailRequest, example = json!({"email": "john@example.com"}))]
pub struct EmailBody {
    #[schema(required, nullable = false, value_type = String, format = Email)]
    email: Option<String>,
}

impl EmailBody {
    /// # Errors
    /// `VALIDATION_ERROR` when `email` is missing.
    pub fn into_email(self) -> Result<String, ApiError> {
        let mut form = Form::default();
        let email = form.required("email", self.email);
        form.finish(|| email)
    }
}

/// `PATCH /api/auth/reset-password/{token}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnResetPasswordRequest, example = json!({
    "password": "NewSecurePass123!", "passwordConfirm": "NewSecurePass123!"
}))]
pub struct ResetPasswordBody {
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// Must repeat `password`.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password_confirm: Option<SecretString>,
}

impl ResetPasswordBody {
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields, or a `passwordConfirm` that differs.
    pub fn into_password(self) -> Result<SecretString, ApiError> {
        let mut form = Form::default();
        let password = form.required("password", self.password);
        let confirm = form.required("passwordConfirm", self.password_confirm);
        form.confirmed(password.as_ref(), confirm.as_ref());
        form.finish(|| password)
    }
}

/// `POST /api/auth/verify-email`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = CheckInnVerifyEmailRequest, example = json!({"token": "verification_token_from_email"}))]
pub struct VerifyEmailBody {
    /// Surrounding blanks are ignored.
    #[schema(required, nullable = false, value_type = String)]
    token: Option<SecretString>,
}

impl VerifyEmailBody {
    /// # Errors
    /// `MISSING_TOKEN` (as on `/v1`, its entry on `token`) when it is absent or blank.
    pub fn into_token(self) -> Result<SecretString, ApiError> {
        self.token
            .map(|t| SecretString::from(t.expose_secret().trim()))
            .filter(|t| !t.expose_secret().is_empty())
            .ok_or(ApiError::MissingToken)
    }
}

/// `POST /api/auth/logout`: the document sends the refresh token; the bearer token's session
/// is the one ended, and that token with it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnLogoutRequest, example = json!({"refreshToken": "your_refresh_token_here"}))]
pub struct LogoutBody {
    /// Accepted; the session ended is the bearer token's.
    #[schema(value_type = Option<String>)]
    #[allow(dead_code, reason = "read only to refuse a wrong type")]
    refresh_token: Option<SecretString>,
}

/// `PATCH /api/auth/update-me`: an absent field is left as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = CheckInnUpdateMeRequest, example = json!({
    "name": "Updated Name", "phone": "0987654321",
    "preferences": {
        "language": "en", "currency": "USD",
        "notifications": {"email": true, "sms": false, "push": true}
    }
}))]
pub struct UpdateMeBody {
    /// The whole name, 1-100 characters: its last word is the last name.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    name: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    /// Replaces the stored preferences.
    #[schema(schema_with = crate::dto::schemas::preferences_or_null)]
    preferences: Option<Preferences>,
}

impl UpdateMeBody {
    /// # Errors
    /// `VALIDATION_ERROR` on a `name` that is `null`, blank or too long.
    pub fn into_input(self) -> Result<ProfileInput, ApiError> {
        let mut form = Form::default();
        let names = match self.name {
            None => None,
            Some(None) => form.name(""),
            Some(Some(name)) => form.name(&name),
        };
        let (phone, preferences) = (self.phone, self.preferences);
        form.finish(|| {
            let (first_name, last_name) = match names {
                Some((first, last)) => (Some(Some(first)), Some(last)),
                None => (None, None),
            };
            Some(ProfileInput {
                first_name,
                last_name,
                phone,
                preferences,
            })
        })
    }
}

/// `PATCH /api/auth/update-password`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CheckInnUpdatePasswordRequest, example = json!({
    "passwordCurrent": "CurrentPass123!", "password": "NewSecurePass123!",
    "passwordConfirm": "NewSecurePass123!"
}))]
pub struct UpdatePasswordBody {
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password_current: Option<SecretString>,
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password: Option<SecretString>,
    /// Must repeat `password`.
    #[schema(required, nullable = false, value_type = String, format = Password)]
    password_confirm: Option<SecretString>,
}

impl UpdatePasswordBody {
    /// `(passwordCurrent, password)`.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` listing the missing fields, or a `passwordConfirm` that differs.
    pub fn into_parts(self) -> Result<(SecretString, SecretString), ApiError> {
        let mut form = Form::default();
        let current = form.required("passwordCurrent", self.password_current);
        let password = form.required("password", self.password);
        let confirm = form.required("passwordConfirm", self.password_confirm);
        form.confirmed(password.as_ref(), confirm.as_ref());
        form.finish(|| Some((current?, password?)))
    }
}

/// `DELETE /api/auth/delete-me`: no body, as the document has it (the bearer token alone), or
/// the password, checked as `/v1` checks it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = CheckInnDeleteMeRequest, example = json!({"password": "SecurePass123!"}))]
pub struct DeleteMeBody {
    /// Required with `CHECKINN_DELETE_ME_REQUIRES_PASSWORD=true`.
    #[schema(value_type = Option<String>, format = Password)]
    password: Option<SecretString>,
}

impl DeleteMeBody {
    /// The password to check, if any.
    ///
    /// # Errors
    /// `VALIDATION_ERROR` on `password` when it is `required` and missing.
    pub fn into_password(self, required: bool) -> Result<Option<SecretString>, ApiError> {
        if !required {
            return Ok(self.password);
        }
        let mut form = Form::default();
        let password = form.required("password", self.password);
        form.finish(|| password.map(Some))
    }
}

#[cfg(test)]
mod tests;
