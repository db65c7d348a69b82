//! The load balancer of the rolling-restart test: it polls each instance's `/health/ready` and
//! sends requests, in turn, to the instances that answered 200 last, as Kubernetes or a proxy
//! with active health checks does. It retries a request on another instance only when the
//! connection was refused (nothing was sent, so nothing can have happened twice); every other
//! error, a reset, a timeout or an unexpected status, is a failed request.

use serde_json::Value;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How often the balancer asks each instance whether it is ready.
const READINESS_POLL: Duration = Duration::from_millis(100);
/// A request slower than this has failed; generous for two loaded cores.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub struct Node {
    pub address: String,
    ready: AtomicBool,
    /// Requests this instance answered.
    pub served: AtomicUsize,
}

pub struct Balancer {
    pub nodes: Vec<Node>,
    /// A new connection per request, as a balancer spreading connections does: a refused
    /// connection then means exactly that the instance is not accepting.
    client: reqwest::Client,
    turn: AtomicUsize,
    pub failures: Mutex<Vec<String>>,
    /// Requests sent again elsewhere after a refused connection.
    pub retried: AtomicUsize,
    stopped: AtomicBool,
}

impl Balancer {
    pub fn new(addresses: &[String]) -> Self {
        Self {
            nodes: addresses
                .iter()
                .map(|address| Node {
                    address: address.clone(),
                    ready: AtomicBool::new(true),
                    served: AtomicUsize::new(0),
                })
                .collect(),
            client: reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(REQUEST_TIMEOUT)
                .build()
                .expect("build the balancer's client"),
            turn: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            retried: AtomicUsize::new(0),
            stopped: AtomicBool::new(false),
        }
    }

    pub fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    pub fn is_ready(&self, node: usize) -> bool {
        self.nodes[node].ready.load(Ordering::SeqCst)
    }

    pub fn served(&self, node: usize) -> usize {
        self.nodes[node].served.load(Ordering::SeqCst)
    }

    pub fn fail(&self, what: String) {
        self.failures.lock().unwrap().push(what);
    }

    /// Polls every instance's readiness until stopped; an instance that refuses, times out or
    /// answers anything but 200 gets no new requests.
    pub async fn watch_readiness(&self) {
        let probe = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(1))
            .build()
            .expect("build the readiness client");
        while !self.is_stopped() {
            let checks = self.nodes.iter().map(|node| {
                let probe = &probe;
                async move {
                    let answer = probe
                        .get(format!("{}/health/ready", node.address))
                        .send()
                        .await;
                    let ready = answer.is_ok_and(|r| r.status() == 200);
                    node.ready.store(ready, Ordering::SeqCst);
                }
            });
            futures_util::future::join_all(checks).await;
            tokio::time::sleep(READINESS_POLL).await;
        }
    }

    /// The next instance for a request, round robin over the ready ones not yet `tried`; when
    /// none is ready, any not yet tried (a balancer with no healthy backend still tries one).
    fn pick(&self, tried: &[usize]) -> Option<usize> {
        let turn = self.turn.fetch_add(1, Ordering::SeqCst);
        let count = self.nodes.len();
        let candidates = (0..count)
            .map(|k| (turn + k) % count)
            .filter(|i| !tried.contains(i));
        let untried: Vec<usize> = candidates.collect();
        untried
            .iter()
            .copied()
            .find(|&i| self.is_ready(i))
            .or_else(|| untried.first().copied())
    }

    /// Sends the request `build` makes for an instance's address and returns the status and
    /// JSON body; `None` after recording a failure (`what` names the request in the report).
    pub async fn send(
        &self,
        what: &str,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Option<(u16, Value)> {
        let mut tried = Vec::new();
        while let Some(i) = self.pick(&tried) {
            let node = &self.nodes[i];
            match build(&self.client, &node.address).send().await {
                Ok(response) => {
                    let status = response.status().as_u16();
                    let body = match response.json::<Value>().await {
                        Ok(body) => body,
                        Err(e) => {
                            self.fail(format!(
                                "{what} on {}: the body broke off: {e}",
                                node.address
                            ));
                            return None;
                        }
                    };
                    node.served.fetch_add(1, Ordering::SeqCst);
                    return Some((status, body));
                }
                Err(e) if e.is_connect() => {
                    self.retried.fetch_add(1, Ordering::SeqCst);
                    tried.push(i);
                }
                Err(e) => {
                    self.fail(format!("{what} on {}: {e:?}", node.address));
                    return None;
                }
            }
        }
        self.fail(format!("{what}: every instance refused the connection"));
        None
    }

    /// [`Self::send`], expecting `status`: anything else is a failure.
    pub async fn expect(
        &self,
        what: &str,
        status: u16,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Option<Value> {
        let (got, body) = self.send(what, build).await?;
        if got == status {
            Some(body)
        } else {
            self.fail(format!("{what}: {got} (expected {status}): {body}"));
            None
        }
    }
}
