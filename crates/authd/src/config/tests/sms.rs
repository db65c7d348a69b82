use super::*;

const URL: &str = "https://sms.example.com/hooks/k3y-in-path?api_key=k3y-in-query";
const TOKEN: &str = "t0ken-very-secret";

#[test]
fn without_a_webhook_url_there_is_no_sms() {
    assert!(parse(&[]).unwrap().sms.is_none());
}

#[test]
fn every_webhook_variable_is_read() {
    let config = parse(&[
        ("SMS_WEBHOOK_URL", URL),
        ("SMS_WEBHOOK_TOKEN", TOKEN),
        ("SMS_WEBHOOK_TIMEOUT", "1500ms"),
    ])
    .unwrap();
    let webhook = config.sms.expect("a webhook").webhook;
    assert_eq!(webhook.url.origin(), "https://sms.example.com:443");
    assert_eq!(
        webhook.token.as_ref().map(ExposeSecret::expose_secret),
        Some(TOKEN)
    );
    assert_eq!(webhook.timeout, std::time::Duration::from_millis(1500));
}

#[test]
fn the_token_is_optional_and_the_timeout_five_seconds() {
    let config = parse(&[("SMS_WEBHOOK_URL", "http://127.0.0.1:8080/sms")]).unwrap();
    let webhook = config.sms.unwrap().webhook;
    assert!(webhook.token.is_none());
    assert_eq!(webhook.timeout, std::time::Duration::from_secs(5));
}

#[test]
fn neither_debug_output_nor_errors_show_the_token_or_the_url_keys() {
    let config = parse(&[("SMS_WEBHOOK_URL", URL), ("SMS_WEBHOOK_TOKEN", TOKEN)]).unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("sms.example.com"), "{shown}");
    let errors = problems(&[
        ("SMS_WEBHOOK_URL", "ftp://sms.example.com/k3y-in-path"),
        ("SMS_WEBHOOK_TOKEN", "t0ken with spaces"),
    ])
    .to_string();
    for text in [shown, errors] {
        for secret in ["k3y-in-path", "k3y-in-query", "t0ken"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}

#[test]
fn plain_http_is_for_loopback_unless_explicitly_allowed() {
    let remote = "http://sms-gateway.internal:8080/send";
    let errors = problems(&[("SMS_WEBHOOK_URL", remote)]);
    assert!(errors.mentions("SMS_WEBHOOK_URL"), "{errors}");
    assert!(
        errors.to_string().contains("SMS_WEBHOOK_ALLOW_HTTP"),
        "{errors}"
    );
    let config = parse(&[
        ("SMS_WEBHOOK_URL", remote),
        ("SMS_WEBHOOK_ALLOW_HTTP", "true"),
    ])
    .unwrap();
    assert_eq!(
        config.sms.unwrap().webhook.url.origin(),
        "http://sms-gateway.internal:8080"
    );
}

#[test]
fn bad_webhook_values_give_one_line_each() {
    let errors = problems(&[
        ("SMS_WEBHOOK_URL", "sms.example.com/send"),
        ("SMS_WEBHOOK_TIMEOUT", "31s"),
        ("SMS_WEBHOOK_ALLOW_HTTP", "maybe"),
    ]);
    assert_eq!(errors.0.len(), 3, "{errors}");
    for variable in [
        "SMS_WEBHOOK_URL",
        "SMS_WEBHOOK_TIMEOUT",
        "SMS_WEBHOOK_ALLOW_HTTP",
    ] {
        assert!(errors.mentions(variable), "{errors}");
    }
    assert!(
        problems(&[("SMS_WEBHOOK_URL", URL), ("SMS_WEBHOOK_TIMEOUT", "50ms")])
            .mentions("SMS_WEBHOOK_TIMEOUT")
    );
    assert!(
        problems(&[("SMS_WEBHOOK_URL", "https://user:pw@sms.example.com/")])
            .to_string()
            .contains("SMS_WEBHOOK_TOKEN")
    );
}

#[test]
fn webhook_settings_without_the_url_are_a_mistake() {
    let errors = problems(&[("SMS_WEBHOOK_TOKEN", TOKEN), ("SMS_WEBHOOK_TIMEOUT", "2s")]);
    assert!(errors.mentions("SMS_WEBHOOK_TOKEN") && errors.mentions("SMS_WEBHOOK_TIMEOUT"));
    assert!(!errors.to_string().contains("t0ken"), "{errors}");
}
