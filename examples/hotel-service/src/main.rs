//! `hotel-service`: `HOST` (127.0.0.1) and `PORT` (8080), authd as `AUTHD_*` says
//! (see `hotel_service::Settings`).

use hotel_service::{Settings, serve};
use std::net::TcpListener;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let settings =
        Settings::from_vars(|name| std::env::var(name).ok()).map_err(std::io::Error::other)?;
    let guard = settings.guard().build().map_err(std::io::Error::other)?;
    // Not fatal: until a fetch succeeds, requests answer 503 and the guard tries again after
    // 1 s, 2 s, 4 s... (up to 30 s), so the service recovers soon after authd comes up.
    if let Err(e) = guard.refresh_keys().await {
        tracing::warn!(error = %e, authd = %settings.authd_url, "authd's keys not fetched yet");
    }
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    let listener = TcpListener::bind(format!("{host}:{port}"))?;
    tracing::info!(address = %listener.local_addr()?, "hotel-service listening");
    serve(listener, guard)?.await
}
