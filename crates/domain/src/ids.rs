//! Identifiers. Each is a distinct type so a session id can never be passed where a user id is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7), so rows inserted together sit together in indexes.
            #[must_use]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            #[must_use]
            pub const fn as_uuid(&self) -> &Uuid {
                &self.0
            }

            /// Parses the hyphenated form; anything else is `None`.
            #[must_use]
            pub fn parse(s: &str) -> Option<Self> {
                Uuid::try_parse(s).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A login session, which is also its refresh-token family. The access token's `sid` claim.
    SessionId
);
id_type!(
    /// One access token (`jti`).
    TokenId
);
id_type!(
    /// One message in the email outbox.
    MessageId
);
id_type!(
    /// One audit event.
    EventId
);
id_type!(
    /// One second factor of a user (a TOTP authenticator; later an email or phone).
    FactorId
);
id_type!(
    /// One remembered device: a browser that may skip the second factor for a while.
    DeviceId
);
