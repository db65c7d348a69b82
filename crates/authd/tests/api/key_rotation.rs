//! Rotating the RS256 signing key as docs/operations.md tells an operator to: keys made with
//! `authd keys generate`, two `authd` processes on one PostgreSQL and Redis, and three rolling
//! restarts (publish the new key, sign with it, drop the old one), one instance at a time.
//! Between and during the restarts every token signed by a listed key is accepted by both
//! instances, whichever signed it; once the old key is gone, its tokens are refused.
//!
//! Separate processes, as in production: a restart is a new process that has read its key
//! files afresh, with an empty verified-token cache, and the two instances share nothing but
//! the database, Redis and the key files.

use crate::helpers::{
    Jwt, KeyFile, Production, TestApp, TestUser, authd_in, generate_key, jwks_kids, key_dir,
    key_list, printed_kid,
};
use std::collections::BTreeSet;

/// An access token and the kid its header names.
struct Issued {
    token: String,
    kid: String,
}

/// The two instances behind the load balancer and the services they share.
struct Pair {
    production: Production,
    a: Option<TestApp>,
    b: Option<TestApp>,
}

async fn instance(production: &Production, keys: &[&KeyFile]) -> TestApp {
    let list = key_list(keys);
    production
        .spawn_process(&[
            ("JWT_ALGORITHM", "RS256"),
            ("JWT_PRIVATE_KEY_FILE", &list),
            (
                "JWT_REFRESH_SECRET",
                "rotation-refresh-secret-shared-by-both-instances",
            ),
            // The test logs one account in a dozen times from one address: neither the login
            // limit nor the session cap is what it is about.
            ("RATE_LIMIT_ENABLED", "false"),
            ("MAX_CONCURRENT_SESSIONS", "0"),
        ])
        .await
}

impl Pair {
    fn a(&self) -> &TestApp {
        self.a.as_ref().expect("instance A is running")
    }

    fn b(&self) -> &TestApp {
        self.b.as_ref().expect("instance B is running")
    }

    fn both(&self) -> [(&'static str, &TestApp); 2] {
        [("A", self.a()), ("B", self.b())]
    }

    /// Stops A (as an orchestrator does, SIGTERM) and starts it again with `keys`.
    async fn restart_a(&mut self, keys: &[&KeyFile]) {
        self.a.take().expect("A is running").stop().await;
        self.a = Some(instance(&self.production, keys).await);
    }

    async fn restart_b(&mut self, keys: &[&KeyFile]) {
        self.b.take().expect("B is running").stop().await;
        self.b = Some(instance(&self.production, keys).await);
    }

    /// Every token in `tokens` opens `/v1/users/me` on both instances.
    async fn assert_accepted_by_both(&self, tokens: &[&Issued], stage: &str) {
        for (name, node) in self.both() {
            for issued in tokens {
                let reply = node.me(&issued.token).await;
                assert_eq!(
                    reply.status, 200,
                    "{stage}: a token signed by {} refused by {name}: {reply:#?}",
                    issued.kid
                );
            }
        }
    }
}

async fn login_on(node: &TestApp, user: &TestUser, expected_kid: &KeyFile) -> Issued {
    let login = node.login(user).await;
    issued(login.access_token, expected_kid)
}

fn issued(token: String, expected_kid: &KeyFile) -> Issued {
    let kid = Jwt::decode(&token).header["kid"]
        .as_str()
        .expect("an RS256 token names its kid")
        .to_owned();
    assert_eq!(kid, expected_kid.kid, "signed by the key listed first");
    Issued { token, kid }
}

fn kids(keys: &[&KeyFile]) -> BTreeSet<String> {
    keys.iter().map(|k| k.kid.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotated_across_three_rolling_restarts_of_two_instances_never_refuses_a_listed_key() {
    let dir = key_dir();
    let old = generate_key(&dir, "old.pem").await;
    let new = generate_key(&dir, "new.pem").await;
    assert_ne!(old.kid, new.kid);
    let production = Production::shared().await;
    let only_old = [&old];
    let (a, b) = tokio::join!(
        instance(&production, &only_old),
        instance(&production, &only_old)
    );
    let mut pair = Pair {
        production,
        a: Some(a),
        b: Some(b),
    };
    let user = pair.a().verified_user().await;
    let first_login = pair.a().login(&user).await;
    let before = issued(first_login.access_token.clone(), &old);
    let before_b = login_on(pair.b(), &user, &old).await;
    for (_, node) in pair.both() {
        assert_eq!(jwks_kids(node).await, kids(&[&old]));
    }

    // 1. Publish: the new key is listed after the old one, which still signs.
    pair.restart_a(&[&old, &new]).await;
    assert_eq!(jwks_kids(pair.a()).await, kids(&[&old, &new]));
    assert_eq!(
        jwks_kids(pair.b()).await,
        kids(&[&old]),
        "B not restarted yet"
    );
    let publishing = login_on(pair.a(), &user, &old).await;
    pair.assert_accepted_by_both(&[&before, &before_b, &publishing], "A publishing")
        .await;
    pair.restart_b(&[&old, &new]).await;
    for (_, node) in pair.both() {
        assert_eq!(jwks_kids(node).await, kids(&[&old, &new]));
    }
    let published = login_on(pair.b(), &user, &old).await;

    // 2. Sign with the new key (after the JWKS cache window of resource servers).
    pair.restart_a(&[&new, &old]).await;
    let new_on_a = login_on(pair.a(), &user, &new).await;
    let old_on_b = login_on(pair.b(), &user, &old).await;
    let old_tokens = [&before, &before_b, &publishing, &published, &old_on_b];
    pair.assert_accepted_by_both(&old_tokens, "A signing with the new key, B with the old")
        .await;
    pair.assert_accepted_by_both(&[&new_on_a], "A signing with the new key, B with the old")
        .await;
    pair.restart_b(&[&new, &old]).await;
    let new_on_b = login_on(pair.b(), &user, &new).await;
    for (_, node) in pair.both() {
        assert_eq!(jwks_kids(node).await, kids(&[&old, &new]));
    }
    pair.assert_accepted_by_both(&old_tokens, "both signing with the new key")
        .await;
    pair.assert_accepted_by_both(&[&new_on_a, &new_on_b], "both signing with the new key")
        .await;

    // 3. Drop the old key (after the longest access-token lifetime; here the old tokens are
    // still unexpired, which is what shows that a dropped key no longer verifies).
    pair.restart_a(&[&new]).await;
    assert_eq!(jwks_kids(pair.a()).await, kids(&[&new]));
    for token in old_tokens {
        pair.a().me(&token.token).await.error(401, "INVALID_TOKEN");
        pair.b().me(&token.token).await.ok(200);
    }
    pair.restart_b(&[&new]).await;
    for (name, node) in pair.both() {
        assert_eq!(jwks_kids(node).await, kids(&[&new]), "{name}");
        for token in old_tokens {
            node.me(&token.token).await.error(401, "INVALID_TOKEN");
        }
    }
    pair.assert_accepted_by_both(&[&new_on_a, &new_on_b], "the old key dropped")
        .await;

    // Refresh tokens are opaque: the session opened under the old key goes on, now signed
    // by the new one.
    let refreshed = pair.b().refresh(&first_login.refresh_token).await;
    let access = refreshed.ok(200)["accessToken"]
        .as_str()
        .expect("a new access token")
        .to_owned();
    let renewed = issued(access, &new);
    pair.assert_accepted_by_both(&[&renewed], "a session from before the rotation")
        .await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn authd_keys_generate_writes_an_owner_only_key_and_prints_the_kid_the_jwks_will_publish() {
    let dir = key_dir();

    let output = authd_in(&dir, &["keys", "generate"]).await;

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let kid = printed_kid(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        files.len(),
        1,
        "one file in the working directory: {files:?}"
    );
    let path = files[0].clone();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("jwt-signing-") && name.ends_with(".pem"),
        "{name}"
    );
    assert!(stderr.contains(&name), "says which file: {stderr}");
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"));

    let key = KeyFile { path, kid };
    let app = instance(&Production::shared().await, &[&key]).await;
    assert_eq!(jwks_kids(&app).await, kids(&[&key]));
    let user = app.verified_user().await;
    login_on(&app, &user, &key).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn authd_keys_generate_never_overwrites_a_file_and_refuses_bad_arguments() {
    let dir = key_dir();
    let taken = dir.join("taken.pem");
    std::fs::write(&taken, "the current signing key").unwrap();
    let out = taken.to_str().unwrap();

    let refused = authd_in(&dir, &["keys", "generate", "--out", out]).await;

    assert_eq!(refused.status.code(), Some(1));
    assert!(refused.stdout.is_empty(), "no kid for a key not written");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&taken).unwrap(),
        "the current signing key"
    );

    for args in [
        &["keys"][..],
        &["keys", "generate", "--bits", "1024"][..],
        &["keys", "generate", "file.pem"][..],
    ] {
        let output = authd_in(&dir, args).await;
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("authd keys generate"),
            "the usage: {stderr}"
        );
    }
    let help = authd_in(&dir, &["--help"]).await;
    assert!(String::from_utf8_lossy(&help.stdout).contains("\n  authd keys generate [--out FILE]"));
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only taken.pem"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
