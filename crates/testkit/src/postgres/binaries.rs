//! Finding the machine's PostgreSQL server programs, installing the Debian package when they are
//! missing and we may, and running them as a user PostgreSQL accepts (it refuses to run as root).

use crate::debian;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PROGRAMS: [&str; 3] = ["initdb", "postgres", "pg_ctl"];
const DEBIAN_DIR: &str = "/usr/lib/postgresql";
const INSTALL_HINT: &str = "sudo apt-get install -y postgresql";

/// The directory holding `initdb`, `postgres` and `pg_ctl`, and who runs them.
#[derive(Debug, Clone)]
pub(super) struct Binaries {
    dir: PathBuf,
    /// Set when this process is root: the programs then run as the `postgres` user.
    run_as_postgres: bool,
}

impl Binaries {
    /// Finds the programs, installing the `postgresql` package first when they are missing and
    /// this process is root; panics with the command to run otherwise.
    pub(super) fn find_or_install() -> Self {
        let root = debian::running_as_root();
        let dir = find().or_else(|| root.then(install).and_then(|()| find()));
        let Some(dir) = dir else {
            panic!(
                "the tests need a PostgreSQL server, but initdb, postgres and pg_ctl are neither \
                 in PATH nor in {DEBIAN_DIR}/<version>/bin; install them with:\n    {INSTALL_HINT}"
            );
        };
        if root && !postgres_user_exists() {
            panic!(
                "PostgreSQL refuses to run as root and there is no `postgres` user to run it as; \
                 create one with: useradd --system --user-group postgres"
            );
        }
        Self {
            dir,
            run_as_postgres: root,
        }
    }

    /// Whether the programs run as the `postgres` user, so their files must belong to it.
    pub(super) fn run_as_postgres(&self) -> bool {
        self.run_as_postgres
    }

    /// The shell words that run `program` (for the watchdog's script).
    pub(super) fn shell_prefix(&self, program: &str) -> String {
        let path = self.dir.join(program).display().to_string();
        if self.run_as_postgres {
            format!("runuser -u postgres -- '{path}'")
        } else {
            format!("'{path}'")
        }
    }

    /// Runs `program` with `args` to completion; panics with its output when it fails.
    pub(super) fn run(&self, program: &str, args: &[&str]) -> Output {
        let output = self.try_run(program, args);
        if !output.status.success() {
            panic!(
                "{program} {} failed ({}):\n{}{}",
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
            );
        }
        output
    }

    /// Runs `program` with `args` to completion, whatever its exit status.
    pub(super) fn try_run(&self, program: &str, args: &[&str]) -> Output {
        let path = self.dir.join(program);
        let mut command = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&path);
            c
        } else {
            Command::new(&path)
        };
        command
            .args(args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("could not run {}: {e}", path.display()))
    }
}

fn find() -> Option<PathBuf> {
    let in_path = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    in_path
        .into_iter()
        .chain(debian_dirs())
        .find(|dir| PROGRAMS.iter().all(|p| dir.join(p).is_file()))
}

/// `/usr/lib/postgresql/<version>/bin`, newest version first.
fn debian_dirs() -> Vec<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir(DEBIAN_DIR)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    versions.into_iter().map(|(_, dir)| dir).collect()
}

/// Installs the Debian package. Parallel test binaries serialize on a lock file, and a binary
/// that got the lock after another one installed finds the programs and skips the install.
fn install() {
    eprintln!("PostgreSQL is missing: installing the Debian package `postgresql` for the tests");
    let present = format!("ls {DEBIAN_DIR}/*/bin/initdb >/dev/null 2>&1");
    if let Err(e) = debian::install("postgresql", &present) {
        panic!("{e}; install PostgreSQL with:\n    {INSTALL_HINT}");
    }
}

fn postgres_user_exists() -> bool {
    Command::new("id")
        .args(["-u", "postgres"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Hands `path` and everything below it to the `postgres` user.
pub(super) fn give_to_postgres(path: &Path) {
    let status = Command::new("chown")
        .args(["-R", "postgres:"])
        .arg(path)
        .status();
    if !status.is_ok_and(|s| s.success()) {
        panic!("could not hand {} to the postgres user", path.display());
    }
}
