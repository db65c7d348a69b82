//! The user account.

use crate::Timestamp;
use crate::authorization::RoleName;
use crate::ids::UserId;
use crate::policy::lockout::LockoutState;
use crate::values::{Email, PasswordHash, PersonName, Phone, Preferences, Username};

/// Where an account is in its life. `Deleted` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountStatus {
    /// Registered, email not yet verified.
    Pending,
    Active,
    /// Blocked by an administrator.
    Suspended,
    /// Deactivated by its owner or deleted by an administrator; irreversible.
    Deleted,
}

impl AccountStatus {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Deleted => "deleted",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "active" => Some(Self::Active),
            "suspended" => Some(Self::Suspended),
            "deleted" => Some(Self::Deleted),
            _ => None,
        }
    }
}

/// The editable part of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub phone: Option<Phone>,
    pub preferences: crate::values::Preferences,
}

/// A change to a profile: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub first_name: Option<Option<PersonName>>,
    pub last_name: Option<Option<PersonName>>,
    pub phone: Option<Option<Phone>>,
    pub preferences: Option<Preferences>,
}

impl ProfileChanges {
    /// Applies the changes to `profile`.
    pub fn apply_to(&self, profile: &mut Profile) {
        if let Some(v) = &self.first_name {
            profile.first_name.clone_from(v);
        }
        if let Some(v) = &self.last_name {
            profile.last_name.clone_from(v);
        }
        if let Some(v) = &self.phone {
            profile.phone.clone_from(v);
        }
        if let Some(v) = &self.preferences {
            profile.preferences = v.clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub username: Username,
    pub password_hash: PasswordHash,
    pub profile: Profile,
    pub status: AccountStatus,
    pub email_verified: bool,
    pub phone_verified: bool,
    pub roles: Vec<RoleName>,
    pub lockout: LockoutState,
    /// Whether the account has a confirmed second factor, so a login asks for it. Read with the
    /// account so that a login without MFA costs no extra round trip.
    pub mfa_enabled: bool,
    /// The latest successful login.
    pub last_login: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}
