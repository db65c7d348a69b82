//! `authd`: the command line over the library. `authd` and `authd serve` run the service;
//! configuration comes from the environment and an optional `.env` (see docs/configuration.md).

use authd::{Application, Config};
use std::process::ExitCode;

const USAGE: &str = "\
authd: an authentication service (registration, login, JWT access tokens, refresh-token rotation)

Usage:
  authd [serve]     run the service (the default)
  authd --help      print this help (-h)
  authd --version   print the version (-V)

Configuration is read from environment variables and an optional .env file in the working
directory; see docs/configuration.md. With no configuration at all, authd serves on
127.0.0.1:3000 with in-memory storage and writes email to ./var/mail.";

enum Command {
    Serve,
    Help,
    Version,
}

fn parse(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Serve),
        [one] => match one.as_str() {
            "serve" => Ok(Command::Serve),
            "-h" | "--help" | "help" => Ok(Command::Help),
            "-V" | "--version" => Ok(Command::Version),
            other => Err(format!("unknown command or option: {other}")),
        },
        _ => Err(format!("unexpected arguments: {}", args.join(" "))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("authd {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Ok(Command::Serve) => serve(),
        Err(message) => {
            eprintln!("authd: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(errors) => {
            eprintln!("invalid configuration:");
            for problem in errors.iter() {
                eprintln!("  {problem}");
            }
            return ExitCode::from(2);
        }
    };
    authd::telemetry::init(&config.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("authd: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
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
