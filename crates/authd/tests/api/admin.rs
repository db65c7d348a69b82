//! Issue 15 end to end: the admin API as administrators, moderators and custom roles meet it,
//! what suspension, deletion and role changes do to the account's sessions and tokens, the
//! audit trail, an account's own activity, sign-in alerts and places.

mod actions;
mod activity;
mod alerts;
mod audit;
mod bodies;
mod bootstrap;
mod boundaries;
mod garbage;
mod last_admin;
mod mfa_suspension;
mod network;
mod permissions;
mod places;
mod roles;
mod sorting;
mod suspension;
mod users;
