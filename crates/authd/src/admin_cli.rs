//! `authd admin create` and `authd admin grant`: administrators made outside the API, against
//! the configured PostgreSQL. The password is read from standard input or a prompt, never from
//! an argument (the process list and the shell history would show it).

use crate::config::Config;
use crate::wiring;
use authd_domain::services::{AdminCreated, NewAdmin};
use secrecy::{ExposeSecret, SecretString};

/// The part of `authd --help` about `authd admin`.
pub const USAGE: &str = "  authd admin create --email E --username U
                         create an active, verified account with the admin role; the password
                         is the first line of standard input, or typed twice at a prompt (never
                         an argument); an existing admin is left as it is
  authd admin grant --email E ROLE
                         add ROLE (from ROLE_PERMISSIONS) to the account; its earlier access
                         tokens are cut off through the configured Redis (a running server
                         without Redis keeps its own denylist, which this command cannot reach:
                         those tokens then last until they expire)";

/// Why `authd admin` needs a database, and the way without one.
pub const NO_DATABASE: &str = "no database is configured: `authd admin` works on PostgreSQL \
(set DATABASE_URL, or DB_HOST, DB_NAME, DB_USER and DB_PASSWORD). With the embedded in-memory \
store the accounts live inside the server process, which this command cannot reach: set \
BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD (and BOOTSTRAP_ADMIN_USERNAME) for the \
server instead, and it makes the first admin at start-up";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminCommand {
    Create { email: String, username: String },
    Grant { email: String, role: String },
}

impl AdminCommand {
    /// Whether the command needs a password (read before anything else is done).
    #[must_use]
    pub fn needs_password(&self) -> bool {
        matches!(self, Self::Create { .. })
    }
}

/// Reads the arguments after `authd admin`.
///
/// # Errors
/// What is wrong with them, in one line that never repeats a value (it could be a password).
pub fn parse(args: &[&str]) -> Result<AdminCommand, String> {
    let (sub, rest) = args
        .split_first()
        .ok_or("`authd admin` needs a command: create or grant")?;
    let mut email = None;
    let mut username = None;
    let mut positional = Vec::new();
    let mut rest = rest.iter();
    while let Some(&arg) = rest.next() {
        let (name, inline): (&str, Option<&str>) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value)),
            _ => (arg, None),
        };
        let slot = match name {
            "--password" | "-p" => {
                return Err(
                    "--password is not accepted: a password given as an argument shows \
                            in the process list and the shell history. Pipe it as the first \
                            line of standard input, or type it at the prompt"
                        .to_owned(),
                );
            }
            "--email" => &mut email,
            "--username" if *sub == "create" => &mut username,
            // Short options are not echoed: `-pSECRET` would print the secret back.
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            flag if flag.starts_with('-') => {
                return Err("unknown short option (only --email and --username exist)".to_owned());
            }
            _ => {
                positional.push(arg);
                continue;
            }
        };
        let value = match inline {
            Some(value) => value,
            None => *rest.next().ok_or_else(|| format!("{name} needs a value"))?,
        };
        if slot.replace(value.to_owned()).is_some() {
            return Err(format!("{name} is given twice"));
        }
    }
    let email = email.ok_or("--email is required")?;
    match (*sub, positional.as_slice()) {
        ("create", []) => Ok(AdminCommand::Create {
            email,
            username: username.ok_or("--username is required")?,
        }),
        ("grant", [role]) => Ok(AdminCommand::Grant {
            email,
            role: (*role).to_owned(),
        }),
        ("grant", []) => Err("grant needs the ROLE to give".to_owned()),
        ("create" | "grant", _) => Err("unexpected extra arguments".to_owned()),
        (other, _) => Err(format!(
            "unknown admin command {other} (expected create or grant)"
        )),
    }
}

/// The password of `authd admin create`: the first line of standard input when it is not a
/// terminal (a trailing newline stripped), otherwise typed twice at a prompt without echo.
///
/// # Errors
/// No password, or the two typed differ.
pub fn read_password() -> Result<SecretString, String> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    // Each copy is a SecretString as soon as it exists, so it is wiped when dropped.
    let read = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(SecretString::from)
            .map_err(|e| format!("cannot read the password: {e}"))
    };
    let password = if stdin.is_terminal() {
        let first = read("Password for the admin: ")?;
        let again = read("The same password again: ")?;
        if first.expose_secret() != again.expose_secret() {
            return Err("the two passwords differ; nothing was changed".to_owned());
        }
        first
    } else {
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        let line = SecretString::from(line);
        read.map_err(|e| format!("cannot read the password from standard input: {e}"))?;
        SecretString::from(line.expose_secret().trim_end_matches(['\n', '\r']))
    };
    if password.expose_secret().is_empty() {
        return Err(
            "no password: pipe it as the first line of standard input, or run the \
                    command in a terminal to be asked for it"
                .to_owned(),
        );
    }
    Ok(password)
}

/// Runs `command` against the configured storage: what to print on success (exit 0), or one
/// line saying why not (exit 1).
///
/// # Errors
/// The failure, as one line.
pub async fn run(
    config: &Config,
    command: AdminCommand,
    password: Option<SecretString>,
) -> Result<String, String> {
    let first_admin = wiring::admin_tools(config)
        .await
        .map_err(|e| e.to_string())?;
    let fail = |e| wiring::describe_admin_error(&e);
    match command {
        AdminCommand::Create { email, username } => {
            let password = password.ok_or("no password was read")?;
            let outcome = first_admin
                .create(NewAdmin {
                    email: email.clone(),
                    username,
                    password,
                })
                .await
                .map_err(fail)?;
            Ok(match outcome {
                AdminCreated::AlreadyAdmin(_) => {
                    format!("{email} is already an admin: nothing changed")
                }
                AdminCreated::Promoted(_) | AdminCreated::Granted(_) => {
                    format!("{email} was made an admin")
                }
                AdminCreated::Created(_) | AdminCreated::AlreadyHeld(_) => {
                    format!("created the admin {email}")
                }
            })
        }
        AdminCommand::Grant { email, role } => {
            let outcome = first_admin.grant(&email, &role).await.map_err(fail)?;
            Ok(match outcome {
                AdminCreated::AlreadyHeld(_) | AdminCreated::AlreadyAdmin(_) => {
                    format!("{email} already holds {role}: nothing changed")
                }
                _ => format!("granted {role} to {email}"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(args: &[&str]) -> Result<AdminCommand, String> {
        parse(args)
    }

    #[test]
    fn create_takes_an_email_and_a_username_in_any_order_and_either_spelling() {
        let expected = AdminCommand::Create {
            email: "root@example.com".to_owned(),
            username: "root".to_owned(),
        };
        for args in [
            &[
                "create",
                "--email",
                "root@example.com",
                "--username",
                "root",
            ][..],
            &["create", "--username=root", "--email=root@example.com"][..],
        ] {
            assert_eq!(parsed(args), Ok(expected.clone()), "{args:?}");
        }
        assert!(expected.needs_password());
    }

    #[test]
    fn grant_takes_an_email_and_one_role() {
        let expected = AdminCommand::Grant {
            email: "mod@example.com".to_owned(),
            role: "moderator".to_owned(),
        };
        assert_eq!(
            parsed(&["grant", "--email", "mod@example.com", "moderator"]),
            Ok(expected.clone())
        );
        assert_eq!(
            parsed(&["grant", "moderator", "--email=mod@example.com"]),
            Ok(expected.clone())
        );
        assert!(!expected.needs_password());
    }

    #[test]
    fn a_password_argument_is_refused_saying_why_without_repeating_it() {
        for args in [
            &[
                "create",
                "--email",
                "a@example.com",
                "--username",
                "a",
                "--password",
                "hunter2",
            ][..],
            &["create", "--password=hunter2", "--email", "a@example.com"][..],
            &[
                "grant",
                "--email",
                "a@example.com",
                "-p",
                "hunter2",
                "admin",
            ][..],
        ] {
            let error = parsed(args).unwrap_err();
            assert!(error.contains("process list"), "{error}");
            assert!(error.contains("standard input"), "{error}");
            assert!(!error.contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn missing_or_extra_pieces_are_named() {
        let cases: [(&[&str], &str); 8] = [
            (&[], "create or grant"),
            (
                &["promote", "--email", "a@example.com"],
                "unknown admin command",
            ),
            (&["create", "--username", "a"], "--email is required"),
            (
                &["create", "--email", "a@example.com"],
                "--username is required",
            ),
            (&["create", "--email"], "--email needs a value"),
            (&["grant", "--email", "a@example.com"], "ROLE"),
            (
                &["grant", "--email", "a@b.c", "--email", "d@e.f", "x"],
                "twice",
            ),
            (
                &["grant", "--email", "a@example.com", "--force", "x"],
                "--force",
            ),
        ];
        for (args, says) in cases {
            let error = parsed(args).unwrap_err();
            assert!(error.contains(says), "{args:?}: {error}");
        }
        let extra = parsed(&["create", "--email", "a@b.c", "--username", "a", "s3cret"]);
        assert!(!extra.unwrap_err().contains("s3cret"));
    }
}
