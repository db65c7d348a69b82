//! The example web page (`examples/web`, the Perfect21 document's JavaScript `AuthClient`
//! unchanged) in headless Chromium against a live authd: a user's whole journey from the page's
//! origin, which `ALLOWED_ORIGINS` lists, and a page from an origin it does not list, which can
//! neither read authd's answers nor refresh with the user's cookie. Runs once, over the in-memory
//! adapters: what it tests is the browser's side, which no storage backend changes.

mod foreign;
mod journey;
