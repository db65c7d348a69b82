//! W3C Trace Context (<https://www.w3.org/TR/trace-context/>): a request's `traceparent` joins
//! the caller's trace, so authd's log lines for it carry the caller's `trace_id`; without one,
//! or with one that does not parse, the request starts a trace of its own. authd is a span of
//! that trace with an id of its own, which it answers in `traceresponse` (Trace Context Level 2)
//! so a caller without tracing can still quote the trace of a request it made.
//!
//! No OpenTelemetry: authd exports no spans, it only keeps the ids in its logs.

use uuid::Uuid;

pub const TRACEPARENT: &str = "traceparent";
pub const TRACERESPONSE: &str = "traceresponse";

/// The trace a request belongs to and authd's span in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceContext {
    /// 32 lowercase hex digits.
    pub trace_id: String,
    /// authd's own span: 16 lowercase hex digits.
    pub span_id: String,
    /// The caller's span, when the request came with a valid `traceparent`.
    pub parent_id: Option<String>,
    /// `sampled` and the other flags, passed on as they came.
    pub flags: u8,
}

impl TraceContext {
    /// The context of a request whose `traceparent` header is `header` (when present and ASCII).
    #[must_use]
    pub fn accept_or_start(header: Option<&str>) -> Self {
        let span_id = random_hex(16);
        match header.and_then(parse) {
            Some(parent) => Self {
                trace_id: parent.trace_id.to_owned(),
                span_id,
                parent_id: Some(parent.parent_id.to_owned()),
                flags: parent.flags,
            },
            None => Self {
                trace_id: random_hex(32),
                span_id,
                parent_id: None,
                flags: 0,
            },
        }
    }

    /// The header value naming authd's span: `00-<trace_id>-<span_id>-<flags>`.
    #[must_use]
    pub fn header(&self) -> String {
        format!("00-{}-{}-{:02x}", self.trace_id, self.span_id, self.flags)
    }
}

struct Parent<'a> {
    trace_id: &'a str,
    parent_id: &'a str,
    flags: u8,
}

/// `version-trace_id-parent_id-flags`. Version 00 is exactly that; a later version may append
/// `-` and fields this parser does not know, as the specification asks (its §3.2.4.1).
fn parse(header: &str) -> Option<Parent<'_>> {
    let header = header.trim();
    let head = header.get(..55)?;
    let mut parts = head.split('-');
    let (version, trace_id, parent_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let valid = is_hex(version, 2)
        && version != "ff"
        && is_hex(trace_id, 32)
        && is_hex(parent_id, 16)
        && is_hex(flags, 2)
        && !is_zero(trace_id)
        && !is_zero(parent_id);
    if !valid {
        return None;
    }
    let rest = &header[55..];
    let known_length = if version == "00" {
        rest.is_empty()
    } else {
        rest.is_empty() || rest.starts_with('-')
    };
    if !known_length {
        return None;
    }
    Some(Parent {
        trace_id,
        parent_id,
        flags: u8::from_str_radix(flags, 16).ok()?,
    })
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn is_zero(s: &str) -> bool {
    s.bytes().all(|b| b == b'0')
}

/// `len` (at most 32) random lowercase hex digits, never all zero.
fn random_hex(len: usize) -> String {
    loop {
        let mut id = Uuid::new_v4().simple().to_string();
        id.truncate(len);
        if !is_zero(&id) {
            return id;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const PARENT: &str = "00f067aa0ba902b7";

    #[test]
    fn a_valid_traceparent_is_joined_with_a_span_of_our_own() {
        let header = format!("00-{TRACE}-{PARENT}-01");
        let context = TraceContext::accept_or_start(Some(&header));
        assert_eq!(context.trace_id, TRACE);
        assert_eq!(context.parent_id.as_deref(), Some(PARENT));
        assert_eq!(context.flags, 1);
        assert!(is_hex(&context.span_id, 16));
        assert_ne!(context.span_id, PARENT);
        assert_eq!(
            context.header(),
            format!("00-{TRACE}-{}-01", context.span_id)
        );
    }

    #[test]
    fn a_later_version_may_carry_more_fields() {
        let header = format!("cc-{TRACE}-{PARENT}-01-what-comes-next");
        assert_eq!(TraceContext::accept_or_start(Some(&header)).trace_id, TRACE);
    }

    #[test]
    fn anything_else_starts_a_new_trace() {
        let bad = [
            String::new(),
            "garbage".to_owned(),
            format!("00-{TRACE}-{PARENT}-01-extra"),
            format!("ff-{TRACE}-{PARENT}-01"),
            format!("00-{}-{PARENT}-01", TRACE.to_uppercase()),
            format!("00-{}-{PARENT}-01", "0".repeat(32)),
            format!("00-{TRACE}-{}-01", "0".repeat(16)),
            format!("00-{TRACE}-{PARENT}-0x"),
            format!("00_{TRACE}_{PARENT}_01"),
            format!("00-{TRACE}-{PARENT}-01").replace('4', "é"),
        ];
        for header in bad {
            let context = TraceContext::accept_or_start(Some(&header));
            assert_ne!(context.trace_id, TRACE, "{header:?}");
            assert!(is_hex(&context.trace_id, 32), "{header:?}");
            assert_eq!(context.parent_id, None, "{header:?}");
            assert_eq!(context.flags, 0);
        }
        assert!(is_hex(&TraceContext::accept_or_start(None).trace_id, 32));
    }
}
