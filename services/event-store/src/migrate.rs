//! A minimal, ordered schema migrator shared by the SQL adapters.
//!
//! Each adapter lists its migrations as `(version, sql)` pairs compiled into
//! the binary; applied versions are recorded in `es_schema_migrations`. On
//! PostgreSQL the whole run holds a transaction-scoped advisory lock, so
//! several processes starting at once apply each migration exactly once.

/// One schema step.
pub(crate) struct Migration {
    pub version: i64,
    pub description: &'static str,
    pub sql: &'static str,
}
