//! Test support for suites that need PostgreSQL: the database URL and a
//! schema of the test's own.
//!
//! The URL comes from `INKSEAL_TEST_POSTGRES_URL` (on a development machine
//! `postgres://postgres@127.0.0.1:5432/test`). When it is unset or the server
//! does not answer, [`postgres_url`] panics under CI (`CI=true`), so a missing
//! database can never pass silently, and elsewhere prints a one-line notice
//! saying how to enable the test and returns `None`.

use sqlx::{AssertSqlSafe, Connection, PgConnection};

/// The variable that names the test database.
pub const POSTGRES_URL_VAR: &str = "INKSEAL_TEST_POSTGRES_URL";

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The test database's URL, checked to answer; `None` (after a notice) where
/// skipping is allowed.
pub async fn postgres_url() -> Option<String> {
    let url = match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) => url,
        Err(_) if in_ci() => {
            panic!("{POSTGRES_URL_VAR} is not set, and CI requires the PostgreSQL tests")
        }
        Err(_) => {
            eprintln!(
                "skipping PostgreSQL test: set {POSTGRES_URL_VAR}=postgres://postgres@127.0.0.1:5432/test to run it"
            );
            return None;
        }
    };
    match PgConnection::connect(&url).await {
        Ok(c) => {
            let _ = c.close().await;
            Some(url)
        }
        Err(e) if in_ci() => {
            panic!("PostgreSQL at {POSTGRES_URL_VAR} is unreachable, and CI requires it: {e}")
        }
        Err(e) => {
            eprintln!("skipping PostgreSQL test: {POSTGRES_URL_VAR} is unreachable ({e})");
            None
        }
    }
}

/// A fresh schema name for one test; the schema (created by whoever connects
/// into it) is dropped when this value is.
pub struct TestSchema {
    /// The database URL.
    pub url: String,
    /// The schema's name (`es_test_` and a random suffix).
    pub name: String,
}

impl TestSchema {
    /// A new schema name in the test database, or `None` where skipping is allowed.
    pub async fn new() -> Option<TestSchema> {
        let url = postgres_url().await?;
        let name = format!("es_test_{}", uuid::Uuid::new_v4().simple());
        Some(TestSchema { url, name })
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (url, name) = (self.url.clone(), self.name.clone());
        // Best effort, on a thread of its own: we may be inside a runtime.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                if let Ok(mut c) = PgConnection::connect(&url).await {
                    let _ = sqlx::query(AssertSqlSafe(format!(
                        "DROP SCHEMA IF EXISTS {name} CASCADE"
                    )))
                    .execute(&mut c)
                    .await;
                }
            });
        })
        .join();
    }
}
