//! Unit tests of [`super::FirstAdmin`] against mocked ports.
