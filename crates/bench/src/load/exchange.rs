//! One timed request through goose: from just before goose sends it until its whole body is
//! read, classified as an [`Outcome`] and recorded.

use crate::recorder::{Outcome, Recorder};
use goose::prelude::*;
use std::time::Instant;

/// Sends `request`, records it, and returns the body of a 2xx answer when `keep_body`.
pub async fn exchange(
    user: &mut GooseUser,
    recorder: &Recorder,
    request: GooseRequest<'_>,
    keep_body: bool,
) -> Result<Option<Vec<u8>>, Box<TransactionError>> {
    let sent = Instant::now();
    let answer = user.request(request).await?;
    let read = match answer.response {
        Ok(response) => {
            let status = response.status().as_u16();
            response.bytes().await.map(|body| (status, body))
        }
        Err(e) => Err(e),
    };
    let elapsed = sent.elapsed();
    let (outcome, body) = match read {
        Err(e) if e.is_timeout() => (Outcome::Timeout, None),
        Err(_) => (Outcome::Transport, None),
        Ok((status, body)) if (200..300).contains(&status) => {
            (Outcome::ok(status), keep_body.then(|| body.to_vec()))
        }
        Ok((status, body)) => {
            let code = error_code(&body);
            (Outcome::Answered { status, code }, None)
        }
    };
    recorder.record(sent, elapsed, outcome);
    Ok(body)
}

/// `error.code` of an error envelope.
fn error_code(body: &[u8]) -> Option<String> {
    let envelope: serde_json::Value = serde_json::from_slice(body).ok()?;
    envelope["error"]["code"].as_str().map(str::to_owned)
}
