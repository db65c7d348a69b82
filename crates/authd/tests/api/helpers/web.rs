//! The example web page (`examples/web`) and an authd set up for it: the page is served from a
//! loopback origin of its own (another port than authd's), which authd lists in
//! `ALLOWED_ORIGINS` and uses as `APP_BASE_URL`, so that the mailed links open the page. authd
//! runs over the in-memory adapters and mails over the test SMTP server.

use super::{Smtp, TestApp, TestUser, spawn_in_process};
use authd_testkit::browser::{SiteFiles, StaticSite};
use std::path::PathBuf;

/// The page's files, beside this crate.
fn examples_web() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/web")
}

pub struct ExamplePage {
    pub site: StaticSite,
    pub app: TestApp,
}

impl ExamplePage {
    /// Serves the page, starts authd for its origin and points the page's `config.js` at it.
    pub async fn start() -> Self {
        let site = StaticSite::serve(SiteFiles::dir(examples_web()));
        let origin = site.origin();
        let smtp = authd_testkit::smtp::server().await;
        let port = smtp.port().to_string();
        let vars = [
            ("APP_BASE_URL", origin.as_str()),
            ("ALLOWED_ORIGINS", origin.as_str()),
            ("SMTP_HOST", smtp.host()),
            ("SMTP_PORT", port.as_str()),
            ("SMTP_SECURITY", "none"),
        ];
        let app = spawn_in_process(&vars, Some(Smtp::Shared(smtp))).await;
        site.set(
            "/config.js",
            format!("window.AUTHD_API = '{}/v1';\n", app.address),
        );
        Self { site, app }
    }

    /// `http://127.0.0.1:<port>/`
    pub fn url(&self) -> String {
        format!("{}/", self.site.origin())
    }

    /// An account registered and verified through the API (the mailed link's token), ready to
    /// sign in on the page.
    pub async fn verified_user(&self) -> TestUser {
        let user = self.app.registered_user().await;
        let link = self.verification_link(&user.email).await;
        let token = link.rsplit("token=").next().unwrap_or_default();
        self.app.verify_email(token).await.ok(200);
        user
    }

    /// The verification link mailed to `email`, exactly as written in the mail.
    pub async fn verification_link(&self, email: &str) -> String {
        let mail = self
            .app
            .wait_for_mail(super::MailKind::Verification, email)
            .await;
        let prefix = format!("{}/verify-email?token=", self.site.origin());
        let start = mail
            .text
            .find(&prefix)
            .unwrap_or_else(|| panic!("no link to {prefix} in the mail:\n{}", mail.text));
        mail.text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !"\"'<>()".contains(*c))
            .collect()
    }
}
