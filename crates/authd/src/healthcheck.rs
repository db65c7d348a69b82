//! `authd healthcheck`: asks a running authd whether it is ready (`GET /health/ready`) and exits
//! 0 on a 200, 1 otherwise, so that a container image needs no curl for its `HEALTHCHECK`.
//! A hand-written HTTP/1.1 request over `std::net::TcpStream`: one request, one status line read,
//! no TLS (the probe talks to the instance beside it, on loopback).

use crate::ServerConfig;
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

pub const USAGE: &str = "  authd healthcheck [--url URL]
                         exit 0 when the authd on HOST:PORT answers GET /health/ready with
                         200, 1 otherwise (the container image's HEALTHCHECK); --url asks
                         http://host:port/path instead";

/// Connecting, sending and reading each get this long; an orchestrator's probe has its own
/// timeout on top.
pub const TIMEOUT: Duration = Duration::from_secs(3);

const READY_PATH: &str = "/health/ready";

/// What to ask: `http://host:port/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    host: String,
    port: u16,
    path: String,
}

/// `authd healthcheck [--url URL]`: `None` means the configured `HOST` and `PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthcheckCommand {
    pub url: Option<Target>,
}

/// Parses the arguments after `healthcheck`.
///
/// # Errors
/// Unknown arguments, or a URL that is not `http://host:port/...`.
pub fn parse(args: &[&str]) -> Result<HealthcheckCommand, String> {
    match args {
        [] => Ok(HealthcheckCommand { url: None }),
        ["--url", url] => Target::from_url(url).map(|t| HealthcheckCommand { url: Some(t) }),
        _ => Err(format!(
            "healthcheck: unexpected arguments: {}",
            args.join(" ")
        )),
    }
}

impl Target {
    /// The readiness endpoint of the server `config` describes. A wildcard bind address
    /// (`0.0.0.0`, `::`) is reached on the loopback address of its family.
    #[must_use]
    pub fn of(config: &ServerConfig) -> Self {
        let host = match config.host.as_str() {
            "0.0.0.0" => "127.0.0.1",
            "::" | "[::]" => "::1",
            other => other,
        };
        Self {
            host: host.trim_matches(['[', ']']).to_owned(),
            port: config.port,
            path: READY_PATH.to_owned(),
        }
    }

    /// `http://host[:port][/path]`; the path defaults to `/health/ready`, the port to 80.
    ///
    /// # Errors
    /// Not an `http://` URL (the probe speaks no TLS), or a bad host or port.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("healthcheck: --url {url}: {why}");
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("only http:// URLs are supported"))?;
        let (authority, path) = rest
            .find('/')
            .map_or((rest, READY_PATH), |at| (&rest[..at], &rest[at..]));
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(|| bad("unclosed ["))?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            None => 80,
            Some(p) => p.parse().map_err(|_| bad("the port is not a number"))?,
        };
        Ok(Self {
            host: host.to_owned(),
            port,
            path: path.to_owned(),
        })
    }

    fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "http://{}{}", self.authority(), self.path)
    }
}

/// Asks `target` once. `Ok` with the status line on a 200; `Err` saying why not otherwise.
///
/// # Errors
/// Unreachable, too slow, not HTTP, or a status other than 200.
pub fn check(target: &Target, timeout: Duration) -> Result<String, String> {
    let authority = target.authority();
    let addrs = (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("{target}: cannot resolve {}: {e}", target.host))?;
    let mut last = format!("{target}: no address for {}", target.host);
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(stream) => return ask(stream, target, &authority, timeout),
            Err(e) => last = format!("{target}: cannot connect: {e}"),
        }
    }
    Err(last)
}

fn ask(
    mut stream: TcpStream,
    target: &Target,
    authority: &str,
    timeout: Duration,
) -> Result<String, String> {
    let io = |e: std::io::Error| format!("{target}: {e}");
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: authd-healthcheck\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n",
        target.path
    );
    stream.write_all(request.as_bytes()).map_err(io)?;
    // The status line is all that matters; 512 bytes hold it whatever the reason phrase.
    let mut head = Vec::with_capacity(512);
    let mut buf = [0_u8; 512];
    while !head.contains(&b'\n') && head.len() < 512 {
        match stream.read(&mut buf).map_err(io)? {
            0 => break,
            n => head.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&head);
    let line = text.lines().next().unwrap_or_default().trim().to_owned();
    let mut parts = line.split_whitespace();
    let (Some(version), Some(status)) = (parts.next(), parts.next()) else {
        return Err(format!("{target}: not an HTTP answer: {line:?}"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(format!("{target}: not an HTTP/1.x answer: {line:?}"));
    }
    if status == "200" {
        Ok(line)
    } else {
        Err(format!("{target}: answered {line}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::from_url(url).unwrap()
    }

    #[test]
    fn urls_give_host_port_and_path_with_the_readiness_path_by_default() {
        assert_eq!(
            target("http://127.0.0.1:3000").to_string(),
            "http://127.0.0.1:3000/health/ready"
        );
        assert_eq!(
            target("http://localhost:8080/health/live").to_string(),
            "http://localhost:8080/health/live"
        );
        assert_eq!(
            target("http://[::1]:3000/").to_string(),
            "http://[::1]:3000/"
        );
        assert_eq!(target("http://example").port, 80);
    }

    #[test]
    fn bad_urls_and_arguments_are_refused() {
        for url in [
            "https://127.0.0.1:3000",
            "127.0.0.1:3000",
            "http://:3000",
            "http://h:x",
        ] {
            assert!(Target::from_url(url).is_err(), "{url}");
        }
        assert!(parse(&["--url"]).is_err());
        assert!(parse(&["--verbose"]).is_err());
        assert_eq!(parse(&[]).unwrap(), HealthcheckCommand { url: None });
    }

    #[test]
    fn nothing_listening_is_a_failure_that_names_the_target() {
        // Bind then drop: the port was free a moment ago and nothing listens on it now.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = check(
            &target(&format!("http://127.0.0.1:{port}")),
            Duration::from_secs(1),
        )
        .unwrap_err();
        assert!(
            err.contains(&format!("127.0.0.1:{port}/health/ready")),
            "{err}"
        );
    }
}
