//! Unit tests of [`super::Activity`] against a mocked audit log.
