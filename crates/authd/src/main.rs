//! `authd`: the command line over the library. `authd` and `authd serve` run the service,
//! `authd migrate` applies the embedded schema migrations, `authd admin` makes administrators
//! (`authd::admin_cli`), `authd keys generate` makes signing keys (`authd::keys_cli`),
//! `authd healthcheck` probes a running instance (`authd::healthcheck`); configuration comes from the
//! environment and an optional `.env` (see docs/configuration.md).

use authd::admin_cli::{self, AdminCommand};
use authd::healthcheck::{self, HealthcheckCommand};
use authd::keys_cli::{self, KeysCommand};
use authd::{Application, Config, DatabaseConfig};
use std::process::ExitCode;

const USAGE_HEAD: &str = "\
authd: an authentication service (registration, login, JWT access tokens, refresh-token rotation)

Usage:
  authd [serve]          run the service (the default); with a database configured, first
                         applies pending migrations unless AUTO_MIGRATE=false
  authd migrate          apply the pending schema migrations and list them
  authd migrate status   list the pending migrations without applying them";

const USAGE_TAIL: &str = "  authd --help           print this help (-h)
  authd --version        print the version (-V)

Configuration is read from environment variables and an optional .env file in the working
directory; see docs/configuration.md. With no configuration at all, authd serves on
127.0.0.1:3000 with in-memory storage and writes email to ./var/mail. Set DATABASE_URL
(or DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_PASSWORD) to store data in PostgreSQL
(docs/postgres.md), REDIS_URL (or REDIS_HOST, ...) to share the denylist and rate limits between
instances (docs/redis.md), and SMTP_HOST to send email over SMTP (docs/email.md). `authd admin`
needs PostgreSQL; with in-memory storage, BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD
make the first admin when the server starts (docs/admin.md).";

fn usage() -> String {
    format!(
        "{USAGE_HEAD}\n{}\n{}\n{}\n{USAGE_TAIL}",
        admin_cli::USAGE,
        keys_cli::USAGE,
        healthcheck::USAGE
    )
}

const NO_DATABASE: &str = "no database is configured: set DATABASE_URL \
(e.g. postgres://authd:password@localhost:5432/authd) or DB_HOST, DB_NAME, DB_USER and \
DB_PASSWORD";

enum Command {
    Serve,
    Migrate,
    MigrateStatus,
    Admin(AdminCommand),
    Keys(KeysCommand),
    Healthcheck(HealthcheckCommand),
    Help,
    Version,
}

fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] | ["serve"] => Ok(Command::Serve),
        ["migrate"] => Ok(Command::Migrate),
        ["migrate", "status"] => Ok(Command::MigrateStatus),
        ["-h" | "--help" | "help"] => Ok(Command::Help),
        ["-V" | "--version"] => Ok(Command::Version),
        ["admin", rest @ ..] => admin_cli::parse(rest).map(Command::Admin),
        ["keys", rest @ ..] => keys_cli::parse(rest).map(Command::Keys),
        ["healthcheck", rest @ ..] => healthcheck::parse(rest).map(Command::Healthcheck),
        [other] => Err(format!("unknown command or option: {other}")),
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Help) => {
            println!("{}", usage());
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("authd {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Serve) => serve(),
        Ok(Command::Migrate) => migrate(false),
        Ok(Command::MigrateStatus) => migrate(true),
        Ok(Command::Admin(command)) => admin(command),
        Ok(Command::Keys(command)) => keys(command),
        Ok(Command::Healthcheck(command)) => probe(command),
        Err(message) => {
            eprintln!("authd: {message}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}

/// The configuration, or the exit code after printing every problem.
fn config() -> Result<Config, ExitCode> {
    Config::from_env().map_err(|errors| {
        eprintln!("invalid configuration:");
        for problem in errors.iter() {
            eprintln!("  {problem}");
        }
        ExitCode::from(2)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("authd: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        })
}

fn serve() -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    authd::telemetry::init(&config.log);
    #[cfg(unix)]
    authd::descriptors::raise_and_log();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let app = match Application::build(config).await {
            Ok(app) => app,
            Err(e) => {
                tracing::error!(error = %e, "start-up failed");
                eprintln!("authd: start-up failed: {e}");
                return ExitCode::FAILURE;
            }
        };
        match app.run_until_stopped().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "the server failed");
                ExitCode::FAILURE
            }
        }
    })
}

/// `authd migrate` (`status_only`: `authd migrate status`). Prints to stdout what it applied or
/// found pending, so that a deployment script can log it.
fn migrate(status_only: bool) -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    let Some(db) = config.database else {
        eprintln!("authd migrate: {NO_DATABASE}");
        return ExitCode::from(2);
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(run_migrate(&db, status_only)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("authd migrate: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run_migrate(
    db: &DatabaseConfig,
    status_only: bool,
) -> Result<(), authd::migrations::MigrationError> {
    let target = db.target();
    if status_only {
        let pending = authd::migrations::pending(db).await?;
        if pending.is_empty() {
            println!("{target}: the schema is up to date");
        }
        for version in pending {
            println!("pending {version}");
        }
        return Ok(());
    }
    let applied = authd::migrations::apply(db).await?;
    if applied.is_empty() {
        println!("{target}: the schema is up to date, nothing to apply");
    }
    for version in &applied {
        println!("applied {version}");
    }
    Ok(())
}

/// `authd admin ...`: exit 0 when done or nothing to do, 1 when refused or failed, 2 without a
/// database (the embedded store lives inside the server process).
fn admin(command: AdminCommand) -> ExitCode {
    let config = match config() {
        Ok(config) => config,
        Err(code) => return code,
    };
    if config.database.is_none() {
        eprintln!("authd admin: {}", admin_cli::NO_DATABASE);
        return ExitCode::from(2);
    }
    let password = if command.needs_password() {
        match admin_cli::read_password() {
            Ok(password) => Some(password),
            Err(e) => {
                eprintln!("authd admin: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(admin_cli::run(&config, command, password)) {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authd admin: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `authd keys generate`: the `kid` alone on standard output (for a script), what was written
/// and what to do next on standard error; exit 1 when nothing could be written.
fn keys(command: KeysCommand) -> ExitCode {
    match keys_cli::run(command) {
        Ok(made) => {
            println!("{}", made.kid);
            eprintln!(
                "wrote {}: a new {}-bit RSA signing key (PKCS#8 PEM, mode 0600). Publish it \
                 first: add it after the current key in JWT_PRIVATE_KEY_FILE on every instance \
                 (docs/operations.md, \"Rotating the signing key\")",
                made.path.display(),
                made.bits.bits()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authd keys generate: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `authd healthcheck`: exit 0 when ready, 1 for anything else, a configuration problem
/// included (Docker reserves exit code 2 in a `HEALTHCHECK`).
fn probe(command: HealthcheckCommand) -> ExitCode {
    let target = match command.url {
        Some(target) => target,
        None => match config() {
            Ok(config) => healthcheck::Target::of(&config.server),
            Err(_) => return ExitCode::FAILURE,
        },
    };
    match healthcheck::check(&target, healthcheck::TIMEOUT) {
        Ok(status) => {
            println!("{target}: {status}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("authd healthcheck: {e}");
            ExitCode::FAILURE
        }
    }
}
