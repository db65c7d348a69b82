//! MFA as a user and their authenticator app see it: set up TOTP, read the QR code, compute
//! codes from the returned secret, answer the `MFA_REQUIRED` challenge of a login.
//!
//! The app runs on the real clock, so codes are computed at the time of the request. The server
//! accepts the codes of its current step and of the steps just before and after it, each once
//! and only later ones after an earlier one: a test gets three codes per factor without waiting
//! (offsets -1, 0 and +1, in that order); beyond that it uses backup codes or a fresh factor.

use super::{Reply, TestApp, TestUser};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use totp_rs::{Algorithm, Builder, Secret, Totp};

const STEP_SECS: u64 = 30;
/// A code is computed at least this long before its step ends, so that the server checks it in
/// the step it was computed for (or, for the code of the step before, while that one is still in
/// the window): ample on a loaded 2-core machine.
const MARGIN_SECS: u64 = 10;

/// An authenticator app holding the secret of a setup.
pub struct Authenticator {
    totp: Totp,
}

impl Authenticator {
    /// From the base32 `secret` of a setup answer, as a user types it into an app.
    pub fn from_secret(base32: &str) -> Self {
        let secret = Secret::try_from_base32(base32)
            .unwrap_or_else(|e| panic!("the setup's secret is base32: {e:?}"));
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_step_duration(STEP_SECS)
            .with_secret(secret)
            .build()
            .unwrap_or_else(|e| panic!("a usable TOTP secret: {e:?}"));
        Self { totp }
    }

    /// The code `offset` steps away from the current one (-1, 0 or +1 are accepted).
    pub async fn code(&self, offset: i64) -> String {
        let step = steady_step().await;
        self.code_of_step(step + offset)
    }

    /// A 6-digit code that is none of the codes the server accepts around now.
    pub async fn wrong_code(&self) -> String {
        let step = steady_step().await;
        let valid: Vec<String> = (-1..=1).map(|o| self.code_of_step(step + o)).collect();
        (0..)
            .map(|n: u32| format!("{:06}", (n * 7919) % 1_000_000))
            .find(|c| !valid.contains(c))
            .expect("some 6-digit code is wrong")
    }

    fn code_of_step(&self, step: i64) -> String {
        let time = u64::try_from(step).expect("a step after 1970") * STEP_SECS;
        self.totp.generate(time).to_string()
    }
}

/// The current TOTP step, after waiting out the last seconds of a step.
async fn steady_step() -> i64 {
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970");
        let into_step = now.as_secs() % STEP_SECS;
        if into_step < STEP_SECS - MARGIN_SECS {
            return i64::try_from(now.as_secs() / STEP_SECS).expect("a plausible time");
        }
        let left = Duration::from_secs(STEP_SECS - into_step)
            - Duration::from_nanos(now.subsec_nanos().into());
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
}

/// What `POST /v1/auth/mfa/setup` answered.
pub struct MfaSetup {
    pub secret: String,
    pub otpauth_url: String,
    /// `data:image/png;base64,...`
    pub qr_code: String,
    pub backup_codes: Vec<String>,
    pub authenticator: Authenticator,
}

impl MfaSetup {
    pub fn from_reply(reply: &Reply) -> Self {
        let data = reply.ok(200);
        let text = |field: &str| {
            data[field]
                .as_str()
                .unwrap_or_else(|| panic!("{field} in {reply:#?}"))
                .to_owned()
        };
        let backup_codes = data["backupCodes"]
            .as_array()
            .unwrap_or_else(|| panic!("backupCodes in {reply:#?}"))
            .iter()
            .map(|c| c.as_str().expect("a backup code is a string").to_owned())
            .collect();
        let secret = text("secret");
        Self {
            authenticator: Authenticator::from_secret(&secret),
            secret,
            otpauth_url: text("otpauthUrl"),
            qr_code: text("qrCode"),
            backup_codes,
        }
    }
}

/// A verified user with TOTP confirmed (with the code of the step before the current one), and
/// the access token of the password login before MFA was on.
pub struct MfaUser {
    pub user: TestUser,
    pub access_token: String,
    pub setup: MfaSetup,
}

impl MfaUser {
    pub fn backup_code(&self, i: usize) -> &str {
        &self.setup.backup_codes[i]
    }
}

/// The text a QR code image (`data:image/png;base64,...`) encodes, read from its pixels.
pub fn decode_qr(data_url: &str) -> String {
    use base64::Engine as _;
    let encoded = data_url
        .strip_prefix("data:image/png;base64,")
        .unwrap_or_else(|| panic!("a PNG data URL: {}", &data_url[..data_url.len().min(40)]));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .expect("valid base64");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a sane PNG size")];
    let info = reader.next_frame(&mut pixels).expect("the PNG's pixels");
    let samples = info.color_type.samples();
    let (width, height) = (info.width as usize, info.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        // The first sample is grey, or red; the QR code is black on white either way.
        pixels[y * info.line_size + x * samples]
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one QR code in the picture");
    grids[0].decode().expect("a readable QR code").1
}

impl TestApp {
    /// A request with a JSON body, with `access` as the bearer token when given.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        access: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path)).json(body);
        if let Some(token) = access {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    pub async fn mfa_setup(&self, access: &str) -> Reply {
        self.call(
            Method::POST,
            "/v1/auth/mfa/setup",
            Some(access),
            &json!({"type": "totp", "deviceName": "Test phone"}),
        )
        .await
    }

    /// `POST /v1/auth/mfa/verify {code}` with a bearer token: confirms the pending factor.
    pub async fn mfa_confirm(&self, access: &str, code: &str) -> Reply {
        self.call(
            Method::POST,
            "/v1/auth/mfa/verify",
            Some(access),
            &json!({ "code": code }),
        )
        .await
    }

    /// `POST /v1/auth/mfa/verify {mfaToken, code}` without a bearer token.
    pub async fn mfa_verify(&self, mfa_token: &str, code: &str) -> Reply {
        self.post_json(
            "/v1/auth/mfa/verify",
            &json!({ "mfaToken": mfa_token, "code": code }),
        )
        .await
    }

    pub async fn mfa_status(&self, access: &str) -> Value {
        self.get_authed("/v1/auth/mfa", access)
            .await
            .ok(200)
            .clone()
    }

    /// A verified user who set up TOTP and confirmed it.
    pub async fn mfa_user(&self) -> MfaUser {
        let user = self.verified_user().await;
        let access_token = self.login(&user).await.access_token;
        let setup = MfaSetup::from_reply(&self.mfa_setup(&access_token).await);
        let code = setup.authenticator.code(-1).await;
        self.mfa_confirm(&access_token, &code).await.ok(200);
        MfaUser {
            user,
            access_token,
            setup,
        }
    }

    /// Logs in with the password and returns the `mfaToken` of the `MFA_REQUIRED` answer.
    pub async fn mfa_challenge(&self, user: &TestUser) -> String {
        let reply = self.login_reply(&user.credentials()).await;
        mfa_token_of(&reply)
    }
}

/// The `mfaToken` of an `MFA_REQUIRED` answer, after checking the answer.
pub fn mfa_token_of(reply: &Reply) -> String {
    reply.error(401, "MFA_REQUIRED");
    reply.body["data"]["mfaToken"]
        .as_str()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| panic!("an mfaToken in {reply:#?}"))
        .to_owned()
}

/// An `authd` process of its own over memory, logging at `level`, for tests that read its log.
pub async fn spawn_logging_process(level: &str) -> TestApp {
    let mail_dir = super::new_mail_dir();
    let vars = super::test_vars(&mail_dir, &[("LOG_LEVEL", level)]);
    let child = super::process::Child::spawn(vars).await;
    TestApp::new(child.port(), mail_dir, None, super::Running::Child(child))
}

impl TestApp {
    /// What the process has logged so far (empty for an app in this test process).
    pub fn log_output(&self) -> String {
        match &self.running {
            super::Running::Child(child) => child.output(),
            super::Running::InProcess { .. } => String::new(),
        }
    }
}
