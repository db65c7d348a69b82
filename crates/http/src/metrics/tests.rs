use super::*;
use prometheus_client::encoding::prometheus_text::encode;

fn spec(method: Method, path: &'static str) -> RouteSpec {
    RouteSpec {
        method,
        path,
        limit: crate::Limit::General,
        access: crate::Access::Public,
    }
}

fn rendered(registry: &Registry) -> String {
    let mut out = String::new();
    encode(&mut out, registry).unwrap();
    out
}

#[test]
fn requests_are_counted_by_template_method_and_status() {
    let mut registry = Registry::with_prefix("authd");
    let metrics = HttpMetrics::register(
        &mut registry,
        &[spec(Method::GET, "/v1/users/me/sessions/{session_id}")],
    );
    let took = Duration::from_millis(3);
    let route = Some("/v1/users/me/sessions/{session_id}");
    metrics.observe(route, &Method::GET, StatusCode::OK, took);
    metrics.observe(route, &Method::GET, StatusCode::OK, took);
    metrics.observe(None, &Method::GET, StatusCode::NOT_FOUND, took);
    metrics.observe(
        route,
        &Method::from_bytes(b"BREW").unwrap(),
        StatusCode::IM_A_TEAPOT,
        took,
    );
    let text = rendered(&registry);
    assert!(text.contains(
        "authd_http_requests_total{route=\"/v1/users/me/sessions/{session_id}\",method=\"GET\",status=\"200\"} 2"
    ), "{text}");
    assert!(
        text.contains(
            "authd_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains(
        "authd_http_requests_total{route=\"/v1/users/me/sessions/{session_id}\",method=\"OTHER\",status=\"418\"} 1"
    ), "{text}");
    assert!(text.contains(
        "authd_http_request_duration_seconds_count{route=\"/v1/users/me/sessions/{session_id}\",method=\"GET\"} 2"
    ), "{text}");
}

#[test]
fn rate_limit_refusals_are_counted_by_group_from_zero() {
    let mut registry = Registry::with_prefix("authd");
    let metrics = HttpMetrics::register(&mut registry, &[]);
    metrics.rate_limited(LimitGroup::Login);
    let text = rendered(&registry);
    assert!(
        text.contains("authd_rate_limited_requests_total{group=\"login\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("authd_rate_limited_requests_total{group=\"general\"} 0"),
        "{text}"
    );
}
