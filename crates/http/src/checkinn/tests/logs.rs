//! What the request log says of a reset link: its token, in the path, never appears.

use super::{NEW_PASSWORD, app, send};
use actix_web::http::Method;
use serde_json::json;
use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

/// Every line the subscriber writes, kept.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self {
        self.clone()
    }
}

/// Everything logged by this test binary, at every level, span fields included. A global
/// subscriber, not a scoped one: with tests running on other threads, a scoped subscriber can
/// miss a callsite whose interest another thread is caching at that moment.
fn captured() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::FULL)
            .with_ansi(false)
            .with_writer(captured.clone())
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
        captured
    })
}

/// The log, once the requests of `paths` are answered.
async fn log_of(paths: &[&str]) -> String {
    let captured = captured();
    let app = app!();
    for path in paths {
        let body = json!({"password": NEW_PASSWORD, "passwordConfirm": NEW_PASSWORD});
        send(&app, Method::PATCH, path, body, None).await;
    }
    captured.text()
}

#[actix_web::test]
async fn the_reset_token_in_the_path_never_reaches_the_log() {
    let token = "Zq8sEcReTrEsEtToKeN0123456789";
    let log = log_of(&[
        &format!("/api/auth/reset-password/{token}"),
        // Routes that do not exist: a mistyped base URL, a trailing segment.
        &format!("//api/auth/reset-password/{token}"),
        &format!("/api/auth/reset-password/{token}/again"),
    ])
    .await;
    assert!(
        log.contains("request completed"),
        "nothing captured:\n{log}"
    );
    assert!(
        log.contains("path=/api/auth/reset-password/[redacted]"),
        "{log}"
    );
    assert!(!log.contains(token), "the token is in the log:\n{log}");
    assert!(
        !log.contains("Zq8s"),
        "part of the token is in the log:\n{log}"
    );
}
