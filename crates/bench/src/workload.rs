//! Running measured attacks against one server: the window, the recorders, the CPU time the
//! server and the load generator spent inside the window, and the result rows.

use crate::error::BenchError;
use crate::load::{self, Group, Load};
use crate::plan::Phase;
use crate::procfs::{
    ProcStats, children_cpu_seconds, machine_busy_seconds, own_cpu_seconds, tree_cpu_seconds,
};
use crate::recorder::{Recorder, Window};
use crate::report::{Stack, WorkloadId, WorkloadResult};
use crate::server::Authd;
use crate::wrk::Wrk;
use std::sync::Arc;

/// What a result row says about its workload besides the figures.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub id: WorkloadId,
    pub letter: &'static str,
    pub title: &'static str,
    /// The goose scenario's name, unique within an attack.
    pub scenario: &'static str,
    pub users: usize,
    pub rate: Option<f64>,
}

impl Spec {
    fn load(&self, recorder: &Arc<Recorder>) -> Load {
        Load {
            name: self.scenario,
            recorder: Arc::clone(recorder),
            users: self.users,
            rate: self.rate,
        }
    }

    fn result(&self, stack: Stack, phase: Phase, recorder: &Recorder, cpu: Cpu) -> WorkloadResult {
        let concurrency = match self.rate {
            Some(rate) => format!("{} users, paced at {rate:.1}/s", self.users),
            None => format!("{} users, closed loop", self.users),
        };
        self.row(stack, phase, concurrency, recorder.summary(), cpu)
    }

    fn row(
        &self,
        stack: Stack,
        phase: Phase,
        concurrency: String,
        summary: crate::recorder::Summary,
        cpu: Cpu,
    ) -> WorkloadResult {
        WorkloadResult {
            id: self.id,
            letter: self.letter,
            title: self.title,
            stack,
            concurrency,
            offered_per_s: self.rate,
            warmup_s: phase.warmup.as_secs_f64(),
            measured_s: phase.measure.as_secs_f64(),
            summary,
            server_cpu_s: cpu.server_s,
            load_generator_cpu_s: cpu.generator_s,
            backing_cpu_s: cpu.backing_s,
            other_cpu_s: (cpu.machine_s - cpu.server_s - cpu.generator_s - cpu.backing_s).max(0.0),
        }
    }
}

/// Builds a workload's scenario once its recorder exists.
pub type Make = Box<dyn FnOnce(Load) -> Result<Group, BenchError>>;

/// CPU seconds spent inside a window.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub server_s: f64,
    pub generator_s: f64,
    /// PostgreSQL and Redis, on the production stack.
    pub backing_s: f64,
    /// Every core's busy time, whoever was busy.
    pub machine_s: f64,
}

impl Cpu {
    /// The CPU time spent between reading `start` and reading `self`.
    fn since(self, start: Self) -> Self {
        Self {
            server_s: self.server_s - start.server_s,
            generator_s: self.generator_s - start.generator_s,
            backing_s: self.backing_s - start.backing_s,
            machine_s: self.machine_s - start.machine_s,
        }
    }
}

/// A server under measurement and the rows measured so far.
#[derive(Debug)]
pub struct Bench<'a> {
    pub server: &'a Authd,
    pub stack: Stack,
    /// The PostgreSQL postmaster and the Redis server, whose CPU time is counted apart.
    pub backing_pids: Vec<u32>,
    pub results: Vec<WorkloadResult>,
}

impl<'a> Bench<'a> {
    pub fn new(server: &'a Authd, stack: Stack, backing_pids: Vec<u32>) -> Self {
        Self {
            server,
            stack,
            backing_pids,
            results: Vec::new(),
        }
    }

    /// Runs several workloads at once, in one window, each measured apart.
    ///
    /// # Errors
    /// A scenario cannot be built, or the load generator fails.
    pub async fn run(
        &mut self,
        phase: Phase,
        workloads: Vec<(Spec, Make)>,
    ) -> Result<(), BenchError> {
        let window = load::window(phase.warmup, phase.measure);
        let mut groups = Vec::new();
        let mut measured = Vec::new();
        for (spec, make) in workloads {
            let recorder = Arc::new(Recorder::new(window));
            groups.push(make(spec.load(&recorder))?);
            measured.push((spec, recorder));
        }
        eprintln!(
            "  {} on {}: {:?} warm-up, {:?} measured",
            measured
                .iter()
                .map(|(s, _)| s.title)
                .collect::<Vec<_>>()
                .join(" + "),
            self.stack.label(),
            phase.warmup,
            phase.measure
        );
        let cpu = self.drive(groups, window).await?;
        for (spec, recorder) in measured {
            self.results
                .push(spec.result(self.stack, phase, &recorder, cpu));
        }
        Ok(())
    }

    /// Runs a closed-loop `/me` workload with wrk, one keep-alive connection per user: a
    /// warm-up run, then the measured one, whose CPU times are read as it starts and ends.
    ///
    /// # Errors
    /// wrk fails.
    pub async fn run_wrk(
        &mut self,
        phase: Phase,
        spec: Spec,
        wrk: &Arc<Wrk>,
        tokens: &[String],
    ) -> Result<(), BenchError> {
        eprintln!(
            "  {} on {} (wrk): {:?} warm-up, {:?} measured",
            spec.title,
            self.stack.label(),
            phase.warmup,
            phase.measure
        );
        let (base, users, tokens) = (self.server.base_url(), spec.users, tokens.to_vec());
        let warm = Arc::clone(wrk);
        tokio::task::spawn_blocking(move || warm.warm_up(&base, &tokens, users, phase.warmup))
            .await
            .map_err(|e| BenchError::setup(format!("wrk: {e}")))??;
        let read = self.cpu_reader();
        let start = read();
        let (base, measured) = (self.server.base_url(), Arc::clone(wrk));
        let summary =
            tokio::task::spawn_blocking(move || measured.measure(&base, users, phase.measure))
                .await
                .map_err(|e| BenchError::setup(format!("wrk: {e}")))??;
        let cpu = read().since(start);
        let concurrency = format!("{users} connections, closed loop (wrk)");
        self.results
            .push(spec.row(self.stack, phase, concurrency, summary, cpu));
        Ok(())
    }

    /// Reads the CPU time of the server, the load generator (this process and the wrk it
    /// waited for), PostgreSQL and Redis, and the whole machine.
    fn cpu_reader(&self) -> impl Fn() -> Cpu + Send + 'static {
        let pid = self.server.pid();
        let backing = self.backing_pids.clone();
        move || Cpu {
            server_s: ProcStats::read(pid).unwrap_or_default().cpu_seconds,
            generator_s: own_cpu_seconds() + children_cpu_seconds(),
            backing_s: backing.iter().map(|p| tree_cpu_seconds(*p)).sum(),
            machine_s: machine_busy_seconds(),
        }
    }

    /// Runs one attack and reads both processes' CPU time as the window opens and closes.
    async fn drive(&self, groups: Vec<Group>, window: Window) -> Result<Cpu, BenchError> {
        let read = self.cpu_reader();
        let probe = tokio::spawn(async move {
            tokio::time::sleep_until(window.from.into()).await;
            let start = read();
            tokio::time::sleep_until(window.to.into()).await;
            read().since(start)
        });
        load::run(&self.server.base_url(), groups, window).await?;
        probe
            .await
            .map_err(|e| BenchError::setup(format!("the CPU probe: {e}")))
    }
}
