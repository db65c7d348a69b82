//! Roles and the permissions they grant. The mapping is configuration; the defaults follow the
//! Perfect21 document (a plain user may read their own account).

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Moderator,
    Admin,
}

impl Role {
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Moderator => "moderator",
            Self::Admin => "admin",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "user" => Some(Self::User),
            "moderator" => Some(Self::Moderator),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// Which permissions each role grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolePermissions {
    pub user: Vec<String>,
    pub moderator: Vec<String>,
    pub admin: Vec<String>,
}

impl Default for RolePermissions {
    fn default() -> Self {
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect();
        Self {
            user: owned(&["users.read"]),
            moderator: owned(&["users.read", "users.write", "audit.read"]),
            admin: owned(&["users.read", "users.write", "users.admin", "audit.read"]),
        }
    }
}

impl RolePermissions {
    /// The union of the permissions of `roles`, sorted and without duplicates.
    #[must_use]
    pub fn for_roles(&self, roles: &[Role]) -> Vec<String> {
        let mut set = BTreeSet::new();
        for role in roles {
            let granted = match role {
                Role::User => &self.user,
                Role::Moderator => &self.moderator,
                Role::Admin => &self.admin,
            };
            set.extend(granted.iter().cloned());
        }
        set.into_iter().collect()
    }
}
