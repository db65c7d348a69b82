//! While the instance drains after SIGTERM (readiness already 503, the server still serving),
//! every answer closes its connection. A kept-alive connection, a reverse proxy's upstream pool
//! above all, would otherwise carry its next request into the moment the server stops
//! accepting and closes idle connections: a POST lost there is a 502 the proxy may not retry.
//! Closed after each answer, the client's next request opens a new connection, which the
//! balancer (following readiness) sends to another instance.

use crate::probes::Draining;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;

/// Marks the answer `Connection: close` once `draining` has started.
pub async fn close_while_draining(
    draining: Draining,
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if draining.is_draining() {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::middleware::from_fn;
    use actix_web::{App, HttpResponse, test, web};

    #[actix_web::test]
    async fn answers_keep_their_connection_until_the_drain_and_close_it_during() {
        let draining = Draining::default();
        let flag = draining.clone();
        let app = test::init_service(App::new().route("/", web::get().to(HttpResponse::Ok)).wrap(
            from_fn(move |req, next| close_while_draining(flag.clone(), req, next)),
        ))
        .await;

        let before = test::call_service(&app, test::TestRequest::get().to_request()).await;
        draining.start();
        let during = test::call_service(&app, test::TestRequest::get().to_request()).await;

        assert_ne!(
            before.response().head().connection_type(),
            ConnectionType::Close
        );
        assert_eq!(
            during.response().head().connection_type(),
            ConnectionType::Close
        );
    }
}
