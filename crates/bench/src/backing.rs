//! The processes behind the production stack, found by asking the servers themselves: the
//! PostgreSQL postmaster (parent of any backend) and the Redis server. Their CPU time tells
//! what the stack costs besides authd, and what is left of the machine's busy time is
//! interference from outside the run.

use crate::error::BenchError;
use crate::procfs::parent_of;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use tokio_postgres::NoTls;

/// The postmaster's pid: the parent of the backend serving this connection.
///
/// # Errors
/// PostgreSQL cannot be asked.
pub async fn postmaster_pid(database_url: &str) -> Result<u32, BenchError> {
    let (client, connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let connection = tokio::spawn(connection);
    let backend: i32 = client
        .query_one("SELECT pg_backend_pid()", &[])
        .await?
        .get(0);
    // Read while the backend still lives: it exits with the connection.
    let postmaster = u32::try_from(backend).ok().and_then(parent_of);
    drop(client);
    let _ = connection.await;
    postmaster
        .ok_or_else(|| BenchError::setup(format!("no parent for PostgreSQL backend {backend}")))
}

/// `process_id` of `INFO server`.
///
/// # Errors
/// Redis cannot be asked, or does not say.
pub fn redis_pid(port: u16) -> Result<u32, BenchError> {
    let failed = |e: std::io::Error| BenchError::setup(format!("asking Redis its pid: {e}"));
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(failed)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(2)))
        .map_err(failed)?;
    stream
        .write_all(b"*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n")
        .map_err(failed)?;
    let mut reply = Vec::new();
    let mut chunk = [0_u8; 4096];
    loop {
        let n = stream.read(&mut chunk).map_err(failed)?;
        reply.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&reply);
        if let Some(pid) = process_id(&text) {
            return Ok(pid);
        }
        if n == 0 || reply.len() > 64 * 1024 {
            return Err(BenchError::setup("Redis did not tell its process_id"));
        }
    }
}

/// The pid, once its whole line has arrived.
fn process_id(info: &str) -> Option<u32> {
    let (_, rest) = info.split_once("process_id:")?;
    let (pid, _) = rest.split_once("\r\n")?;
    pid.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pid_is_read_from_the_server_section_of_info() {
        let info =
            "$120\r\n# Server\r\nredis_version:7.0.15\r\nprocess_id:4242\r\ntcp_port:6379\r\n";
        assert_eq!(process_id(info), Some(4242));
    }

    #[test]
    fn a_pid_cut_off_by_the_end_of_a_read_is_not_taken() {
        assert_eq!(process_id("# Server\r\nprocess_id:42"), None);
    }
}
