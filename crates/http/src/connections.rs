//! `MAX_CONNECTIONS_PER_IP`: how many connections one client address may hold open. Every
//! connection is counted from its accept to its close, across all workers; one over the cap is
//! shut down before a byte of it is read, so it costs its descriptor for a moment only (see
//! docs/decisions.md). IPv6 clients count per network, as for the rate limits. Peers in
//! `TRUSTED_PROXIES` are not capped: a reverse proxy carries many clients' connections.

use crate::middleware::rate_limit::{Ipv6Prefix, LogThrottle, bucket};
use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;
use ipnet::IpNet;
use std::any::Any;
use std::collections::HashMap;
use std::net::{IpAddr, Shutdown};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

const WARN_INTERVAL: Duration = Duration::from_secs(60);

/// The open connections per client, shared by every worker.
#[derive(Debug)]
pub struct ConnectionLimit {
    max: usize,
    ipv6_prefix: Ipv6Prefix,
    trusted_proxies: Vec<IpNet>,
    open: Arc<Mutex<HashMap<String, usize>>>,
    warnings: LogThrottle,
}

/// Held by an admitted connection (in its extensions) until it closes.
#[derive(Debug)]
pub struct Admitted {
    key: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl ConnectionLimit {
    /// `max` 0: no cap.
    #[must_use]
    pub fn new(max: usize, ipv6_prefix: Ipv6Prefix, trusted_proxies: Vec<IpNet>) -> Self {
        Self {
            max,
            ipv6_prefix,
            trusted_proxies,
            open: Arc::default(),
            warnings: LogThrottle::new(WARN_INTERVAL),
        }
    }

    /// For `HttpServer::on_connect`: counts the connection, or shuts it down when its client
    /// already holds `max`.
    pub fn on_connect(&self, connection: &dyn Any, extensions: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        match self.admit(peer.ip()) {
            Admission::Uncounted => {}
            Admission::Admitted(admitted) => {
                extensions.insert(admitted);
            }
            Admission::Refused => {
                if self.warnings.permit() {
                    tracing::warn!(
                        client = %bucket(peer.ip(), self.ipv6_prefix),
                        max = self.max,
                        "connection refused: the client holds MAX_CONNECTIONS_PER_IP \
                         connections (logged at most once a minute)"
                    );
                }
                // The dispatcher then reads end-of-stream and drops the connection at once.
                if let Err(e) = socket2::SockRef::from(stream).shutdown(Shutdown::Both) {
                    tracing::debug!(error = %e, "cannot shut down a refused connection");
                }
            }
        }
    }

    /// Whether a new connection from `ip` may stay open.
    pub fn admit(&self, ip: IpAddr) -> Admission {
        let ip = ip.to_canonical();
        if self.max == 0 || self.trusted_proxies.iter().any(|net| net.contains(&ip)) {
            return Admission::Uncounted;
        }
        let key = bucket(ip, self.ipv6_prefix);
        let mut open = lock(&self.open);
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= self.max {
            return Admission::Refused;
        }
        *count += 1;
        Admission::Admitted(Admitted {
            key,
            open: self.open.clone(),
        })
    }

    /// How many connections the client of `ip` holds.
    #[must_use]
    pub fn open(&self, ip: IpAddr) -> usize {
        let key = bucket(ip.to_canonical(), self.ipv6_prefix);
        lock(&self.open).get(&key).copied().unwrap_or(0)
    }
}

/// What [`ConnectionLimit::admit`] decided.
#[derive(Debug)]
pub enum Admission {
    /// No cap applies (a trusted proxy, or no cap at all).
    Uncounted,
    /// Counted until the returned value is dropped.
    Admitted(Admitted),
    Refused,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = lock(&self.open);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                // A client that left leaves nothing behind.
                open.remove(&self.key);
            }
        }
    }
}

/// The counts stay right even if a thread panicked while holding the lock: every update is a
/// single step.
fn lock(open: &Mutex<HashMap<String, usize>>) -> MutexGuard<'_, HashMap<String, usize>> {
    open.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(max: usize) -> ConnectionLimit {
        ConnectionLimit::new(
            max,
            Ipv6Prefix::DEFAULT,
            vec!["10.0.0.0/8".parse().unwrap()],
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_is_refused_over_the_cap_and_admitted_again_once_one_closes() {
        let limit = limit(2);
        let first = limit.admit(ip("192.0.2.1"));
        let _second = limit.admit(ip("192.0.2.1"));
        assert!(matches!(limit.admit(ip("192.0.2.1")), Admission::Refused));
        assert!(matches!(
            limit.admit(ip("192.0.2.2")),
            Admission::Admitted(_)
        ));
        drop(first);
        assert!(matches!(
            limit.admit(ip("192.0.2.1")),
            Admission::Admitted(_)
        ));
    }

    #[test]
    fn closed_connections_leave_no_count_behind() {
        let limit = limit(3);
        for _ in 0..1000 {
            let held: Vec<_> = (0..3).map(|_| limit.admit(ip("192.0.2.1"))).collect();
            assert_eq!(limit.open(ip("192.0.2.1")), 3);
            drop(held);
        }
        assert_eq!(limit.open(ip("192.0.2.1")), 0);
        assert!(lock(&limit.open).is_empty());
    }

    #[test]
    fn ipv6_clients_count_per_network_and_mapped_ipv4_as_ipv4() {
        let limit = limit(1);
        let _held = limit.admit(ip("2001:db8:1:2::1"));
        assert!(matches!(
            limit.admit(ip("2001:db8:1:2::ffff")),
            Admission::Refused
        ));
        let _v4 = limit.admit(ip("192.0.2.1"));
        assert!(matches!(
            limit.admit(ip("::ffff:192.0.2.1")),
            Admission::Refused
        ));
    }

    #[test]
    fn trusted_proxies_and_a_cap_of_zero_are_not_counted() {
        let limit = limit(1);
        for _ in 0..5 {
            assert!(matches!(limit.admit(ip("10.1.2.3")), Admission::Uncounted));
        }
        let off = ConnectionLimit::new(0, Ipv6Prefix::DEFAULT, Vec::new());
        assert!(matches!(off.admit(ip("192.0.2.1")), Admission::Uncounted));
    }
}
