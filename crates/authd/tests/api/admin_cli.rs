//! The first admin: `authd admin create` / `authd admin grant` against PostgreSQL, and
//! `BOOTSTRAP_ADMIN_*` at start-up (the way on the embedded in-memory store); plus what start-up
//! says about a `GEOIP_DATABASE` that is no MaxMind DB.

use crate::helpers::{Jwt, PASSWORD, TestUser, spawn_app_on};
use authd_testkit::postgres::server;
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the real binary with only `vars` (plus `PATH`) in its environment, `stdin` piped in.
pub(crate) async fn authd(args: &[&str], vars: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_authd"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("LOG_LEVEL", "warn")
        .env("BCRYPT_ROUNDS", "4")
        .current_dir(std::env::temp_dir())
        .envs(vars.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let stdin = stdin.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("authd runs");
        if let Some(mut pipe) = child.stdin.take() {
            // A command that exits before reading closes the pipe: not an error here.
            let _ = pipe.write_all(stdin.as_bytes());
        }
        child.wait_with_output().expect("authd's output")
    })
    .await
    .expect("the command's thread")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn admin_user(email: &str, username: &str) -> TestUser {
    TestUser {
        id: String::new(),
        email: email.to_owned(),
        username: username.to_owned(),
        password: PASSWORD.to_owned(),
    }
}

fn roles_of(access_token: &str) -> Vec<String> {
    Jwt::decode(access_token).claims["roles"]
        .as_array()
        .map(|roles| {
            roles
                .iter()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_password_argument_is_refused_saying_why_and_nothing_runs() {
    let output = authd(
        &[
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--username",
            "root",
            "--password",
            "Hunter2-Secret!",
        ],
        &[],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let all = format!("{}{}", stdout(&output), stderr(&output));
    assert!(all.contains("process list"), "{all}");
    assert!(all.contains("standard input"), "{all}");
    assert!(
        !all.contains("Hunter2-Secret!"),
        "the password was repeated: {all}"
    );
}

#[tokio::test]
async fn without_a_database_the_admin_commands_point_to_the_bootstrap_variables() {
    for args in [
        &[
            "admin",
            "create",
            "--email",
            "root@example.com",
            "--username",
            "root",
        ][..],
        &["admin", "grant", "--email", "root@example.com", "admin"][..],
    ] {
        let output = authd(args, &[], &format!("{PASSWORD}\n")).await;

        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let said = stderr(&output);
        assert!(said.contains("BOOTSTRAP_ADMIN_EMAIL"), "{said}");
        assert!(said.contains("inside the server process"), "{said}");
    }
}

#[tokio::test]
async fn help_lists_the_admin_commands() {
    let output = authd(&["--help"], &[], "").await;

    assert!(output.status.success());
    let help = stdout(&output);
    assert!(
        help.contains("authd admin create --email E --username U"),
        "{help}"
    );
    assert!(help.contains("authd admin grant --email E ROLE"), "{help}");
}

#[tokio::test]
async fn admin_create_makes_an_admin_once_and_then_says_it_is_one() {
    let url = server().await.fresh_database(None).await;
    let database = [("DATABASE_URL", url.as_str())];
    let create = [
        "admin",
        "create",
        "--email",
        "root@example.com",
        "--username",
        "root",
    ];
    let password = format!("{PASSWORD}\n");

    let first = authd(&create, &database, &password).await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("created"), "{}", stdout(&first));

    let again = authd(&create, &database, &password).await;
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("already an admin"),
        "{}",
        stdout(&again)
    );

    let app = spawn_app_on(Some(url), &[]).await;
    let admin = app.login(&admin_user("root@example.com", "root")).await;
    assert!(
        roles_of(&admin.access_token).contains(&"admin".to_owned()),
        "{:?}",
        admin.reply_body
    );
    app.get_authed("/v1/admin/users", &admin.access_token)
        .await
        .ok(200);
}

#[tokio::test]
async fn admin_create_with_an_email_of_an_ordinary_account_refuses_in_one_line() {
    let url = server().await.fresh_database(None).await;
    let app = spawn_app_on(Some(url.clone()), &[]).await;
    let user = app.verified_user().await;

    let output = authd(
        &[
            "admin",
            "create",
            "--email",
            &user.email,
            "--username",
            "someone_else",
        ],
        &[("DATABASE_URL", url.as_str())],
        &format!("{PASSWORD}\n"),
    )
    .await;

    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    let said = stderr(&output);
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(said.contains("authd admin grant"), "{said}");
}

#[tokio::test]
async fn admin_grant_adds_a_role_once_and_refuses_an_unknown_one() {
    let url = server().await.fresh_database(None).await;
    let app = spawn_app_on(Some(url.clone()), &[]).await;
    let user = app.verified_user().await;
    let before = app.login(&user).await;
    let database = [("DATABASE_URL", url.as_str())];
    let grant = |role: &'static str| {
        let email = user.email.clone();
        async move { authd(&["admin", "grant", "--email", &email, role], &database, "").await }
    };

    let granted = grant("moderator").await;
    assert!(granted.status.success(), "{}", stderr(&granted));
    assert!(stdout(&granted).contains("granted"), "{}", stdout(&granted));

    let again = grant("moderator").await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("already holds"),
        "{}",
        stdout(&again)
    );

    let unknown = grant("wizard").await;
    assert_eq!(unknown.status.code(), Some(1), "{}", stdout(&unknown));
    let said = stderr(&unknown);
    assert_eq!(said.trim().lines().count(), 1, "{said}");
    assert!(
        said.contains("wizard") && said.contains("ROLE_PERMISSIONS"),
        "{said}"
    );

    let nobody = authd(
        &[
            "admin",
            "grant",
            "--email",
            "nobody@example.com",
            "moderator",
        ],
        &database,
        "",
    )
    .await;
    assert_eq!(nobody.status.code(), Some(1), "{}", stdout(&nobody));

    // The next login carries the new role.
    let after = app.login(&user).await;
    assert!(
        roles_of(&after.access_token).contains(&"moderator".to_owned()),
        "{:?}",
        after.reply_body
    );
    assert!(!roles_of(&before.access_token).contains(&"moderator".to_owned()));
}

#[tokio::test]
async fn bootstrap_variables_make_the_first_admin_of_the_in_memory_store() {
    let app = spawn_app_on(
        None,
        &[
            ("BOOTSTRAP_ADMIN_EMAIL", "boss@example.com"),
            ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
        ],
    )
    .await;

    let admin = app.login(&admin_user("boss@example.com", "admin")).await;

    assert!(roles_of(&admin.access_token).contains(&"admin".to_owned()));
    app.get_authed("/v1/admin/users", &admin.access_token)
        .await
        .ok(200);
}

#[tokio::test]
async fn bootstrap_variables_are_left_unused_once_an_admin_exists() {
    let url = server().await.fresh_database(None).await;
    let first = spawn_app_on(
        Some(url.clone()),
        &[
            ("BOOTSTRAP_ADMIN_EMAIL", "first@example.com"),
            ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
        ],
    )
    .await;
    first.login(&admin_user("first@example.com", "admin")).await;
    first.stop().await;

    let second = spawn_app_on(
        Some(url),
        &[
            ("BOOTSTRAP_ADMIN_EMAIL", "second@example.com"),
            ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD),
            ("BOOTSTRAP_ADMIN_USERNAME", "second"),
        ],
    )
    .await;

    second
        .login_reply(&admin_user("second@example.com", "second").credentials())
        .await
        .error(401, "INVALID_CREDENTIALS");
}

#[tokio::test]
async fn a_bootstrap_admin_that_cannot_be_made_stops_start_up_in_one_line() {
    let output = authd(
        &["serve"],
        &[
            ("PORT", "0"),
            ("BOOTSTRAP_ADMIN_EMAIL", "boss@example.com"),
            ("BOOTSTRAP_ADMIN_PASSWORD", "Sh0rt!"),
        ],
        "",
    )
    .await;

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = stderr(&output);
    let line = said
        .lines()
        .find(|l| l.contains("start-up failed"))
        .unwrap_or_else(|| panic!("no start-up line: {said}"));
    assert!(line.contains("BOOTSTRAP_ADMIN_EMAIL"), "{line}");
    assert!(line.contains("password"), "{line}");
    assert!(!said.contains("Sh0rt!"), "the password leaked: {said}");
}

#[tokio::test]
async fn a_geoip_database_that_is_no_maxmind_file_stops_start_up_naming_the_variable() {
    let path = std::env::temp_dir().join(format!("authd-not-geoip-{}.mmdb", uuid::Uuid::new_v4()));
    std::fs::write(&path, "just text\n").expect("write the file");

    let output = authd(
        &["serve"],
        &[
            ("PORT", "0"),
            ("GEOIP_DATABASE", &path.display().to_string()),
        ],
        "",
    )
    .await;
    let _ = std::fs::remove_file(&path);

    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let said = stderr(&output);
    let line = said
        .lines()
        .find(|l| l.contains("start-up failed"))
        .unwrap_or_else(|| panic!("no start-up line: {said}"));
    assert!(line.contains("GEOIP_DATABASE"), "{line}");
    assert!(line.contains("not a MaxMind DB"), "{line}");
}
