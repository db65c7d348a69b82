//! Value objects: a value that exists is valid. Constructors return `Result`.

mod email;
mod mobile;
mod password;
mod profile;
mod username;
mod username_skeleton;

pub use email::{Email, EmailDomains};
pub use mobile::MobileNumber;
pub use password::{NewPassword, Password, PasswordHash};
pub use profile::{NotificationPreferences, PersonName, Phone, Preferences};
pub use username::Username;
pub use username_skeleton::UsernameSkeleton;

use crate::error::FieldError;

/// Codes used in `details[].code`, shared by every value object.
pub mod codes {
    pub const REQUIRED: &str = "REQUIRED_FIELD_MISSING";
    pub const INVALID_EMAIL: &str = "INVALID_EMAIL_FORMAT";
    pub const INVALID_USERNAME: &str = "INVALID_USERNAME_FORMAT";
    pub const INVALID_PASSWORD: &str = "INVALID_PASSWORD_STRENGTH";
    pub const TOO_LONG: &str = "FIELD_TOO_LONG";
    pub const TOO_SHORT: &str = "FIELD_TOO_SHORT";
    pub const INVALID_FORMAT: &str = "INVALID_FORMAT";
}

/// Length in characters (not bytes): the documents' limits are about what a person typed.
pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

pub(crate) fn too_long(field: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        codes::TOO_LONG,
        format!("Must be at most {max} characters"),
    )
}
