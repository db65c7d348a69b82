//! Answers from authd read with a size limit: a JWKS or an introspection answer is a few KiB,
//! and a misbehaving server must not make the guard buffer gigabytes.

/// Far above any JWKS or introspection answer authd writes.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body of `response`, or why it was not read (too large, or the connection failed).
pub(crate) async fn read_limited(mut response: reqwest13::Response) -> Result<Vec<u8>, String> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
    {
        return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| e.without_url().to_string())?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("body larger than {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
