//! Register, log in, refresh and log out: the answers that carry (or drop) the token pair.

use super::Answer;
use crate::checkinn::requests::{LoginBody, LogoutBody, RegisterBody};
use crate::checkinn::responses::{AuthAnswer, RefreshAnswer, RegisterAnswer, RegisteredAnswer};
use crate::checkinn::{PREFIX, cookie};
use crate::cookies;
use crate::dto::requests::RefreshRequest;
use crate::dto::{Message, message};
use crate::extractors::{Authenticated, CallerInfo, Json, OptionalJson, RefreshCredential};
use crate::state::AppState;
use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web::Data;
use authd_domain::services::{LoginSuccess, SignedUp};
use secrecy::ExposeSecret as _;

const SIGNED_IN: &str = "Authentication successful";
const VERIFY_FIRST: &str =
    "Registration successful. Please check your email to verify your account.";
const LOG_IN_NEXT: &str = "Registration successful. Please log in.";

/// The answer of a fresh sign-in, with its refresh cookie.
pub(super) fn signed_in(
    state: &AppState,
    status: StatusCode,
    message: &'static str,
    done: &LoginSuccess,
) -> Answer {
    let res = HttpResponse::build(status).json(AuthAnswer::new(message, done));
    with_refresh_cookie(res, done, state)
}

fn with_refresh_cookie(res: HttpResponse, done: &LoginSuccess, state: &AppState) -> Answer {
    match &done.tokens.refresh_token {
        Some(token) => cookie::set(res, token.expose(), &state.settings),
        None => Ok(res),
    }
}

/// Register, and sign in at once
///
/// The account starts `pending` (`isEmailVerified: false`) and the verification email is sent;
/// the answer already carries the token pair, as after a login, unless
/// `CHECKINN_REQUIRE_EMAIL_VERIFICATION=true`: then it carries the account alone (no token, no
/// cookie), and the login waits for the verification. No username is asked: one is derived from
/// the email. `name`'s last word is the last name.
#[utoipa::path(
    post, path = "/api/auth/register", tag = "checkinn", operation_id = "checkinnRegister",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Registered and signed in (`CheckInnAuthAnswer`), or registered \
            alone (`CheckInnRegisteredAnswer`: with CHECKINN_REQUIRE_EMAIL_VERIFICATION, or \
            should the account be suspended before its session starts)",
            body = RegisterAnswer),
        (status = 400, description = "`VALIDATION_ERROR`: \"Registration validation failed\", \
            every problem in `errors` (a `role` outside SELF_ASSIGNABLE_ROLES too)"),
        (status = 409, description = "`EMAIL_EXISTS`: the email in any case"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn register(
    state: Data<AppState>,
    caller: CallerInfo,
    body: Json<RegisterBody>,
) -> Answer {
    let registration = &state.services.registration;
    let input = body.0.into_input(|input| registration.problems(input))?;
    let signed_up = state
        .services
        .fresh_session
        .register(input, &caller.0)
        .await?;
    let registered = |message, user| {
        let answer = RegisterAnswer::Registered(RegisteredAnswer::new(message, user));
        Ok(HttpResponse::Created().json(answer))
    };
    match &signed_up {
        SignedUp::SignedIn(done) => {
            let answer = RegisterAnswer::SignedIn(AuthAnswer::new(SIGNED_IN, done));
            with_refresh_cookie(HttpResponse::Created().json(answer), done, &state)
        }
        SignedUp::VerificationRequired(user) => registered(VERIFY_FIRST, user),
        SignedUp::NotSignedIn(user) => registered(LOG_IN_NEXT, user),
    }
}

/// Log in
///
/// An account not yet verified may log in (`isEmailVerified: false`) unless
/// `CHECKINN_REQUIRE_EMAIL_VERIFICATION=true`. For an account with MFA the answer is 401
/// `MFA_REQUIRED` with `data: {mfaToken, methods}`, completed at `POST /v1/auth/mfa/verify`.
#[utoipa::path(
    post, path = "/api/auth/login", tag = "checkinn", operation_id = "checkinnLogin",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Logged in", body = AuthAnswer),
        (status = 401, description = "`INVALID_CREDENTIALS`: wrong email or password; \
            `EMAIL_NOT_VERIFIED` (only with CHECKINN_REQUIRE_EMAIL_VERIFICATION); \
            `MFA_REQUIRED`: the second factor is next (`data: {mfaToken, methods}`)"),
        (status = 403, description = "`ACCOUNT_SUSPENDED`, `ACCOUNT_DELETED`"),
        (status = 423, description = "`ACCOUNT_LOCKED`: too many failed attempts (`retryAfter`)"),
        (status = 503, description = "`SERVICE_BUSY`: the password-hashing queue is full; \
            `SERVICE_UNAVAILABLE`: storage is down"),
    )
)]
pub async fn login(state: Data<AppState>, caller: CallerInfo, body: Json<LoginBody>) -> Answer {
    let input = body.0.into_input()?;
    let done = state
        .services
        .checkinn_login
        .login(input, &caller.0)
        .await?;
    signed_in(&state, StatusCode::OK, SIGNED_IN, &done)
}

/// Refresh the access token
///
/// With `refreshToken` of the body, or else the `refresh_token` cookie (then a foreign `Origin`
/// is refused). The tokens are at the top level and in `data`; `refreshToken` only when the
/// token came in the body: a cookie's successor travels in the cookie alone, out of scripts'
/// reach.
#[utoipa::path(
    post, path = "/api/auth/refresh-token", tag = "checkinn", operation_id = "checkinnRefreshToken",
    request_body(content = Option<RefreshRequest>, description = "Optional: an empty body uses the cookie"),
    responses(
        (status = 200, description = "New tokens", body = RefreshAnswer),
        (status = 400, description = "`MISSING_REFRESH_TOKEN`: none in the body nor the cookie"),
        (status = 401, description = "`INVALID_REFRESH_TOKEN`: unknown or expired; \
            `TOKEN_REVOKED`: family revoked, or reuse detected (the cookie is cleared)"),
        (status = 403, description = "`CSRF_FAILED`: the cookie sent with a foreign `Origin`"),
        (status = 503, description = "`SERVICE_UNAVAILABLE`: storage is down"),
    ),
    security((), ("refreshCookie" = []))
)]
pub async fn refresh_token(
    state: Data<AppState>,
    caller: CallerInfo,
    presented: RefreshCredential,
) -> Answer {
    let outcome = state
        .services
        .refresh
        .refresh(&presented.token, &caller.0)
        .await;
    // A token from the HttpOnly cookie is not handed to scripts in the body.
    let in_body = (!presented.from_cookie).then(|| presented.token.expose_secret());
    let settings = &state.settings;
    cookies::refresh_answer(outcome, settings.cookie_secure, PREFIX, |tokens| {
        let res = HttpResponse::Ok().json(RefreshAnswer::new(tokens, in_body));
        let successor = tokens.refresh_token.as_ref();
        (res, successor.map(|t| cookie::of(t.expose(), settings)))
    })
}

/// Log out
///
/// Ends the session of the bearer token (its refresh token with it) and clears the cookie.
#[utoipa::path(
    post, path = "/api/auth/logout", tag = "checkinn", operation_id = "checkinnLogout",
    request_body(content = Option<LogoutBody>, description = "Optional"),
    responses(
        (status = 200, description = "Logged out", body = Message,
            example = json!({"success": true, "message": "Logged out successfully"})),
    )
)]
pub async fn logout(
    state: Data<AppState>,
    principal: Authenticated,
    caller: CallerInfo,
    // Extracted only so that a body of the wrong shape is refused (400) like on every route;
    // its `refreshToken` dies with the bearer's session.
    _body: OptionalJson<LogoutBody>,
) -> Answer {
    state
        .services
        .logout
        .logout(&principal.0, false, &caller.0)
        .await?;
    cookie::cleared(message("Logged out successfully"), &state.settings)
}
