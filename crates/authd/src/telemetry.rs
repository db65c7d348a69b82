//! Logging: `tracing` to stdout, human-readable or JSON (`LOG_FORMAT`), filtered by `RUST_LOG`
//! when set and by `LOG_LEVEL` otherwise. A JSON line carries the fields of its spans at the top
//! level (`request_id`, `trace_id`, `user_id` ...), next to the event's own, so a log pipeline
//! can index them without digging into nested objects.

use crate::config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Installs the global subscriber. A second call (tests starting several apps) is a no-op.
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    match config.format {
        LogFormat::Pretty => {
            let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
        }
        LogFormat::Json => {
            // Spans closer to the event win a name they share (the request's `user_id` and a
            // service's), so each key appears once.
            let json = json_subscriber::layer()
                .with_current_span(false)
                .flatten_event(true)
                .flatten_span_list_on_top_level(true);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(json)
                .try_init();
        }
    }
}
