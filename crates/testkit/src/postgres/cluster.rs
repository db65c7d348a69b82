//! One PostgreSQL cluster in a temp dir: `initdb`, `pg_ctl start`/`stop`, and a watchdog that
//! removes it all once the test process is gone (statics are never dropped at exit).

use super::binaries::{self, Binaries};
use std::fs;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Settings for speed over durability: a test cluster never needs to survive a crash. Many
/// connections, because every parallel test holds a pool of its own.
const TEST_SETTINGS: &str = "
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 32MB
listen_addresses = '127.0.0.1'
log_min_messages = warning
";

/// The watchdog's script. A process killed halfway through setting up may leave an `initdb` or
/// a `pg_ctl start` running: the data dir goes only once no process names it any more (the
/// script itself never spells out the data dir's path, so it does not count).
const WATCHDOG: &str = r#"(
  d='{dir}'; data="$d/data"
  while kill -0 {pid} 2>/dev/null; do sleep 0.2; done
  busy() {
    for f in /proc/[0-9]*/cmdline; do
      case "$(tr '\0' ' ' < "$f" 2>/dev/null)" in *"$data"*) return 0;; esac
    done
    return 1
  }
  i=0
  while [ $i -lt 300 ]; do
    if [ -f "$data/postmaster.pid" ]; then {pg_ctl} -D "$data" -m immediate -w stop; fi
    busy || break
    i=$((i + 1)); sleep 0.2
  done
  rm -rf "$d"
) &"#;

/// Another process may grab the port between our probe and the server's bind; try again then.
const START_ATTEMPTS: usize = 5;

#[derive(Debug)]
pub(super) struct Cluster {
    bins: Binaries,
    dir: PathBuf,
    port: u16,
    /// `ssl = on`, with copies of the certificate and key in the cluster's dir (owned by the
    /// server's user, which PostgreSQL demands of the key).
    tls: bool,
}

impl Cluster {
    /// Creates and starts a cluster in a fresh temp dir, on a free loopback port; with `ssl =
    /// on` and this certificate and key when `tls` is given (plain connections still allowed).
    pub(super) fn start_new(tls: Option<(PathBuf, PathBuf)>) -> Self {
        let bins = Binaries::find_or_install();
        let dir = std::env::temp_dir().join(format!(
            "authd-pg-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        let mut cluster = Self {
            bins,
            dir,
            port: 0,
            tls: tls.is_some(),
        };
        // The watchdog first, so that even a failed start leaves nothing behind.
        cluster.spawn_watchdog();
        if let Some((cert, key)) = tls {
            for (from, to) in [(cert, "server.pem"), (key, "server.key")] {
                let to = cluster.dir.join(to);
                fs::copy(&from, &to)
                    .unwrap_or_else(|e| panic!("could not copy {}: {e}", from.display()));
            }
        }
        if cluster.bins.run_as_postgres() {
            binaries::give_to_postgres(&cluster.dir);
        }
        let data = cluster.path("data");
        cluster.bins.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        for attempt in 1..=START_ATTEMPTS {
            cluster.port = free_port();
            cluster.write_settings();
            if cluster.pg_ctl_start().status.success() {
                return cluster;
            }
            if attempt == START_ATTEMPTS {
                let log = fs::read_to_string(cluster.path("server.log")).unwrap_or_default();
                panic!("PostgreSQL did not start; its log:\n{log}");
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    #[cfg(test)]
    pub(super) fn dir(&self) -> &std::path::Path {
        &self.dir
    }

    /// Starts the stopped server again, on the same port and data.
    pub(super) fn start(&self) {
        let output = self.pg_ctl_start();
        if !output.status.success() {
            let log = fs::read_to_string(self.path("server.log")).unwrap_or_default();
            panic!("PostgreSQL did not start again; its log:\n{log}");
        }
    }

    /// Stops the server, ending every connection (`pg_ctl stop -m fast`).
    pub(super) fn stop(&self) {
        self.bins.run(
            "pg_ctl",
            &["-D", &self.path("data"), "-m", "fast", "-w", "stop"],
        );
    }

    fn pg_ctl_start(&self) -> std::process::Output {
        let (data, log) = (self.path("data"), self.path("server.log"));
        self.bins.try_run(
            "pg_ctl",
            &["-D", &data, "-l", &log, "-w", "-t", "30", "start"],
        )
    }

    /// Appends the test settings and the port; on a retry the new port overrides the old one,
    /// because PostgreSQL takes the last value a file gives a setting.
    fn write_settings(&self) {
        let conf = self.dir.join("data").join("postgresql.conf");
        let mut text = fs::read_to_string(&conf)
            .unwrap_or_else(|e| panic!("could not read {}: {e}", conf.display()));
        text.push_str(TEST_SETTINGS);
        text.push_str(&format!(
            "port = {}\nunix_socket_directories = '{}'\n",
            self.port,
            self.dir.display()
        ));
        if self.tls {
            text.push_str(&format!(
                "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
                self.path("server.pem"),
                self.path("server.key")
            ));
        }
        fs::write(&conf, text)
            .unwrap_or_else(|e| panic!("could not write {}: {e}", conf.display()));
    }

    /// A detached shell that waits for this process to end, then stops the server and deletes
    /// the temp dir. It is started in the background by a shell we wait for, so it never
    /// becomes our zombie, and in a process group of its own, so that a Ctrl-C at the terminal
    /// does not kill it before it cleans up.
    fn spawn_watchdog(&self) {
        let script = WATCHDOG
            .replace("{pid}", &std::process::id().to_string())
            .replace("{dir}", &self.dir.display().to_string())
            .replace("{pg_ctl}", &self.bins.shell_prefix("pg_ctl"));
        let started = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .status();
        if !started.as_ref().is_ok_and(|s| s.success()) {
            panic!("could not start the PostgreSQL watchdog: {started:?}");
        }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

/// A standalone cluster goes away with its value; the shared one lives until the watchdog.
impl Drop for Cluster {
    fn drop(&mut self) {
        if self.dir.join("data").join("postmaster.pid").exists() {
            let data = self.path("data");
            self.bins
                .try_run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("could not find a free loopback port: {e}"))
}
