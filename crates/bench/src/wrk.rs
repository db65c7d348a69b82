//! The closed-loop `GET /v1/users/me` workloads, (a) and (f)(a), driven by wrk (C, from
//! Debian's `wrk` package) instead of goose. They are the only workloads fast enough for the
//! load generator's own CPU to matter: goose spends about 45 µs of CPU per request, as much as
//! the server on the embedded default, so on two shared cores it measured goose as much as
//! authd. wrk spends a few µs. Each request carries the next of the accounts' access tokens
//! (a Lua script cycles through them), as the goose scenario does.
//!
//! wrk has no warm-up, so a first run of the warm-up's length is thrown away; the measured run
//! counts the requests answered during it, with wrk's microsecond latency histogram.

use crate::error::BenchError;
use crate::recorder::{Latency, OutcomeSummary, Summary};
use authd_testkit::debian;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const PROGRAM: &str = "wrk";
const INSTALL_HINT: &str = "sudo apt-get install -y wrk";
/// The line of wrk's output the script writes its figures on.
const MARKER: &str = "AUTHD_BENCH ";

/// Cycles through the tokens of `AUTHD_BENCH_TOKENS` (one per line), each thread from its own
/// place, and prints the figures as one line of numbers for the bench to read.
const SCRIPT: &str = r#"
local threads = {}
local started = 0

function setup(thread)
  thread:set("offset", started * 7919)
  started = started + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for token in io.lines(os.getenv("AUTHD_BENCH_TOKENS")) do
    requests[#requests + 1] =
      wrk.format("GET", "/v1/users/me", { ["Authorization"] = "Bearer " .. token })
  end
  next_one = offset % #requests
end

function request()
  next_one = next_one % #requests + 1
  return requests[next_one]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("AUTHD_BENCH %d %d %d %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status))
end
"#;

/// wrk, and the script and token file it runs with.
#[derive(Debug)]
pub struct Wrk {
    program: PathBuf,
    script: PathBuf,
    tokens: PathBuf,
}

/// What one wrk run measured.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Figures {
    requests: u64,
    duration_us: u64,
    p50_us: u64,
    p90_us: u64,
    p99_us: u64,
    max_us: u64,
    /// Connect, read and write errors: refused or reset connections.
    transport: u64,
    timeouts: u64,
    /// Answers that were not 2xx or 3xx.
    non_success: u64,
}

impl Wrk {
    /// Finds wrk, installing Debian's package first when it is missing and the bench runs as
    /// root, and writes its script into `out_dir`.
    ///
    /// # Errors
    /// wrk is missing and cannot be installed, or `out_dir` cannot be written.
    pub fn prepare(out_dir: &Path) -> Result<Self, BenchError> {
        let program = debian::find(PROGRAM)
            .or_else(|| {
                debian::running_as_root()
                    .then(install)
                    .and_then(|()| debian::find(PROGRAM))
            })
            .ok_or_else(|| {
                BenchError::setup(format!(
                    "the /me workloads need wrk, which is not installed; install it with:\n    \
                     {INSTALL_HINT}"
                ))
            })?;
        let script = out_dir.join("wrk-me.lua");
        std::fs::write(&script, SCRIPT)
            .map_err(|e| BenchError::setup(format!("{}: {e}", script.display())))?;
        Ok(Self {
            program,
            script,
            tokens: out_dir.join("wrk-tokens.txt"),
        })
    }

    /// A run of `length` whose figures are thrown away, with `tokens` for the runs to come.
    ///
    /// # Errors
    /// The token file cannot be written, or wrk fails.
    pub fn warm_up(
        &self,
        base_url: &str,
        tokens: &[String],
        connections: usize,
        length: Duration,
    ) -> Result<(), BenchError> {
        std::fs::write(&self.tokens, tokens.join("\n") + "\n")
            .map_err(|e| BenchError::setup(format!("{}: {e}", self.tokens.display())))?;
        self.once(base_url, connections, length).map(|_| ())
    }

    /// A measured run of `length` with `connections` keep-alive connections.
    ///
    /// # Errors
    /// wrk fails or prints no figures.
    pub fn measure(
        &self,
        base_url: &str,
        connections: usize,
        length: Duration,
    ) -> Result<Summary, BenchError> {
        Ok(self.once(base_url, connections, length)?.summary())
    }

    fn once(
        &self,
        base_url: &str,
        connections: usize,
        length: Duration,
    ) -> Result<Figures, BenchError> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(connections);
        let out = Command::new(&self.program)
            .arg(format!("--threads={threads}"))
            .arg(format!("--connections={connections}"))
            .arg(format!("--duration={}s", length.as_secs().max(1)))
            .arg("--timeout=30s")
            .arg(format!("--script={}", self.script.display()))
            .arg(format!("{base_url}/v1/users/me"))
            .env("AUTHD_BENCH_TOKENS", &self.tokens)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| BenchError::setup(format!("running wrk: {e}")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        parse(&stdout).ok_or_else(|| {
            BenchError::setup(format!(
                "wrk printed no figures ({}):\n{stdout}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        })
    }
}

impl Figures {
    fn summary(&self) -> Summary {
        let seconds = (self.duration_us as f64 / 1e6).max(f64::MIN_POSITIVE);
        let answered_or_not = self.requests + self.transport + self.timeouts;
        let successes = self.requests.saturating_sub(self.non_success);
        let ms = |us: u64| us as f64 / 1_000.0;
        let latency = Latency {
            p50_ms: ms(self.p50_us),
            p90_ms: ms(self.p90_us),
            p99_ms: ms(self.p99_us),
            max_ms: ms(self.max_us),
        };
        let errors: BTreeMap<String, u64> = [
            ("not 2xx or 3xx", self.non_success),
            ("timeout", self.timeouts),
            ("transport error", self.transport),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| (label.to_owned(), n))
        .collect();
        Summary {
            requests: answered_or_not,
            requests_per_s: answered_or_not as f64 / seconds,
            successes_per_s: successes as f64 / seconds,
            latency,
            errors,
            by_outcome: BTreeMap::from([(
                "2xx".to_owned(),
                OutcomeSummary {
                    count: successes,
                    per_s: successes as f64 / seconds,
                    latency,
                },
            )]),
        }
    }
}

/// The figures of the script's line.
fn parse(stdout: &str) -> Option<Figures> {
    let line = stdout.lines().find_map(|l| l.strip_prefix(MARKER))?;
    let n: Vec<u64> = line
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let [
        requests,
        duration_us,
        p50_us,
        p90_us,
        p99_us,
        max_us,
        connect,
        read,
        write,
        timeouts,
        non_success,
    ] = n[..]
    else {
        return None;
    };
    Some(Figures {
        requests,
        duration_us,
        p50_us,
        p90_us,
        p99_us,
        max_us,
        transport: connect + read + write,
        timeouts,
        non_success,
    })
}

fn install() {
    eprintln!("wrk is missing: installing the Debian package `wrk`");
    if let Err(e) = debian::install(PROGRAM, "command -v wrk >/dev/null 2>&1") {
        eprintln!("{e}; install it with:\n    {INSTALL_HINT}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scripts_line_is_read_among_wrks_own_output() {
        let out = "Running 20s test @ http://127.0.0.1:1/v1/users/me\n  2 threads\n\
                   AUTHD_BENCH 400000 20000000 700 1600 4200 9500 0 1 0 2 3\n";
        assert_eq!(
            parse(out),
            Some(Figures {
                requests: 400_000,
                duration_us: 20_000_000,
                p50_us: 700,
                p90_us: 1_600,
                p99_us: 4_200,
                max_us: 9_500,
                transport: 1,
                timeouts: 2,
                non_success: 3,
            })
        );
        assert_eq!(parse("Running 20s test\n"), None);
        assert_eq!(parse("AUTHD_BENCH 1 2 3\n"), None);
    }

    #[test]
    fn the_summary_counts_successes_and_names_each_kind_of_error() {
        let figures = parse("AUTHD_BENCH 400000 20000000 700 1600 4200 9500 0 1 0 2 3\n").unwrap();
        let summary = figures.summary();
        assert_eq!(summary.successes_per_s, 399_997.0 / 20.0);
        assert_eq!(summary.latency.p99_ms, 4.2);
        assert_eq!(
            summary.errors,
            BTreeMap::from([
                ("not 2xx or 3xx".to_owned(), 3),
                ("timeout".to_owned(), 2),
                ("transport error".to_owned(), 1),
            ])
        );
    }
}
