//! The production setup: PostgreSQL (a fresh database), Redis (the test process's server under a
//! key prefix of the test's own, or a server of the test's own) and a real SMTP server (aiosmtpd),
//! all throw-away processes from `authd-testkit`. Only the tests that are about these services
//! use it; the rest of the suite runs over memory and PostgreSQL.

use super::{Running, TestApp, new_mail_dir, spawn_in_process, test_vars};
use authd_testkit::redis::RedisServer;
use authd_testkit::smtp::SmtpServer;
use std::collections::BTreeMap;
use std::ops::Deref;
use std::sync::Arc;

/// The SMTP server an app delivers to: the test process's shared one, or a test's own (which it
/// may stop and start).
#[derive(Clone)]
pub enum Smtp {
    Shared(&'static SmtpServer),
    Own(Arc<SmtpServer>),
}

impl Deref for Smtp {
    type Target = SmtpServer;

    fn deref(&self) -> &SmtpServer {
        match self {
            Self::Shared(server) => server,
            Self::Own(server) => server,
        }
    }
}

/// Where the production setup's services are, for one test.
#[derive(Clone)]
pub struct Production {
    pub database_url: String,
    pub redis_url: String,
    /// `REDIS_KEY_PREFIX`: unique per test, so that tests sharing a Redis never share a counter.
    pub redis_prefix: String,
    pub smtp: Smtp,
}

impl Production {
    /// A fresh database, the shared Redis under a new prefix, the shared SMTP server.
    pub async fn shared() -> Self {
        // Starting it blocks (and installs Redis on a fresh machine).
        let redis = tokio::task::spawn_blocking(authd_testkit::redis::server)
            .await
            .expect("start the shared Redis server");
        Self {
            database_url: super::fresh_database().await,
            redis_url: redis.url(),
            redis_prefix: RedisServer::unique_prefix(),
            smtp: Smtp::Shared(authd_testkit::smtp::server().await),
        }
    }

    /// The same, with an SMTP server of the test's own.
    pub fn with_smtp(mut self, smtp: SmtpServer) -> Self {
        self.smtp = Smtp::Own(Arc::new(smtp));
        self
    }

    /// The same, with the Redis server at `url`.
    pub fn with_redis(mut self, url: String) -> Self {
        self.redis_url = url;
        self
    }

    /// The variables that point authd at these services, with the limits of production on.
    pub fn vars(&self) -> Vec<(&str, String)> {
        vec![
            ("DATABASE_URL", self.database_url.clone()),
            ("REDIS_URL", self.redis_url.clone()),
            ("REDIS_KEY_PREFIX", self.redis_prefix.clone()),
            // The longest allowed: two cores shared by a whole test suite can be slow.
            ("REDIS_TIMEOUT", "800ms".to_owned()),
            ("SMTP_HOST", self.smtp.host().to_owned()),
            ("SMTP_PORT", self.smtp.port().to_string()),
            ("SMTP_SECURITY", "none".to_owned()),
            ("SMTP_TIMEOUT", "2s".to_owned()),
            // Retries after an SMTP outage come within seconds, not minutes.
            ("OUTBOX_RETRY_DELAY", "1s".to_owned()),
            ("OUTBOX_RETRY_MAX_DELAY", "2s".to_owned()),
            ("RATE_LIMIT_ENABLED", "true".to_owned()),
            ("MFA_ENCRYPTION_KEY", super::MFA_ENCRYPTION_KEY.to_owned()),
        ]
    }

    /// The full configuration of an app on these services: test defaults, these services, then
    /// `overrides`.
    pub(super) fn config(&self, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
        let services = self.vars();
        let mut all: Vec<(&str, &str)> = services.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(overrides);
        test_vars(&new_mail_dir(), &all)
    }

    /// An app in this test process on these services.
    pub async fn spawn(&self, overrides: &[(&str, &str)]) -> TestApp {
        let services = self.vars();
        let mut all: Vec<(&str, &str)> = services.iter().map(|(k, v)| (*k, v.as_str())).collect();
        all.extend_from_slice(overrides);
        spawn_in_process(&all, Some(self.smtp.clone())).await
    }

    /// An `authd` process of its own on these services; killed when the app is dropped.
    pub async fn spawn_process(&self, overrides: &[(&str, &str)]) -> TestApp {
        let vars = self.config(overrides);
        let mail_dir = vars
            .get("MAIL_DIR")
            .map(std::path::PathBuf::from)
            .expect("the test configuration names a mail directory");
        let child = super::process::Child::spawn(vars).await;
        TestApp::new(
            child.port(),
            mail_dir,
            Some(self.smtp.clone()),
            Running::Child(child),
        )
    }
}

/// An app in this process on PostgreSQL, the shared Redis (a prefix of its own) and the shared
/// SMTP server, with `overrides`.
pub async fn spawn_production_app(overrides: &[(&str, &str)]) -> TestApp {
    Production::shared().await.spawn(overrides).await
}
