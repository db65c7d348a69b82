//! The four request kinds of the workloads, each a goose scenario whose users share a
//! [`Load`]: `/v1/users/me` with tokens spread over many accounts, refresh chains (each user's
//! successor feeds its next request), logins, and registrations with fresh emails.

use super::attack::Group;
use super::exchange::exchange;
use super::pacer::Pacer;
use crate::error::BenchError;
use crate::recorder::Recorder;
use crate::seed::PASSWORD;
use goose::prelude::*;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// goose's request around a builder of goose's own `reqwest` (0.13, which goose does not
/// re-export, hence a macro rather than a function naming the type).
macro_rules! named {
    ($name:expr, $builder:expr) => {
        GooseRequest::builder()
            .name($name)
            .set_request_builder($builder)
            .build()
    };
}

/// Paced users stop sending once the window is over and idle this long at most, until goose,
/// which ends a run within a second of the window, stops them.
const AFTER_WINDOW: Duration = Duration::from_secs(2);

/// What a workload's users share: where they record, and how many of them send how fast.
#[derive(Debug)]
pub struct Load {
    pub name: &'static str,
    pub recorder: Arc<Recorder>,
    pub users: usize,
    /// Requests per second offered by all users together (open loop); `None`: each user sends
    /// its next request as soon as the last is answered (closed loop).
    pub rate: Option<f64>,
}

/// `GET /v1/users/me`, each request with the next of `tokens` (round robin over all users).
///
/// # Errors
/// No tokens, or goose refuses the scenario.
pub fn me(load: Load, tokens: Vec<String>) -> Result<Group, BenchError> {
    group(load, tokens, |user, s| {
        Box::pin(async move {
            if !pace(user, &s).await {
                return Ok(());
            }
            let token = &s.data[s.next.fetch_add(1, Ordering::Relaxed) % s.data.len()];
            let request = user
                .get_request_builder(&GooseMethod::Get, "/v1/users/me")?
                .bearer_auth(token);
            exchange(user, &s.load.recorder, named!(s.load.name, request), false).await?;
            Ok(())
        })
    })
}

/// `GET /v1/admin/users?search=<term>` as an administrator, the terms in turn (round robin
/// over all users). Each entry of `requests` is the bearer token and the path with its query.
///
/// # Errors
/// No requests, or goose refuses the scenario.
pub fn admin_search(load: Load, requests: Vec<(String, String)>) -> Result<Group, BenchError> {
    group(load, requests, |user, s| {
        Box::pin(async move {
            if !pace(user, &s).await {
                return Ok(());
            }
            let (token, path) = &s.data[s.next.fetch_add(1, Ordering::Relaxed) % s.data.len()];
            let request = user
                .get_request_builder(&GooseMethod::Get, path)?
                .bearer_auth(token);
            exchange(user, &s.load.recorder, named!(s.load.name, request), false).await?;
            Ok(())
        })
    })
}

/// `POST /v1/auth/refresh`: user `i` starts from `chains[i]` and always presents the successor
/// it was last given. A failed rotation ends that user's chain (and is an error in the report).
///
/// # Errors
/// Fewer chains than users, or goose refuses the scenario.
pub fn refresh(load: Load, chains: Vec<String>) -> Result<Group, BenchError> {
    if chains.len() < load.users {
        return Err(BenchError::setup(format!(
            "{} refresh chains for {} users",
            chains.len(),
            load.users
        )));
    }
    group(load, chains, |user, s| {
        Box::pin(async move {
            let Some(state) = user.get_session_data_mut::<UserState>() else {
                return Ok(());
            };
            let presented = match &state.chain {
                Chain::Unstarted => s.data[state.index].clone(),
                Chain::Next(token) => token.clone(),
                Chain::Broken => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    return Ok(());
                }
            };
            let request = user
                .get_request_builder(&GooseMethod::Post, "/v1/auth/refresh")?
                .json(&json!({ "refreshToken": presented }));
            let body = exchange(user, &s.load.recorder, named!(s.load.name, request), true).await?;
            let successor = body.as_deref().and_then(successor_of);
            if let Some(state) = user.get_session_data_mut::<UserState>() {
                state.chain = successor.map_or(Chain::Broken, Chain::Next);
            }
            Ok(())
        })
    })
}

/// `POST /v1/auth/login` with the right password, each request for the next of `emails`.
///
/// # Errors
/// No emails, or goose refuses the scenario.
pub fn login(load: Load, emails: Vec<String>) -> Result<Group, BenchError> {
    group(load, emails, |user, s| {
        Box::pin(async move {
            if !pace(user, &s).await {
                return Ok(());
            }
            let email = &s.data[s.next.fetch_add(1, Ordering::Relaxed) % s.data.len()];
            let request = user
                .get_request_builder(&GooseMethod::Post, "/v1/auth/login")?
                .json(&json!({ "email": email, "password": PASSWORD, "rememberMe": true }));
            exchange(user, &s.load.recorder, named!(s.load.name, request), false).await?;
            Ok(())
        })
    })
}

/// `POST /v1/auth/register` with an email and username never used before (`nonce` sets this
/// run apart from any earlier one on the same database).
///
/// # Errors
/// goose refuses the scenario.
pub fn register(load: Load, nonce: String) -> Result<Group, BenchError> {
    group(load, vec![nonce], |user, s| {
        Box::pin(async move {
            if !pace(user, &s).await {
                return Ok(());
            }
            let n = s.next.fetch_add(1, Ordering::Relaxed);
            let nonce = &s.data[0];
            let request = user
                .get_request_builder(&GooseMethod::Post, "/v1/auth/register")?
                .json(&json!({
                    "email": format!("reg-{nonce}-{n}@example.com"),
                    "username": format!("reg_{nonce}_{n}"),
                    "password": PASSWORD,
                    "firstName": "Bench",
                    "lastName": "User",
                }));
            exchange(user, &s.load.recorder, named!(s.load.name, request), false).await?;
            Ok(())
        })
    })
}

type Step<T> = for<'r> fn(&'r mut GooseUser, Arc<Shared<T>>) -> BoxedStep<'r>;
type BoxedStep<'r> = Pin<Box<dyn Future<Output = TransactionResult> + Send + 'r>>;

/// A workload's users and what they read.
struct Shared<T> {
    load: Load,
    data: Vec<T>,
    /// Hands each starting user its index.
    users_started: AtomicUsize,
    /// Round robin over `data`.
    next: AtomicUsize,
}

/// One virtual user's own state.
#[derive(Clone)]
struct UserState {
    index: usize,
    pacer: Option<Pacer>,
    chain: Chain,
}

#[derive(Clone)]
enum Chain {
    Unstarted,
    Next(String),
    Broken,
}

fn group<T: Send + Sync + 'static>(
    load: Load,
    data: Vec<T>,
    step: Step<T>,
) -> Result<Group, BenchError> {
    if data.is_empty() {
        return Err(BenchError::setup(format!("{}: nothing to send", load.name)));
    }
    let (name, users) = (load.name, load.users);
    let shared = Arc::new(Shared {
        load,
        data,
        users_started: AtomicUsize::new(0),
        next: AtomicUsize::new(0),
    });
    let starting = Arc::clone(&shared);
    let on_start = transaction(move |user| {
        let s = Arc::clone(&starting);
        Box::pin(async move {
            let index = s.users_started.fetch_add(1, Ordering::Relaxed);
            let pacer = s
                .load
                .rate
                .map(|rate| Pacer::new(rate, s.load.users, index));
            user.set_session_data(UserState {
                index,
                pacer,
                chain: Chain::Unstarted,
            });
            Ok(())
        })
    })
    .set_on_start();
    let running = transaction(move |user| step(user, Arc::clone(&shared))).set_name(name);
    let scenario = Scenario::new(name)
        .register_transaction(on_start)
        .register_transaction(running);
    Ok(Group { scenario, users })
}

fn transaction<F>(f: F) -> Transaction
where
    F: for<'r> Fn(&'r mut GooseUser) -> BoxedStep<'r> + Send + Sync + 'static,
{
    Transaction::new(Arc::new(f))
}

/// Waits until a paced user's next request is due; `false` when it would fall after the
/// measured window, so it is not sent.
async fn pace<T>(user: &mut GooseUser, s: &Shared<T>) -> bool {
    let due = user
        .get_session_data_mut::<UserState>()
        .and_then(|state| state.pacer.as_mut())
        .map(Pacer::take);
    let Some(due) = due else {
        return true;
    };
    let end = s.load.recorder.window().to;
    tokio::time::sleep_until(due.min(end + AFTER_WINDOW).into()).await;
    due < end
}

/// `data.refreshToken` of a refresh answer.
fn successor_of(body: &[u8]) -> Option<String> {
    let answer: serde_json::Value = serde_json::from_slice(body).ok()?;
    answer["data"]["refreshToken"].as_str().map(str::to_owned)
}
