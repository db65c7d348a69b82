//! The serialized shape of the error envelope.

use crate::dto::rfc3339;
use crate::middleware::request_id;
use authd_domain::error::FieldError;
use serde::Serialize;
use serde::ser::SerializeStruct;
use utoipa::ToSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, Type};

/// `{"success": false, "error", "timestamp", "requestId"}`: every error this API answers.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "success": false,
    "error": {
        "code": "VALIDATION_ERROR", "message": "Request validation failed",
        "details": [{"field": "password", "message": "Password must be at least 12 characters",
            "code": "INVALID_PASSWORD_STRENGTH"}]
    },
    "timestamp": "2023-12-01T10:30:00Z",
    "requestId": "6d0f0a52-3c1e-4b8e-9a63-2f5f0c4d7e11"
}))]
pub struct ErrorEnvelope<'a> {
    #[schema(schema_with = always_false)]
    success: bool,
    error: ErrorBody<'a>,
    /// What the client needs to go on, on `MFA_REQUIRED` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    data: Option<ErrorData<'a>>,
    #[schema(format = DateTime)]
    timestamp: String,
    /// The `X-Request-Id` of the answer.
    #[schema(value_type = String)]
    request_id: &'a str,
}

impl<'a> ErrorEnvelope<'a> {
    pub(super) fn new(
        error: ErrorBody<'a>,
        data: Option<ErrorData<'a>>,
        request_id: &'a str,
    ) -> Self {
        Self {
            success: false,
            error,
            data,
            timestamp: rfc3339(&request_id::now()),
            request_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody<'a> {
    /// What went wrong, for programs: each response of the document lists the codes it can carry.
    #[schema(value_type = String)]
    pub(super) code: &'static str,
    /// What went wrong, for people. Never carries a cause.
    pub(super) message: String,
    /// Every rejected field, on `VALIDATION_ERROR`.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "details")]
    #[schema(schema_with = details_schema)]
    pub(super) details: Option<&'a [FieldError]>,
    /// Seconds to wait, as the `Retry-After` header: on 423, 429 and 503 `SERVICE_BUSY`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    pub(super) retry_after: Option<i64>,
}

/// `data` of an `MFA_REQUIRED` answer: the challenge to answer at `POST /v1/auth/mfa/verify`.
/// Its `Debug` shows no token.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"mfaToken": "Yk3Jx0...", "methods": ["totp", "backup_code"]}))]
pub struct ErrorData<'a> {
    /// Single use, 5 minutes, dead after 5 wrong codes.
    #[schema(value_type = String)]
    mfa_token: &'a str,
    /// The ways the second factor may be given.
    #[schema(value_type = Vec<String>)]
    methods: Vec<&'static str>,
}

impl<'a> ErrorData<'a> {
    pub(super) fn mfa_required(mfa_token: &'a str, methods: Vec<&'static str>) -> Self {
        Self { mfa_token, methods }
    }
}

pub(crate) fn always_false() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([false]))
        .into()
}

fn details_schema() -> Schema {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    let detail = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property("field", text().description(Some("The JSON path of the field (`body` for the whole body)")))
        .property("message", text())
        .property("code", text().description(Some("A finer code: `REQUIRED_FIELD_MISSING`, `INVALID_EMAIL_FORMAT`, `FIELD_TOO_LONG`, ...")))
        .required("field")
        .required("message")
        .required("code");
    ArrayBuilder::new().items(detail).into()
}

struct Detail<'a>(&'a FieldError);

impl Serialize for Detail<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Detail", 3)?;
        st.serialize_field("field", &self.0.field)?;
        st.serialize_field("message", &self.0.message)?;
        st.serialize_field("code", self.0.code)?;
        st.end()
    }
}

fn details<S: serde::Serializer>(v: &Option<&[FieldError]>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(fields) => s.collect_seq(fields.iter().map(Detail)),
        None => s.serialize_none(),
    }
}
