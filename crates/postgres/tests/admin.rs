//! The administration ports over PostgreSQL, beyond what the adapter-neutral conformance checks
//! ask: the admin listing's filters, orders, pages and search (its `LIKE` escaping included),
//! administrators' changes (the last-admin race between concurrent transactions, what a
//! suspension cuts off), sign-in devices (their race), the audit listing and its actor, and the
//! migrations run by a database owner who is not a superuser (pg_trgm is a trusted extension).
//! Each test on a database of its own, cloned from a migrated template.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "admin/audit.rs"]
mod audit;
#[path = "admin/changes.rs"]
mod changes;
#[path = "admin/common.rs"]
mod common;
#[path = "admin/known_devices.rs"]
mod known_devices;
#[path = "admin/scale.rs"]
mod scale;
#[path = "admin/search.rs"]
mod search;
