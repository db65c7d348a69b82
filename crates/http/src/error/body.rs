//! The serialized shape of the error envelope.

use crate::dto::rfc3339;
use crate::middleware::request_id;
use authd_domain::error::FieldError;
use serde::Serialize;
use serde::ser::SerializeStruct;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorEnvelope<'a> {
    success: bool,
    error: ErrorBody<'a>,
    timestamp: String,
    request_id: &'a str,
}

impl<'a> ErrorEnvelope<'a> {
    pub(super) fn new(error: ErrorBody<'a>, request_id: &'a str) -> Self {
        Self {
            success: false,
            error,
            timestamp: rfc3339(&request_id::now()),
            request_id,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ErrorBody<'a> {
    pub(super) code: &'static str,
    pub(super) message: String,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "details")]
    pub(super) details: Option<&'a [FieldError]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) retry_after: Option<i64>,
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
