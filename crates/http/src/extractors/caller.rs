//! Who is calling, as far as the connection tells: the caller's IP (the socket peer, or the
//! right-most untrusted `X-Forwarded-For` hop when the peer is a trusted proxy) and its
//! User-Agent. Recorded on sessions and in the audit log; never trusted for a decision.

use super::state;
use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::http::header::{HeaderMap, USER_AGENT};
use actix_web::{FromRequest, HttpRequest};
use authd_domain::session::ClientInfo;
use futures_util::future::{Ready, ready};
use ipnet::IpNet;
use std::net::IpAddr;

/// User-Agents longer than this are cut: they are stored and shown, never trusted.
const MAX_USER_AGENT_CHARS: usize = 512;

/// The caller's address and User-Agent, as the domain's `ClientInfo`.
#[derive(Debug, Clone)]
pub struct CallerInfo(pub ClientInfo);

impl FromRequest for CallerInfo {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(state(req).map(|state| {
            let peer = req.peer_addr().map(|addr| addr.ip());
            let ip = request_ip(req.headers(), peer, &state.settings.trusted_proxies);
            let user_agent = req
                .headers()
                .get(USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(MAX_USER_AGENT_CHARS).collect());
            Self(ClientInfo {
                ip: ip.map(|ip| ip.to_canonical().to_string()),
                user_agent,
            })
        }))
    }
}

/// The client's address of a request from `peer` with `headers` (see [`client_ip`]).
#[must_use]
pub fn request_ip(headers: &HeaderMap, peer: Option<IpAddr>, trusted: &[IpNet]) -> Option<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    client_ip(peer, &forwarded, trusted)
}

/// The client's address. `X-Forwarded-For` (every header, in order) is read only when `peer` is a
/// trusted proxy; walking it right to left, the first hop that is not itself a trusted proxy is
/// the client. A malformed hop stops the walk: what is left of it cannot be trusted, so the last
/// address vouched for by a trusted proxy is used.
#[must_use]
pub fn client_ip(peer: Option<IpAddr>, forwarded: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let mut client = peer;
    let hops = forwarded.iter().flat_map(|h| h.split(',')).map(str::trim);
    for hop in hops.rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    Some(client)
}

/// An address as proxies write it: bare, or `[v6]`/`v4` with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    hop.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().filter_map(|n| n.parse().ok()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let got = client_ip(
            Some(ip("203.0.113.9")),
            &["1.2.3.4"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let got = client_ip(
            Some(ip("10.0.0.2")),
            &["6.6.6.6, 198.51.100.7, 10.0.0.5"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, Some(ip("198.51.100.7")));
    }

    #[test]
    fn several_forwarded_headers_are_read_as_one_list() {
        let got = client_ip(
            Some(ip("10.0.0.2")),
            &["6.6.6.6", "198.51.100.7"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, Some(ip("198.51.100.7")));
    }

    #[test]
    fn a_trusted_proxy_without_forwarded_header_is_the_client() {
        let got = client_ip(Some(ip("10.0.0.2")), &[], &nets(&["10.0.0.0/8"]));
        assert_eq!(got, Some(ip("10.0.0.2")));
    }

    #[test]
    fn a_malformed_hop_stops_the_walk_at_the_last_vouched_address() {
        let got = client_ip(
            Some(ip("10.0.0.2")),
            &["198.51.100.7, garbage, 10.0.0.9"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, Some(ip("10.0.0.9")));
    }

    #[test]
    fn hops_with_ports_and_ipv6_brackets_are_understood() {
        let trusted = nets(&["10.0.0.0/8"]);
        let got = client_ip(Some(ip("10.0.0.2")), &["198.51.100.7:4711"], &trusted);
        assert_eq!(got, Some(ip("198.51.100.7")));
        let got = client_ip(Some(ip("10.0.0.2")), &["[2001:db8::1]:443"], &trusted);
        assert_eq!(got, Some(ip("2001:db8::1")));
    }

    #[test]
    fn an_ipv4_mapped_peer_matches_an_ipv4_trusted_network() {
        let got = client_ip(
            Some(ip("::ffff:10.0.0.2")),
            &["198.51.100.7"],
            &nets(&["10.0.0.0/8"]),
        );
        assert_eq!(got, Some(ip("198.51.100.7")));
    }

    #[test]
    fn no_peer_address_means_no_client_address() {
        assert_eq!(client_ip(None, &["1.2.3.4"], &[]), None);
    }
}
