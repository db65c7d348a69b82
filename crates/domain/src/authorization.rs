//! Roles and the permissions they grant. Roles are names from configuration (`ROLE_PERMISSIONS`);
//! permissions are the fixed set the routes ask for. A route asks for one [`Permission`]; an
//! account holds the union of what its roles grant, computed by the [`RoleCatalog`].

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use thiserror::Error;

/// What a route may ask of its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Permission {
    /// Read and manage one's own account (`/v1/users/me`, sessions, MFA).
    UsersRead,
    /// List and read any account.
    AdminUsersRead,
    /// Change any account's profile and status, unlock it, send it a reset mail.
    AdminUsersWrite,
    /// Change any account's roles. Holding it makes an account a full admin (`LAST_ADMIN`).
    AdminRolesWrite,
    /// Revoke any account's sessions.
    AdminSessionsWrite,
    /// Read the audit trail of every account.
    AuditRead,
}

impl Permission {
    pub const ALL: [Self; 6] = [
        Self::UsersRead,
        Self::AdminUsersRead,
        Self::AdminUsersWrite,
        Self::AdminRolesWrite,
        Self::AdminSessionsWrite,
        Self::AuditRead,
    ];

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::UsersRead => "users.read",
            Self::AdminUsersRead => "admin.users.read",
            Self::AdminUsersWrite => "admin.users.write",
            Self::AdminRolesWrite => "admin.roles.write",
            Self::AdminSessionsWrite => "admin.sessions.write",
            Self::AuditRead => "audit.read",
        }
    }

    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    const fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of permissions: a bit per [`Permission`], so checking one costs nothing and copying
/// the set allocates nothing. Written (in tokens and answers) as the sorted list of names.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Permissions(u8);

impl Permissions {
    #[must_use]
    pub const fn none() -> Self {
        Self(0)
    }

    /// What `*` grants.
    #[must_use]
    pub const fn all() -> Self {
        Self((1 << Permission::ALL.len()) - 1)
    }

    #[must_use]
    pub const fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    #[must_use]
    pub const fn with(self, p: Permission) -> Self {
        Self(self.0 | p.bit())
    }

    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether any permission beyond `users.read` is in the set: one that reaches other
    /// people's accounts or the audit trail.
    #[must_use]
    pub const fn reaches_others(self) -> bool {
        self.0 & !Permission::UsersRead.bit() != 0
    }

    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The permissions in the set, in [`Permission::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Permission> for Permissions {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Self::none(), Self::with)
    }
}

impl fmt::Debug for Permissions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.iter().map(Permission::as_str))
            .finish()
    }
}

impl Serialize for Permissions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Permission::as_str))
    }
}

/// Reads the list of names back; an unknown name fails (a token of ours never holds one).
impl<'de> Deserialize<'de> for Permissions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = Permissions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of permission names")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Permissions, A::Error> {
                let mut set = Permissions::none();
                while let Some(name) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    let p = Permission::parse(&name).ok_or_else(|| {
                        de::Error::invalid_value(de::Unexpected::Str(&name), &self)
                    })?;
                    set = set.with(p);
                }
                Ok(set)
            }
        }
        d.deserialize_seq(Names)
    }
}

/// The name of a role, as configured: 1-64 characters, a letter first, then letters, digits,
/// `_`, `-`, `.` or `:`. Compared exactly (`Admin` and `admin` are two roles), as the CheckInn
/// document spells its roles `Customer`, `HotelPartner`, `Admin`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleName(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not a role name (1-64 characters: a letter, then letters, digits, `_`, `-`, `.`, `:`)"
)]
pub struct InvalidRoleName(pub String);

impl RoleName {
    pub const MAX_LEN: usize = 64;

    /// # Errors
    /// [`InvalidRoleName`] when `s` breaks the rule above.
    pub fn parse(s: &str) -> Result<Self, InvalidRoleName> {
        let mut chars = s.chars();
        let valid = s.len() <= Self::MAX_LEN
            && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
        if valid {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRoleName(s.chars().take(Self::MAX_LEN + 1).collect()))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for RoleName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for RoleName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse(&s).map_err(de::Error::custom)
    }
}

/// Why the role configuration cannot be used. Each reads as one line naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CatalogError {
    #[error("ROLE_PERMISSIONS: `{0}` is not `role=permission,permission`")]
    Malformed(String),
    #[error("ROLE_PERMISSIONS: {0}")]
    InvalidRole(InvalidRoleName),
    #[error("ROLE_PERMISSIONS: role `{0}` is listed twice")]
    DuplicateRole(RoleName),
    #[error(
        "ROLE_PERMISSIONS: unknown permission `{permission}` for role `{role}` (known: users.read, admin.users.read, admin.users.write, admin.roles.write, admin.sessions.write, audit.read, *)"
    )]
    UnknownPermission { role: RoleName, permission: String },
    #[error("ROLE_PERMISSIONS: no role is defined")]
    Empty,
    #[error("{variable}: {source}")]
    InvalidName {
        variable: &'static str,
        source: InvalidRoleName,
    },
    #[error("{variable}: role `{role}` is not defined in ROLE_PERMISSIONS")]
    Undefined {
        variable: &'static str,
        role: RoleName,
    },
    /// A role anyone can take at registration must not reach other accounts.
    #[error(
        "{variable}: role `{role}` grants more than users.read, so registrations must not be given it"
    )]
    TooPowerful {
        variable: &'static str,
        role: RoleName,
    },
}

impl CatalogError {
    /// The variable the problem is in.
    #[must_use]
    pub const fn variable(&self) -> &'static str {
        match self {
            Self::InvalidName { variable, .. }
            | Self::Undefined { variable, .. }
            | Self::TooPowerful { variable, .. } => variable,
            Self::Malformed(_)
            | Self::InvalidRole(_)
            | Self::DuplicateRole(_)
            | Self::UnknownPermission { .. }
            | Self::Empty => "ROLE_PERMISSIONS",
        }
    }
}

/// The configured roles: what each grants, which one registrations get, and which ones a
/// registration may ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCatalog {
    roles: BTreeMap<RoleName, Permissions>,
    default_role: RoleName,
    self_assignable: Vec<RoleName>,
}

impl RoleCatalog {
    /// API.md's default mapping.
    pub const DEFAULT_ROLE_PERMISSIONS: &'static str =
        "user=users.read;moderator=users.read,admin.users.read,audit.read;admin=*";
    pub const DEFAULT_ROLE: &'static str = "user";

    /// Reads `ROLE_PERMISSIONS` (`role=perm,perm;role=...`, `*` for all), `DEFAULT_ROLE` and
    /// `SELF_ASSIGNABLE_ROLES` (comma-separated; `None`: the default role only).
    ///
    /// # Errors
    /// The first problem found, as one line naming its variable.
    pub fn parse(
        role_permissions: &str,
        default_role: &str,
        self_assignable: Option<&str>,
    ) -> Result<Self, CatalogError> {
        let mut roles = BTreeMap::new();
        for entry in role_permissions.split(';').map(str::trim) {
            if entry.is_empty() {
                continue;
            }
            let (name, granted) = entry
                .split_once('=')
                .ok_or_else(|| CatalogError::Malformed(entry.to_owned()))?;
            let role = RoleName::parse(name.trim()).map_err(CatalogError::InvalidRole)?;
            let mut set = Permissions::none();
            for p in granted.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                set = set.union(match p {
                    "*" => Permissions::all(),
                    p => Permissions::none().with(Permission::parse(p).ok_or_else(|| {
                        CatalogError::UnknownPermission {
                            role: role.clone(),
                            permission: p.to_owned(),
                        }
                    })?),
                });
            }
            if roles.insert(role.clone(), set).is_some() {
                return Err(CatalogError::DuplicateRole(role));
            }
        }
        if roles.is_empty() {
            return Err(CatalogError::Empty);
        }
        let defined = |variable: &'static str, name: &str| {
            let role = RoleName::parse(name.trim())
                .map_err(|source| CatalogError::InvalidName { variable, source })?;
            match roles.get(&role) {
                None => Err(CatalogError::Undefined { variable, role }),
                Some(p) if p.reaches_others() => Err(CatalogError::TooPowerful { variable, role }),
                Some(_) => Ok(role),
            }
        };
        let default_role = defined("DEFAULT_ROLE", default_role)?;
        let self_assignable = match self_assignable {
            None => vec![default_role.clone()],
            Some(list) => list
                .split(',')
                .filter(|r| !r.trim().is_empty())
                .map(|r| defined("SELF_ASSIGNABLE_ROLES", r))
                .collect::<Result<_, _>>()?,
        };
        Ok(Self {
            roles,
            default_role,
            self_assignable,
        })
    }

    /// The union of what `roles` grant. A role no longer configured grants nothing.
    #[must_use]
    pub fn permissions_of(&self, roles: &[RoleName]) -> Permissions {
        roles
            .iter()
            .filter_map(|r| self.roles.get(r))
            .fold(Permissions::none(), |acc, p| acc.union(*p))
    }

    #[must_use]
    pub fn is_defined(&self, role: &RoleName) -> bool {
        self.roles.contains_key(role)
    }

    /// The roles that grant `permission` (for `LAST_ADMIN`: the holders of
    /// `admin.roles.write`).
    #[must_use]
    pub fn roles_granting(&self, permission: Permission) -> Vec<RoleName> {
        self.roles
            .iter()
            .filter(|(_, p)| p.contains(permission))
            .map(|(r, _)| r.clone())
            .collect()
    }

    #[must_use]
    pub fn default_role(&self) -> &RoleName {
        &self.default_role
    }

    #[must_use]
    pub fn self_assignable(&self) -> &[RoleName] {
        &self.self_assignable
    }

    #[must_use]
    pub fn is_self_assignable(&self, role: &RoleName) -> bool {
        self.self_assignable.contains(role)
    }

    /// Every configured role with what it grants, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&RoleName, Permissions)> {
        self.roles.iter().map(|(r, p)| (r, *p))
    }
}

impl Default for RoleCatalog {
    fn default() -> Self {
        match Self::parse(Self::DEFAULT_ROLE_PERMISSIONS, Self::DEFAULT_ROLE, None) {
            Ok(catalog) => catalog,
            // The constants above are valid; a test holds them so.
            Err(e) => unreachable!("default role catalog: {e}"),
        }
    }
}

#[cfg(test)]
mod tests;
