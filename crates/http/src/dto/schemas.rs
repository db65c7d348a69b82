//! Schemas of values whose Rust type says less than the JSON does (a fixed set of strings, a
//! domain type that knows nothing of OpenAPI), for the `#[schema(schema_with = ..)]` of the DTOs.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};

fn strings(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
}

/// `status` of an account.
pub fn account_status() -> Schema {
    strings(&["pending", "active", "suspended", "deleted"]).into()
}

/// `tokenType`.
pub fn bearer() -> Schema {
    strings(&["Bearer"]).into()
}

/// `success` of a success envelope.
pub fn always_true() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .into()
}

/// `roles`.
/// Role names are configuration (`ROLE_PERMISSIONS`); the defaults are `user`, `moderator`, `admin`.
pub fn roles() -> Schema {
    ArrayBuilder::new()
        .items(RefOr::T(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(
                    "A role configured in ROLE_PERMISSIONS (by default user, moderator or admin)",
                ))
                .into(),
        ))
        .into()
}

/// The permissions the caller's roles grant.
pub fn permissions() -> Schema {
    let names: Vec<&str> = authd_domain::authorization::Permission::ALL
        .iter()
        .map(|p| p.as_str())
        .collect();
    ArrayBuilder::new()
        .items(RefOr::T(strings(&names).into()))
        .into()
}

fn preferences_object() -> ObjectBuilder {
    // A field sent as `null` is read as left out: every field is optional, in requests and
    // answers alike (an answer leaves unset ones out).
    let or_null = |kind: Type| SchemaType::from_iter([kind, Type::Null]);
    let optional_bool = move || ObjectBuilder::new().schema_type(or_null(Type::Boolean));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Profile preferences (the CheckInn document's shape); every field is optional.",
        ))
        .property(
            "language",
            ObjectBuilder::new()
                .schema_type(or_null(Type::String))
                .description(Some("A BCP 47-like tag of 2-35 letters, digits or `-`")),
        )
        .property(
            "currency",
            ObjectBuilder::new()
                .schema_type(or_null(Type::String))
                .description(Some("Three ASCII letters (ISO 4217)")),
        )
        .property(
            "notifications",
            ObjectBuilder::new()
                .schema_type(or_null(Type::Object))
                .property("email", optional_bool())
                .property("sms", optional_bool())
                .property("push", optional_bool()),
        )
}

/// `preferences` of a profile.
pub fn preferences() -> Schema {
    preferences_object().into()
}

/// `preferences` of a profile update: `null` leaves them as they are.
pub fn preferences_or_null() -> Schema {
    preferences_object()
        .schema_type(SchemaType::from_iter([Type::Object, Type::Null]))
        .into()
}

/// `type` of an audit event.
pub fn audit_kind() -> Schema {
    let names: Vec<&str> = authd_domain::audit::AuditKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    strings(&names).into()
}
