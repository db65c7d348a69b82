//! `hotel-service`: `HOST` (127.0.0.1) and `PORT` (8080), authd as `AUTHD_*` says
//! (see `hotel_service::Settings`).

use hotel_service::{Settings, serve};
use std::net::TcpListener;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let settings = Settings::from_vars(|name| std::env::var(name).ok());
    let guard = settings.guard().build().map_err(std::io::Error::other)?;
    // Not fatal: the first request fetches the keys again if authd is not up yet.
    if let Err(e) = guard.refresh_keys().await {
        tracing::warn!(error = %e, authd = %settings.authd_url, "authd's keys not fetched yet");
    }
    let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".to_owned());
    let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
    let listener = TcpListener::bind(format!("{host}:{port}"))?;
    tracing::info!(address = %listener.local_addr()?, "hotel-service listening");
    serve(listener, guard)?.await
}
