//! `CLIENT_BODY_TIMEOUT`: the whole request body must arrive within this long of its head, or
//! the request is answered 408 `REQUEST_TIMEOUT` and its connection closed. actix-http bounds the
//! head (`client_request_timeout`) but not the body: a client that sends its headers and then
//! drips the body, or nothing, would otherwise hold its connection as long as it likes.
//!
//! The closing is actix-http's (3.x) HTTP/1 dispatcher's: when a response goes out while the
//! request body is not completely received, it answers `Connection: close` and closes — unless
//! the body's reader is already gone and the body is chunked, which it then drains after the
//! response with no time limit at all. So the original body stays alive inside the response body
//! until the response is written: a body that is unfinished by then (timed out, or never read by
//! the handler, as on a `GET` that declares one) always closes its connection.

use crate::error::ApiError;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, ResponseError};
use futures_util::{Stream, StreamExt};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Sleep;

/// The outermost layer, so that it also covers requests answered before any handler (a CORS
/// preflight, a refused origin): gives the request body its deadline and keeps the body alive
/// until the response has been written.
pub async fn body_deadline(
    timeout: Duration,
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let payload = req.take_payload();
    let body = if matches!(payload, Payload::None) {
        req.set_payload(payload);
        None
    } else {
        let body = Rc::new(Body {
            payload: RefCell::new(payload),
            expired: Expired::default(),
        });
        let stream = Deadline {
            body: body.clone(),
            timer: Box::pin(tokio::time::sleep(timeout)),
        };
        let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(stream);
        req.set_payload(Payload::from(stream));
        req.extensions_mut().insert(body.expired.clone());
        Some(body)
    };
    let res = next.call(req).await?;
    Ok(res.map_body(|_, inner| Holding {
        inner: inner.boxed(),
        _request_body: body,
    }))
}

/// The innermost layer (inside CORS and the envelope, so that the answer carries their headers):
/// a request whose body missed its deadline is answered 408, whatever the handler made of the
/// failed read (a 400, say).
pub async fn answer_late_body(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let expired = req.extensions().get::<Expired>().cloned();
    let res = next.call(req).await?;
    if expired.is_some_and(|e| e.0.get()) {
        let (req, _) = res.into_parts();
        let late = ApiError::RequestTimeout.error_response();
        return Ok(ServiceResponse::new(req, late).map_into_right_body());
    }
    Ok(res.map_into_left_body())
}

/// Set once the deadline has passed with the body incomplete.
#[derive(Clone, Default)]
struct Expired(Rc<Cell<bool>>);

/// The request body as received from the connection, shared by the stream the handler reads and
/// the response that keeps it alive.
struct Body {
    payload: RefCell<Payload>,
    expired: Expired,
}

/// The request body as the handler sees it: the received one until the deadline, then an error.
struct Deadline {
    body: Rc<Body>,
    timer: Pin<Box<Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.body.expired.0.get() {
            return Poll::Ready(Some(Err(timed_out())));
        }
        let received = match self.body.payload.try_borrow_mut() {
            Ok(mut payload) => payload.poll_next_unpin(cx),
            // Only this stream reads the body, and never re-entrantly; were that to change,
            // failing the read beats waiting for a wake-up nobody would send.
            Err(_) => return Poll::Ready(Some(Err(timed_out()))),
        };
        if received.is_ready() {
            return received;
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            self.body.expired.0.set(true);
            return Poll::Ready(Some(Err(timed_out())));
        }
        Poll::Pending
    }
}

fn timed_out() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "request body not received within CLIENT_BODY_TIMEOUT",
    ))
}

/// A response body that keeps the request body alive until the response has been written (see
/// the module documentation for why).
struct Holding {
    inner: BoxBody,
    _request_body: Option<Rc<Body>>,
}

impl MessageBody for Holding {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.inner.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_next(cx)
    }
}
