//! One goose attack: groups of virtual users, one scenario per group, run until the measured
//! window is over. Goose's own metrics, console output and controllers are off: the
//! [`Recorder`](crate::recorder::Recorder)s measure, and a benchmark takes no commands.

use crate::error::BenchError;
use crate::recorder::Window;
use goose::config::GooseConfiguration;
use goose::prelude::*;
use std::time::{Duration, Instant};

/// Users are all started within this, before a window begins (see [`window`]).
const HATCH_ALLOWANCE: Duration = Duration::from_millis(500);
const HATCH_RATE: &str = "2000";
/// A client gives up on a request after this long: a "timeout" in the report.
const CLIENT_TIMEOUT: &str = "30";

/// `users` virtual users running `scenario`.
pub struct Group {
    pub scenario: Scenario,
    pub users: usize,
}

/// The measured window of an attack started now: after the users are up and `warmup` is over.
pub fn window(warmup: Duration, measure: Duration) -> Window {
    Window::after(HATCH_ALLOWANCE + warmup, measure)
}

/// Runs the groups together until `window` has ended.
///
/// # Errors
/// goose refuses the configuration or fails.
pub async fn run(host: &str, groups: Vec<Group>, window: Window) -> Result<(), BenchError> {
    let users: usize = groups.iter().map(|g| g.users).sum();
    let remaining = window.to.saturating_duration_since(Instant::now());
    let run_time = usize::try_from(remaining.as_secs()).unwrap_or(usize::MAX) + 1;
    let configured = GooseAttack::initialize_with_config(GooseConfiguration::default())
        .map_err(load)?
        .set_default(GooseDefault::Host, host)
        .map_err(load)?
        .set_default(GooseDefault::Users, users)
        .map_err(load)?
        .set_default(GooseDefault::IncreaseRate, HATCH_RATE)
        .map_err(load)?
        .set_default(GooseDefault::RunTime, run_time)
        .map_err(load)?
        .set_default(GooseDefault::Timeout, CLIENT_TIMEOUT)
        .map_err(load)?
        .set_default(GooseDefault::Quiet, 1)
        .map_err(load)?
        .set_default(GooseDefault::NoMetrics, true)
        .map_err(load)?
        .set_default(GooseDefault::NoPrintMetrics, true)
        .map_err(load)?
        .set_default(GooseDefault::NoTelnet, true)
        .map_err(load)?
        // The server compresses nothing; asking for gzip would only cost the client.
        .set_default(GooseDefault::NoGzip, true)
        .map_err(load)?;
    let mut attack = *configured;
    for group in groups {
        // Weights equal to the user counts give each scenario exactly its users.
        let scenario = group.scenario.set_weight(group.users).map_err(load)?;
        attack = attack.register_scenario(scenario);
    }
    attack.execute().await.map_err(load)?;
    Ok(())
}

fn load(e: GooseError) -> BenchError {
    BenchError::Load(e.to_string())
}
