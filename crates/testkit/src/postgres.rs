//! A throw-away PostgreSQL server for tests (being written).
