//! The CheckInn dialect: the routes of the CheckInn document under `/api/auth/*`, with its
//! bodies, envelopes and cookie, over the same domain services as `/v1` (one account store,
//! one lockout, one audit trail). It decides nothing: it maps.

use crate::routes::endpoint::Endpoint;

/// Every route of the dialect, in the order the CheckInn document lists them.
pub(crate) fn endpoints() -> Vec<Endpoint> {
    Vec::new()
}
