//! The read model's database: the tables the projections write and the
//! queries the status and help-desk services read.
//!
//! On the embedded default it is its own SQLite file next to the event store
//! (`read-model.sqlite`; it can always be rebuilt from the events). With
//! PostgreSQL it lives in the same database and schema as the event store, so
//! several processes share it. One connection type (sqlx `Any`) serves both;
//! the SQL is the common subset (`$n` parameters in order, `ON CONFLICT`,
//! integers for flags and times in microseconds since the Unix epoch), except
//! where row locking needs PostgreSQL's `FOR UPDATE SKIP LOCKED`.

use std::path::Path;
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AssertSqlSafe, Executor, Row};

/// Which SQL dialect the read model speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite: one process (SQLite has one writer; claims are plain atomic updates).
    Sqlite,
    /// PostgreSQL: several processes; claims use `FOR UPDATE SKIP LOCKED`.
    Postgres,
}

/// Advisory lock key that serialises schema creation between processes.
const SCHEMA_LOCK: i64 = 0x696e_6b73_6561_6c02;

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS rm_checkpoint (
        name     TEXT   PRIMARY KEY,
        position BIGINT NOT NULL
    )",
    "INSERT INTO rm_checkpoint (name, position) VALUES ('offers', 0) ON CONFLICT (name) DO NOTHING",
    "CREATE TABLE IF NOT EXISTS rm_offer (
        offer_id           TEXT   PRIMARY KEY,
        offer_number       TEXT   NOT NULL,
        agent_id           TEXT   NOT NULL,
        client_name        TEXT,
        client_email_lc    TEXT,
        client_mobile      TEXT,
        status             BIGINT NOT NULL,
        rejection_reason   TEXT,
        email_delivered    BIGINT NOT NULL DEFAULT 0,
        received_pdf       TEXT,
        insurer_sealed_pdf TEXT,
        last_version       BIGINT NOT NULL,
        updated_at         BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS rm_offer_by_number ON rm_offer (offer_number)",
    "CREATE INDEX IF NOT EXISTS rm_offer_by_email ON rm_offer (client_email_lc)",
    "CREATE INDEX IF NOT EXISTS rm_offer_by_mobile ON rm_offer (client_mobile)",
    "CREATE INDEX IF NOT EXISTS rm_offer_by_agent ON rm_offer (agent_id)",
    "CREATE TABLE IF NOT EXISTS rm_timeline (
        offer_id       TEXT   NOT NULL,
        stream_version BIGINT NOT NULL,
        position       BIGINT NOT NULL,
        event_type     TEXT   NOT NULL,
        recorded_at    BIGINT NOT NULL,
        actor          TEXT   NOT NULL,
        summary        TEXT   NOT NULL,
        detail_json    TEXT   NOT NULL,
        PRIMARY KEY (offer_id, stream_version)
    )",
    "CREATE TABLE IF NOT EXISTS rm_acceptance_queue (
        offer_id    TEXT   PRIMARY KEY,
        position    BIGINT NOT NULL,
        done        BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        attempts    BIGINT NOT NULL DEFAULT 0,
        last_error  TEXT
    )",
    "CREATE INDEX IF NOT EXISTS rm_acceptance_pending ON rm_acceptance_queue (done, position)",
    "CREATE TABLE IF NOT EXISTS rm_acceptance_claims (
        offer_id   TEXT   NOT NULL,
        owner      TEXT   NOT NULL,
        claimed_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS rm_publication_queue (
        offer_id    TEXT   PRIMARY KEY,
        position    BIGINT NOT NULL,
        done        BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        attempts    BIGINT NOT NULL DEFAULT 0,
        last_error  TEXT
    )",
    "CREATE INDEX IF NOT EXISTS rm_publication_pending ON rm_publication_queue (done, position)",
    "CREATE TABLE IF NOT EXISTS rm_publication_claims (
        offer_id   TEXT   NOT NULL,
        owner      TEXT   NOT NULL,
        claimed_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS rm_storage (
        token_sha256 TEXT   PRIMARY KEY,
        offer_id     TEXT   NOT NULL,
        published_at BIGINT NOT NULL,
        expires_at   BIGINT NOT NULL
    )",
    "CREATE INDEX IF NOT EXISTS rm_storage_by_offer ON rm_storage (offer_id)",
    "CREATE TABLE IF NOT EXISTS rm_schedule_queue (
        offer_id    TEXT   PRIMARY KEY,
        position    BIGINT NOT NULL,
        done        BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        attempts    BIGINT NOT NULL DEFAULT 0,
        last_error  TEXT
    )",
    "CREATE INDEX IF NOT EXISTS rm_schedule_pending ON rm_schedule_queue (done, position)",
    "CREATE TABLE IF NOT EXISTS rm_schedule_claims (
        offer_id   TEXT   NOT NULL,
        owner      TEXT   NOT NULL,
        claimed_at BIGINT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS rm_notification_outbox (
        id          TEXT   PRIMARY KEY,
        offer_id    TEXT   NOT NULL,
        channel     TEXT   NOT NULL,
        due_at      BIGINT NOT NULL,
        done        BIGINT NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        attempts    BIGINT NOT NULL DEFAULT 0,
        sending     BIGINT NOT NULL DEFAULT 0,
        interrupted BIGINT NOT NULL DEFAULT 0,
        last_error  TEXT
    )",
    "CREATE INDEX IF NOT EXISTS rm_notification_due ON rm_notification_outbox (done, due_at)",
    "CREATE TABLE IF NOT EXISTS rm_message_index (
        message_id TEXT   PRIMARY KEY,
        offer_id   TEXT   NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS rm_notification_claims (
        id         TEXT   NOT NULL,
        owner      TEXT   NOT NULL,
        claimed_at BIGINT NOT NULL
    )",
];

/// The read model's connection pool.
#[derive(Debug, Clone)]
pub struct ReadModel {
    pool: AnyPool,
    dialect: Dialect,
}

/// One offer as the status and search queries see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OfferRow {
    pub offer_id: String,
    pub offer_number: String,
    pub agent_id: String,
    pub client_name: Option<String>,
    /// 1–4.
    pub status: i64,
    pub rejection_reason: Option<String>,
    pub email_delivered: bool,
    pub received_pdf: Option<String>,
    pub insurer_sealed_pdf: Option<String>,
    pub last_version: i64,
    /// Microseconds since the Unix epoch.
    pub updated_at: i64,
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub stream_version: i64,
    pub position: i64,
    pub event_type: String,
    pub recorded_at: i64,
    pub actor: String,
    pub summary: String,
    pub detail_json: String,
}

/// What to search offers by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    OfferNumber(String),
    /// Lower-cased e-mail.
    Email(String),
    /// E.164 mobile.
    Mobile(String),
    AgentId(String),
}

const OFFER_COLUMNS: &str = "offer_id, offer_number, agent_id, client_name, status, rejection_reason, email_delivered, received_pdf, insurer_sealed_pdf, last_version, updated_at";

fn offer_row(row: &AnyRow) -> Result<OfferRow, sqlx::Error> {
    Ok(OfferRow {
        offer_id: row.try_get("offer_id")?,
        offer_number: row.try_get("offer_number")?,
        agent_id: row.try_get("agent_id")?,
        client_name: row.try_get("client_name")?,
        status: row.try_get("status")?,
        rejection_reason: row.try_get("rejection_reason")?,
        email_delivered: row.try_get::<i64, _>("email_delivered")? != 0,
        received_pdf: row.try_get("received_pdf")?,
        insurer_sealed_pdf: row.try_get("insurer_sealed_pdf")?,
        last_version: row.try_get("last_version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl ReadModel {
    /// Opens (creating) an SQLite read model file.
    pub async fn open_sqlite(path: &Path) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(sqlx::Error::Io)?;
        }
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let rm = ReadModel {
            pool,
            dialect: Dialect::Sqlite,
        };
        rm.migrate().await?;
        Ok(rm)
    }

    /// Connects to PostgreSQL, with the tables in `schema` when given (created if missing).
    pub async fn open_postgres(url: &str, schema: Option<&str>) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if let Some(s) = schema
            && (s.is_empty()
                || s.len() > 63
                || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(sqlx::Error::Configuration(
                format!("invalid schema name {s:?}").into(),
            ));
        }
        let schema = schema.map(str::to_owned);
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    if let Some(s) = schema {
                        conn.execute(AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}")))
                            .await
                            .ok();
                        conn.execute(AssertSqlSafe(format!("SET search_path TO {s}")))
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        let rm = ReadModel {
            pool,
            dialect: Dialect::Postgres,
        };
        rm.migrate().await?;
        Ok(rm)
    }

    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(SCHEMA_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        for statement in SCHEMA {
            sqlx::query(*statement).execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// The pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// One offer.
    pub async fn offer(&self, offer_id: &str) -> Result<Option<OfferRow>, sqlx::Error> {
        let sql = format!("SELECT {OFFER_COLUMNS} FROM rm_offer WHERE offer_id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(offer_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(offer_row).transpose()
    }

    /// Offers found by `search`, newest first, at most `limit`.
    pub async fn search(&self, search: &Search, limit: u32) -> Result<Vec<OfferRow>, sqlx::Error> {
        let (column, value) = match search {
            Search::OfferNumber(v) => ("offer_number", v),
            Search::Email(v) => ("client_email_lc", v),
            Search::Mobile(v) => ("client_mobile", v),
            Search::AgentId(v) => ("agent_id", v),
        };
        let sql = format!(
            "SELECT {OFFER_COLUMNS} FROM rm_offer WHERE {column} = $1 ORDER BY updated_at DESC, offer_id LIMIT $2"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(value.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(offer_row).collect()
    }

    /// Timeline entries of an offer from `from_version` on, at most `limit`.
    pub async fn timeline(
        &self,
        offer_id: &str,
        from_version: i64,
        limit: u32,
    ) -> Result<Vec<TimelineRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT stream_version, position, event_type, recorded_at, actor, summary, detail_json
             FROM rm_timeline WHERE offer_id = $1 AND stream_version >= $2
             ORDER BY stream_version LIMIT $3",
        )
        .bind(offer_id)
        .bind(from_version)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineRow {
                    stream_version: r.try_get("stream_version")?,
                    position: r.try_get("position")?,
                    event_type: r.try_get("event_type")?,
                    recorded_at: r.try_get("recorded_at")?,
                    actor: r.try_get("actor")?,
                    summary: r.try_get("summary")?,
                    detail_json: r.try_get("detail_json")?,
                })
            })
            .collect()
    }

    /// The projection's checkpoint (last applied global position).
    pub async fn checkpoint(&self) -> Result<u64, sqlx::Error> {
        let p: i64 = sqlx::query_scalar("SELECT position FROM rm_checkpoint WHERE name = 'offers'")
            .fetch_one(&self.pool)
            .await?;
        Ok(p.max(0) as u64)
    }

    /// How many times each offer was claimed for acceptance: `(offer_id, claims)`.
    pub async fn acceptance_claims(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        self.claims(crate::work_queue::Queue::Acceptance).await
    }

    /// The offer an e-mail or SMS with this message id was sent for.
    pub async fn offer_of_message(&self, message_id: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT offer_id FROM rm_message_index WHERE message_id = $1")
            .bind(message_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The offer whose storage entry has a link token with this SHA-256 (hex).
    pub async fn storage_entry(&self, token_sha256: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT offer_id FROM rm_storage WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(&self.pool)
            .await
    }

    /// How many times each offer was claimed from `queue`: `(offer_id, claims)`.
    pub async fn claims(
        &self,
        queue: crate::work_queue::Queue,
    ) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT offer_id, COUNT(*) AS claims FROM {} GROUP BY offer_id ORDER BY offer_id",
            queue.claims_table()
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("offer_id")?, r.try_get("claims")?)))
            .collect()
    }
}
