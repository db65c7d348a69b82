//! One aiosmtpd process in a temp dir (its script, its Maildir, its certificate, its log), on a
//! loopback port that survives `stop`/`start`. The server exits by itself once the test process
//! is gone, and a watchdog then deletes the temp dir (statics are never dropped at exit).

use super::python;
use super::{ServerOptions, ServerTls};
use std::fs;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

const SCRIPT: &str = include_str!("server.py");

/// The server polls for its parent every 0.2 s: the dir goes once it has surely noticed.
const WATCHDOG: &str = r#"(
  while kill -0 {pid} 2>/dev/null; do sleep 0.2; done
  sleep 2
  rm -rf '{dir}'
) &"#;

/// Another process may grab the port between our probe and the server's bind; try again then.
const START_ATTEMPTS: usize = 5;
const READY_WITHIN: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub(super) struct Process {
    python: PathBuf,
    dir: PathBuf,
    port: u16,
    options: ServerOptions,
    child: Mutex<Option<Child>>,
}

impl Process {
    /// Starts a server in a fresh temp dir, on a free loopback port; blocks until it accepts
    /// connections.
    pub(super) fn start_new(options: ServerOptions) -> Self {
        let python = python::find_or_install();
        let dir = std::env::temp_dir().join(format!(
            "authd-smtpd-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        fs::create_dir(&dir).unwrap_or_else(|e| panic!("could not create {}: {e}", dir.display()));
        spawn_watchdog(&dir);
        write(&dir.join("server.py"), SCRIPT.as_bytes());
        if options.tls != ServerTls::None {
            make_certificate(&dir);
        }
        let mut process = Self {
            python,
            dir,
            port: 0,
            options,
            child: Mutex::new(None),
        };
        for attempt in 1..=START_ATTEMPTS {
            process.port = free_port();
            match process.spawn() {
                Ok(child) => {
                    *process
                        .child
                        .get_mut()
                        .unwrap_or_else(PoisonError::into_inner) = Some(child);
                    return process;
                }
                Err(log) if attempt == START_ATTEMPTS => {
                    panic!("the SMTP server did not start; its log:\n{log}")
                }
                Err(_) => {}
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    pub(super) fn port(&self) -> u16 {
        self.port
    }

    pub(super) fn maildir(&self) -> PathBuf {
        self.dir.join("maildir")
    }

    pub(super) fn certificate_path(&self) -> Option<PathBuf> {
        (self.options.tls != ServerTls::None).then(|| self.dir.join("cert.pem"))
    }

    #[cfg(test)]
    pub(super) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Kills the server; the port refuses connections once this returns.
    pub(super) fn stop(&self) {
        if let Some(mut child) = self.lock().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped server again on the same port, with the same mail.
    pub(super) fn start(&self) {
        let mut child = self.lock();
        if child.is_some() {
            return;
        }
        match self.spawn() {
            Ok(started) => *child = Some(started),
            Err(log) => panic!("the SMTP server did not start again; its log:\n{log}"),
        }
    }

    /// Spawns the server and waits until it accepts connections; its log when it exits first.
    fn spawn(&self) -> Result<Child, String> {
        let log_path = self.dir.join("server.log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap_or_else(|e| panic!("could not open {}: {e}", log_path.display()));
        let stderr = log
            .try_clone()
            .unwrap_or_else(|e| panic!("could not open {}: {e}", log_path.display()));
        let mut command = Command::new(&self.python);
        command
            .arg(self.dir.join("server.py"))
            .args(["--port", &self.port.to_string()])
            .arg("--maildir")
            .arg(self.maildir());
        match self.options.tls {
            ServerTls::None => {}
            ServerTls::StartTls => tls_args(&mut command, "starttls", &self.dir),
            ServerTls::Implicit => tls_args(&mut command, "implicit", &self.dir),
        }
        if let Some((user, password)) = &self.options.login {
            command.args(["--user", user, "--password", password]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(stderr)
            // Its own process group: a Ctrl-C at the terminal reaches the test process, and the
            // server then exits when it sees its parent gone.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", self.python.display()));
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(child);
            }
            let exited = child.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(fs::read_to_string(&log_path).unwrap_or_default());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Child>> {
        self.child.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A standalone server goes away with its value; the shared one lives until the watchdog.
impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn tls_args(command: &mut Command, mode: &str, dir: &Path) {
    command
        .args(["--tls", mode, "--cert"])
        .arg(dir.join("cert.pem"))
        .arg("--key")
        .arg(dir.join("key.pem"));
}

/// A self-signed certificate for `127.0.0.1` and `localhost`: a leaf (not a CA, which rustls
/// refuses as a server certificate) that clients add as their trusted root.
fn make_certificate(dir: &Path) {
    let output = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "ec", "-pkeyopt"])
        .args(["ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdin(Stdio::null())
        .output();
    match output {
        Ok(o) if o.status.success() => {}
        Ok(o) => panic!(
            "openssl could not make a test certificate:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!(
            "the TLS tests need the openssl program ({e}); install it with:\n    \
             sudo apt-get install -y openssl"
        ),
    }
}

/// A detached shell that waits for this process to end, then deletes the temp dir. It is
/// started in the background by a shell we wait for, so it never becomes our zombie, and in a
/// process group of its own, so that a Ctrl-C at the terminal does not kill it first.
fn spawn_watchdog(dir: &Path) {
    let script = WATCHDOG
        .replace("{pid}", &std::process::id().to_string())
        .replace("{dir}", &dir.display().to_string());
    let started = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .status();
    if !started.as_ref().is_ok_and(|s| s.success()) {
        panic!("could not start the SMTP server's watchdog: {started:?}");
    }
}

fn write(path: &Path, contents: &[u8]) {
    fs::write(path, contents).unwrap_or_else(|e| panic!("could not write {}: {e}", path.display()));
}

/// A loopback port nobody listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("could not find a free loopback port: {e}"))
}
