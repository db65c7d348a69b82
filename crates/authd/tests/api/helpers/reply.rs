//! A response as a user sees it (status, headers, JSON body, cookies) and the assertions every
//! test makes on it.

use reqwest::header::HeaderMap;
use serde_json::Value;

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body as JSON, or `Value::Null` when it is not JSON (see `text`).
    pub body: Value,
    pub text: String,
}

/// One `Set-Cookie` header.
#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    /// Attribute names lower-cased, with their values (`None` for flags like `HttpOnly`).
    pub attributes: Vec<(String, Option<String>)>,
}

impl SetCookie {
    fn parse(header: &str) -> Option<Self> {
        let mut parts = header.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let attributes = parts
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.trim().to_lowercase(), Some(v.trim().to_owned())),
                None => (a.trim().to_lowercase(), None),
            })
            .collect();
        Some(Self {
            name: name.trim().to_owned(),
            value: value.trim().to_owned(),
            attributes,
        })
    }

    pub fn has(&self, attribute: &str) -> bool {
        self.attributes.iter().any(|(k, _)| k == attribute)
    }

    pub fn attribute(&self, attribute: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == attribute)
            .and_then(|(_, v)| v.as_deref())
    }

    /// A cookie the browser must forget: empty, `Max-Age=0`, or expired in the past.
    pub fn is_removal(&self) -> bool {
        let max_age_zero = self
            .attribute("max-age")
            .is_some_and(|v| v.parse::<i64>().is_ok_and(|n| n <= 0));
        let expired = self
            .attribute("expires")
            .is_some_and(|v| v.contains("1970"));
        max_age_zero || expired
    }
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn cookie(&self, name: &str) -> Option<SetCookie> {
        self.headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(SetCookie::parse)
            .find(|c| c.name == name)
    }

    /// `data` of a success envelope with the given status.
    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "status of {self:#?}");
        assert_eq!(self.body["success"], true, "success flag of {self:#?}");
        &self.body["data"]
    }

    /// A success envelope with status 200 that may carry only a `message` and no `data`.
    pub fn ok_or_message(&self) {
        assert_eq!(self.status, 200, "status of {self:#?}");
        assert_eq!(self.body["success"], true, "success flag of {self:#?}");
        assert!(!self.message().is_empty(), "a message: {self:#?}");
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }

    /// The error object of an error envelope, after checking the whole envelope: status,
    /// JSON content type, `success: false`, `error.code` and `message`, a `timestamp`, and a
    /// `requestId` equal to the `X-Request-Id` header.
    pub fn error(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status, status, "status of {self:#?}");
        assert!(!self.body.is_null(), "a JSON body, got {:?}", self.text);
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "error body is JSON, got content-type {content_type:?}: {self:#?}"
        );
        assert_eq!(self.body["success"], false, "success flag of {self:#?}");
        assert_eq!(self.body["error"]["code"], code, "error code of {self:#?}");
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "error message of {self:#?}"
        );
        assert!(
            self.body["timestamp"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "timestamp of {self:#?}"
        );
        let request_id = self.header("x-request-id").expect("X-Request-Id header");
        assert_eq!(self.body["requestId"], request_id, "requestId of {self:#?}");
        &self.body["error"]
    }

    /// The `details` of a 400 `VALIDATION_ERROR`, as (field, code) pairs.
    pub fn validation_details(&self) -> Vec<(String, String)> {
        let error = self.error(400, "VALIDATION_ERROR");
        let details = error["details"]
            .as_array()
            .unwrap_or_else(|| panic!("VALIDATION_ERROR lists details: {self:#?}"));
        details
            .iter()
            .map(|d| {
                assert!(d["message"].is_string(), "every detail has a message: {d}");
                (
                    d["field"].as_str().unwrap_or_default().to_owned(),
                    d["code"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }
}
