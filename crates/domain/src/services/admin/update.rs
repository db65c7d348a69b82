//! `PUT /v1/admin/users/{id}`: profile, status, roles, verified flag.

use super::{Actor, Admin, AdminError, known_roles, roles_text};
use crate::audit::{AuditEvent, AuditKind};
use crate::authorization::{Permission, RoleName};
use crate::directory::AccountChange;
use crate::error::{FieldError, ValidationErrors};
use crate::ids::UserId;
use crate::ports::AppliedChange;
use crate::services::profile::parse_names_and_phone;
use crate::services::shared::{audit, denial_until, deny_everything_before, next_whole_second};
use crate::user::{AccountStatus, User};
use crate::values::codes;

/// The request as sent; `None` leaves a field alone, `Some(None)` clears a profile field.
/// Validated here, each problem reported on its request field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminUpdate {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    /// `active`, `suspended` or `deleted` (`pending` only on an account still pending).
    pub status: Option<String>,
    pub roles: Option<Vec<String>>,
    pub email_verified: Option<bool>,
}

/// The finer code of a status the account cannot be given.
const INVALID_STATUS_CHANGE: &str = "INVALID_STATUS_CHANGE";

impl Admin {
    /// Applies `update` for `actor`. A role change cuts off the account's earlier access tokens
    /// (its sessions survive; the next refresh carries the new roles); suspension and deletion
    /// revoke every session and cut off every token. Each aspect changed is one audit event
    /// naming the actor.
    ///
    /// Answers the account as stored after the change, with no further read: once the change
    /// is stored, nothing may turn the answer into a failure.
    ///
    /// # Errors
    /// `Validation`; `InsufficientPermissions` when `roles` is given without
    /// `admin.roles.write`, or `status` is given for an account holding a role that grants it
    /// (suspending or reactivating an administrator is as strong as changing roles);
    /// `UserNotFound`; `AccountDeleted`; `LastAdmin`; `Infra`.
    #[tracing::instrument(skip_all)]
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        update: AdminUpdate,
    ) -> Result<User, AdminError> {
        // Refused on the request alone, before anything about the account is read.
        if update.roles.is_some() && !actor.permissions.contains(Permission::AdminRolesWrite) {
            return Err(AdminError::InsufficientPermissions);
        }
        let user = self.find(id).await?;
        if user.status == AccountStatus::Deleted {
            return Err(AdminError::AccountDeleted);
        }
        let guarded = self.guard();
        if update.status.is_some()
            && user.roles.iter().any(|r| guarded.roles.contains(r))
            && !actor.permissions.contains(Permission::AdminRolesWrite)
        {
            return Err(AdminError::InsufficientPermissions);
        }
        let change = self
            .parse_update(update, &user)
            .map_err(AdminError::Validation)?;
        if change.is_empty() {
            return Ok(user);
        }
        let now = self.ports.clock.now();
        let applied = self
            .ports
            .directory
            .apply_change(id, &change, &guarded, now)
            .await?;
        let roles_changed = !same_roles(&applied.before.roles, &applied.after.roles);
        let disabled = applied.before.status != applied.after.status
            && matches!(
                applied.after.status,
                AccountStatus::Suspended | AccountStatus::Deleted
            );
        if roles_changed || disabled || !applied.revoked_sessions.is_empty() {
            // The change is stored (and with a suspension, the sessions revoked): failing now
            // would not undo it, so a denylist outage is logged by the helper instead.
            deny_everything_before(
                &*self.ports.denylist,
                id,
                &applied.revoked_sessions,
                next_whole_second(now),
                denial_until(self.access_ttl, now),
            )
            .await;
        }
        for aspect in aspects(&applied, roles_changed) {
            let event = AuditEvent::new(aspect.kind, now, Some(id), &actor.client)
                .by(actor.id)
                .with_detail(aspect.detail);
            audit(&*self.ports.audit, event).await;
        }
        Ok(applied.after)
    }

    /// Every field checked, every problem reported on its request field name.
    fn parse_update(
        &self,
        update: AdminUpdate,
        user: &User,
    ) -> Result<AccountChange, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let profile = parse_names_and_phone(
            update.first_name,
            update.last_name,
            update.phone,
            &mut errors,
        );
        let status = update.status.as_deref().and_then(|raw| {
            parse_status(raw, user.status)
                .map_err(|e| errors.push(e))
                .ok()
        });
        if status == Some(AccountStatus::Pending) && update.email_verified == Some(true) {
            errors.push(FieldError::new(
                "emailVerified",
                INVALID_STATUS_CHANGE,
                "A verified address makes a pending account active; leave status out",
            ));
        }
        let roles = update.roles.as_deref().and_then(|names| {
            known_roles(&self.roles, "roles", names)
                .map_err(|e| errors.0.extend(e.0))
                .ok()
        });
        errors.into_result()?;
        Ok(AccountChange {
            profile,
            // `pending` is accepted only on a pending account, where it changes nothing; not
            // sending it keeps a verification racing this change from being undone.
            status: status.filter(|s| *s != AccountStatus::Pending),
            roles,
            email_verified: update.email_verified,
        })
    }
}

/// `pending` is no status an administrator gives: it only stays on an account still pending.
fn parse_status(raw: &str, current: AccountStatus) -> Result<AccountStatus, FieldError> {
    match AccountStatus::parse(raw) {
        Some(AccountStatus::Pending) if current != AccountStatus::Pending => Err(FieldError::new(
            "status",
            INVALID_STATUS_CHANGE,
            "Only an account that never verified its address is pending",
        )),
        Some(status) => Ok(status),
        None => Err(FieldError::new(
            "status",
            codes::INVALID_FORMAT,
            "Must be one of active, suspended, deleted",
        )),
    }
}

/// Whether two role lists grant the same roles, whatever their order.
fn same_roles(a: &[RoleName], b: &[RoleName]) -> bool {
    use std::collections::BTreeSet;
    a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
}

/// One audit event to write: its kind and note.
struct Aspect {
    kind: AuditKind,
    detail: String,
}

/// What the change did, one event per aspect: the profile and verified flag, the roles, the
/// status.
fn aspects(applied: &AppliedChange, roles_changed: bool) -> Vec<Aspect> {
    let (before, after) = (&applied.before, &applied.after);
    let mut aspects = Vec::new();
    let updated = [
        (
            "firstName",
            before.profile.first_name != after.profile.first_name,
        ),
        (
            "lastName",
            before.profile.last_name != after.profile.last_name,
        ),
        ("phone", before.profile.phone != after.profile.phone),
        (
            "emailVerified",
            before.email_verified != after.email_verified,
        ),
        (
            "status",
            before.status == AccountStatus::Pending && after.status == AccountStatus::Active,
        ),
    ];
    let fields: Vec<&str> = updated
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(field, _)| *field)
        .collect();
    if !fields.is_empty() {
        aspects.push(Aspect {
            kind: AuditKind::UserUpdated,
            detail: fields.join(","),
        });
    }
    if roles_changed {
        aspects.push(Aspect {
            kind: AuditKind::RolesChanged,
            detail: format!(
                "{} -> {}",
                roles_text(&before.roles),
                roles_text(&after.roles)
            ),
        });
    }
    let revoked = || format!("{} session(s) revoked", applied.revoked_sessions.len());
    match (before.status, after.status) {
        (b, a) if b == a => {}
        (_, AccountStatus::Suspended) => aspects.push(Aspect {
            kind: AuditKind::AccountSuspended,
            detail: revoked(),
        }),
        (_, AccountStatus::Deleted) => aspects.push(Aspect {
            kind: AuditKind::AccountDeleted,
            detail: revoked(),
        }),
        (AccountStatus::Suspended, AccountStatus::Active) => aspects.push(Aspect {
            kind: AuditKind::AccountReactivated,
            detail: "suspended -> active".to_owned(),
        }),
        // Pending to active (by the verified flag or by `status`) is noted with the profile.
        _ => {}
    }
    aspects
}
