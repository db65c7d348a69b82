//! The CheckInn dialect (`/api/auth/*`, docs/checkinn.md) driven as the CheckInn document's
//! frontend drives it: its cURL examples, every route, the dialects sharing one account store,
//! lockout, rate limits and sessions, races, garbage in every field, and the document's axios
//! interceptor run by Node (`tests/clients/checkinn_driver.mjs`). Over memory and PostgreSQL,
//! and where Redis matters (the shared rate limit) over the production setup.

mod client;

mod account;
mod curl;
mod dialects;
mod driver;
mod garbage;
mod passwords;
mod profile;
mod races;
mod register;
mod surfaces;
mod tokens;
