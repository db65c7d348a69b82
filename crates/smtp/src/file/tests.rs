use super::*;
use authd_domain::ids::UserId;
use authd_domain::notification::Notification;
use authd_domain::token::RawToken;
use authd_domain::values::{Email, Username};
use chrono::Duration;

const TOKEN: &str = "q1w2e3r4t5y6u7i8o9p0-_ASDFGHJKLZXCVBNMqwertyuiopasd";

fn mailer(dir: &Path) -> FileMailer {
    FileMailer::new(
        dir,
        Sender::parse(Sender::DEFAULT).unwrap(),
        Templates::new(
            "http://localhost:3000",
            Duration::hours(24),
            Duration::hours(1),
        ),
    )
    .unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "authd-smtp-{name}-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn verify_email() -> Notification {
    Notification::VerifyEmail {
        user_id: UserId::new(),
        to: Email::from_trusted("ada@example.com".to_owned()),
        username: Username::from_trusted("ada".to_owned()),
    }
}

fn eml_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect()
}

#[tokio::test]
async fn a_verification_email_lands_in_the_directory_with_its_link_verbatim() {
    let root = scratch_dir("verify");
    let dir = root.join("nested/mail");
    let mailer = mailer(&dir);
    let letter = Letter {
        notification: verify_email(),
        link_token: Some(RawToken::new(TOKEN.to_owned())),
        code: None,
    };

    mailer.deliver(&letter).await.unwrap();

    let files = eml_files(&dir);
    assert_eq!(files.len(), 1);
    let eml = &files[0];
    let link = format!("http://localhost:3000/verify-email?token={TOKEN}");
    assert!(eml.contains(&link), "link missing from:\n{eml}");
    assert!(eml.contains("To: ada@example.com"));
    assert!(eml.contains("From: authd <no-reply@localhost>"));
    assert!(eml.contains("Subject: Confirm your email address"));
    let _ = std::fs::remove_dir_all(&root);
}

#[tokio::test]
async fn a_writable_directory_is_healthy_and_a_vanished_one_is_not() {
    let dir = scratch_dir("health");
    let mailer = mailer(&dir);
    assert!(mailer.is_healthy().await);
    assert!(
        std::fs::read_dir(&dir).unwrap().next().is_none(),
        "probe left behind"
    );

    std::fs::remove_dir_all(&dir).unwrap();
    assert!(!mailer.is_healthy().await);
}

#[tokio::test]
async fn a_missing_directory_makes_delivery_fail_transiently() {
    let dir = scratch_dir("gone");
    let mailer = mailer(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let letter = Letter {
        notification: Notification::PasswordChanged {
            to: Email::from_trusted("ada@example.com".to_owned()),
            username: Username::from_trusted("ada".to_owned()),
            at: chrono::Utc::now(),
        },
        link_token: None,
        code: None,
    };
    assert!(matches!(
        mailer.deliver(&letter).await,
        Err(MailError::Transient(_))
    ));
}

#[tokio::test]
async fn a_verification_letter_without_its_token_fails_for_good_and_writes_nothing() {
    let dir = scratch_dir("no-token");
    let mailer = mailer(&dir);
    let letter = Letter {
        notification: verify_email(),
        link_token: None,
        code: None,
    };

    let result = mailer.deliver(&letter).await;

    assert!(matches!(result, Err(MailError::Permanent(_))), "{result:?}");
    assert!(eml_files(&dir).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
