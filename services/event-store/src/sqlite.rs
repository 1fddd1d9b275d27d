//! The embedded adapter: one SQLite file in WAL mode.
//!
//! - Durability: `synchronous = FULL`: every commit is on disk before
//!   `append` returns (nothing acknowledged is lost on power failure).
//! - Appends: group commit on the writer's own connection takes the write lock up
//!   front (`BEGIN IMMEDIATE`), decides every queued request in Rust
//!   ([`append_plan`](crate::append_plan)), inserts, commits once.
//! - Positions: `max(position) + 1` inside the write transaction: dense and in
//!   commit order, since SQLite has one writer at a time.
//! - Reads: a small pool of reader connections; WAL lets them run beside the
//!   writer.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteRow, SqliteSynchronous,
};
use sqlx::{Connection, Row};
use tokio::sync::{Mutex, watch};
use uuid::Uuid;

use crate::append_plan::check_retry;
use crate::group_commit::{AppendRequest, BatchWriter, Writer};
use crate::migrate::Migration;
use crate::model::{to_i64, to_u64};
use crate::{
    AppendResult, Capabilities, Direction, EventStore, ExpectedVersion, NewEvent, RecordedEvent,
    StoreError, limits,
};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    description: "events",
    sql: include_str!("../migrations/sqlite/0001_events.sql"),
}];

/// Rows per multi-row INSERT (9 columns each; SQLite allows 32766 variables).
const INSERT_CHUNK: usize = 100;

/// The SQLite event store.
pub struct SqliteStore {
    readers: SqlitePool,
    writer: Writer<SqliteWriter>,
}

/// Connection options for a store file: WAL, `synchronous = FULL`, a busy
/// timeout, created if missing. Public so the benchmark's plain-SQL baseline
/// uses exactly the same settings.
pub fn connect_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
}

impl SqliteStore {
    /// Opens (creating if needed) the store file at `path` and applies migrations.
    pub async fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        if path.as_os_str().is_empty() || path == Path::new(":memory:") {
            return Err(StoreError::InvalidInput(
                "the SQLite store needs a file path (an in-memory database cannot be shared by the writer and the readers)".into(),
            ));
        }
        let opts = connect_options(path);
        let mut conn = SqliteConnection::connect_with(&opts).await?;
        migrate(&mut conn).await?;
        let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM es_events")
            .fetch_one(&mut conn)
            .await?;
        let readers = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts.clone().read_only(true))
            .await?;
        let writer = Writer::new(
            SqliteWriter {
                conn: Arc::new(Mutex::new(conn)),
            },
            to_u64(head)?,
        );
        Ok(SqliteStore { readers, writer })
    }

    /// Opens a store from a `sqlite:` URL-ish string (used by [`crate::open`]).
    pub async fn open_url(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?;
        Self::open(opts.get_filename()).await
    }
}

async fn migrate(conn: &mut SqliteConnection) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS es_schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )
    .execute(&mut *conn)
    .await?;
    for m in MIGRATIONS {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM es_schema_migrations WHERE version = ?")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_none() {
            sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(|e| {
                StoreError::Migration(format!("{} ({}): {e}", m.version, m.description))
            })?;
            sqlx::query("INSERT INTO es_schema_migrations VALUES (?, ?, ?)")
                .bind(m.version)
                .bind(m.description)
                .bind(Utc::now().timestamp_micros())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// The writer's own connection; one batch at a time.
struct SqliteWriter {
    conn: Arc<Mutex<SqliteConnection>>,
}

impl BatchWriter for SqliteWriter {
    async fn write_batch(
        &self,
        batch: &[AppendRequest],
    ) -> Result<(Vec<Result<AppendResult, StoreError>>, u64), StoreError> {
        let mut conn = self.conn.lock().await;
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
        let mut head: Option<u64> = None;
        let now = Utc::now().timestamp_micros();
        let mut results = Vec::with_capacity(batch.len());
        for req in batch {
            // One probe per request: the head, the stream's version and whether
            // any of the ids is stored already (the common answer is no).
            let probe = probe(&mut tx, &req.stream, &req.events).await?;
            let at = *head.get_or_insert(probe.head);
            if probe.known_ids > 0 {
                let stored = stored_with_ids(&mut tx, &req.events).await?;
                results.push(
                    check_retry(&req.stream, &req.events, &stored).and_then(|r| {
                        r.ok_or_else(|| {
                            StoreError::Corrupt("stored ids vanished inside a transaction".into())
                        })
                    }),
                );
                continue;
            }
            if !req.expected.admits(probe.version) {
                results.push(Err(StoreError::WrongExpectedVersion {
                    stream: req.stream.clone(),
                    expected: req.expected,
                    actual: probe.version,
                }));
                continue;
            }
            let first_version = probe.version.map_or(0, |v| v + 1);
            insert_rows(
                &mut tx,
                &req.stream,
                first_version,
                at + 1,
                now,
                &req.events,
            )
            .await?;
            let n = req.events.len() as u64;
            results.push(Ok(AppendResult {
                first_version,
                last_version: first_version + n - 1,
                first_position: at + 1,
                last_position: at + n,
                duplicate: false,
            }));
            head = Some(at + n);
        }
        tx.commit().await?;
        Ok((results, head.unwrap_or(0)))
    }
}

/// What one request needs to know before it is decided.
struct Probe {
    head: u64,
    version: Option<u64>,
    known_ids: i64,
}

async fn probe(
    conn: &mut SqliteConnection,
    stream: &str,
    events: &[NewEvent],
) -> Result<Probe, StoreError> {
    let placeholders = vec!["?"; events.len()].join(",");
    let sql = format!(
        "SELECT (SELECT coalesce(max(position), 0) FROM es_events), \
                (SELECT max(version) FROM es_events WHERE stream = ?), \
                (SELECT count(*) FROM es_events WHERE event_id IN ({placeholders}))"
    );
    let mut q = sqlx::query_as::<_, (i64, Option<i64>, i64)>(AssertSqlSafe(sql)).bind(stream);
    for e in events {
        q = q.bind(e.id.as_bytes().to_vec());
    }
    let (head, version, known_ids) = q.fetch_one(&mut *conn).await?;
    Ok(Probe {
        head: to_u64(head)?,
        version: version.map(to_u64).transpose()?,
        known_ids,
    })
}

async fn stored_with_ids(
    conn: &mut SqliteConnection,
    events: &[NewEvent],
) -> Result<Vec<RecordedEvent>, StoreError> {
    let mut found = Vec::new();
    for chunk in events.chunks(500) {
        let placeholders = vec!["?"; chunk.len()].join(",");
        let sql = format!("SELECT {COLUMNS} FROM es_events WHERE event_id IN ({placeholders})");
        let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
        for e in chunk {
            q = q.bind(e.id.as_bytes().to_vec());
        }
        for row in q.fetch_all(&mut *conn).await? {
            found.push(decode_row(&row)?);
        }
    }
    Ok(found)
}

async fn insert_rows(
    conn: &mut SqliteConnection,
    stream: &str,
    first_version: u64,
    first_position: u64,
    now_micros: i64,
    events: &[NewEvent],
) -> Result<(), StoreError> {
    for (c, chunk) in events.chunks(INSERT_CHUNK).enumerate() {
        let values = vec!["(?,?,?,?,?,?,?,?,?)"; chunk.len()].join(",");
        let sql = format!(
            "INSERT INTO es_events (position, stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at) VALUES {values}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql.clone()));
        for (i, e) in chunk.iter().enumerate() {
            let offset = (c * INSERT_CHUNK + i) as u64;
            q = q
                .bind(to_i64(first_position + offset)?)
                .bind(stream)
                .bind(to_i64(first_version + offset)?)
                .bind(e.id.as_bytes().to_vec())
                .bind(&e.event_type)
                .bind(i64::from(e.schema_version))
                .bind(&e.payload)
                .bind(&e.metadata)
                .bind(now_micros);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

const COLUMNS: &str = "position, stream, version, event_id, event_type, schema_version, payload, metadata, recorded_at";

fn decode_row(row: &SqliteRow) -> Result<RecordedEvent, StoreError> {
    let id: Vec<u8> = row.try_get("event_id")?;
    let micros: i64 = row.try_get("recorded_at")?;
    let schema: i64 = row.try_get("schema_version")?;
    Ok(RecordedEvent {
        position: to_u64(row.try_get("position")?)?,
        stream: row.try_get("stream")?,
        version: to_u64(row.try_get("version")?)?,
        id: Uuid::from_slice(&id).map_err(|e| StoreError::Corrupt(format!("event id: {e}")))?,
        event_type: row.try_get("event_type")?,
        schema_version: u16::try_from(schema)
            .map_err(|_| StoreError::Corrupt(format!("schema version {schema}")))?,
        payload: row.try_get("payload")?,
        metadata: row.try_get("metadata")?,
        recorded_at: DateTime::<Utc>::from_timestamp_micros(micros)
            .ok_or_else(|| StoreError::Corrupt(format!("timestamp {micros}")))?,
    })
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(
        &self,
        stream: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<AppendResult, StoreError> {
        self.writer.append(stream, expected, events).await
    }

    async fn read_stream(
        &self,
        stream: &str,
        from: u64,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let limit = limit.min(limits::MAX_READ_LIMIT) as i64;
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let sql = match direction {
            Direction::Forward => format!(
                "SELECT {COLUMNS} FROM es_events WHERE stream = ? AND version >= ? ORDER BY version ASC LIMIT ?"
            ),
            Direction::Backward => format!(
                "SELECT {COLUMNS} FROM es_events WHERE stream = ? AND version <= ? ORDER BY version DESC LIMIT ?"
            ),
        };
        let rows = sqlx::query(AssertSqlSafe(sql.clone()))
            .bind(stream)
            .bind(from)
            .bind(limit)
            .fetch_all(&self.readers)
            .await?;
        rows.iter().map(decode_row).collect()
    }

    async fn read_all(&self, from: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let limit = limit.min(limits::MAX_READ_LIMIT) as i64;
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM es_events WHERE position >= ? ORDER BY position ASC LIMIT ?"
        )))
        .bind(from)
        .bind(limit)
        .fetch_all(&self.readers)
        .await?;
        rows.iter().map(decode_row).collect()
    }

    async fn stream_version(&self, stream: &str) -> Result<Option<u64>, StoreError> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT max(version) FROM es_events WHERE stream = ?")
                .bind(stream)
                .fetch_one(&self.readers)
                .await?;
        v.map(to_u64).transpose()
    }

    async fn head_position(&self) -> Result<u64, StoreError> {
        to_u64(
            sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM es_events")
                .fetch_one(&self.readers)
                .await?,
        )
    }

    fn committed(&self) -> watch::Receiver<u64> {
        self.writer.committed()
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            dense_positions: true,
            durable_idempotency: true,
            multi_process: false,
        }
    }
}
