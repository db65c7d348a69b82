//! PostgreSQL storage adapter (being written).
