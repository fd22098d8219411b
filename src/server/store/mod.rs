//! History (docs/history.md): every report kept in a database, partial ones too. One code path
//! over SQLite (the default, a file under the data directory) and PostgreSQL, through
//! sqlx's `Any` driver with runtime queries; the schema migrations are embedded and run
//! at start. The relay never calls this directly: it hands events to the `writer`.

pub mod access;
pub mod document;
mod files;
mod lease;
mod lifecycle;
mod migrate;
pub mod owner;
pub mod route;
mod rows;
pub mod writer;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{
    AnyPool, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
};

use crate::server::config::redact_url;
pub use crate::server::config::{Backend, HistorySettings};
pub use lifecycle::History;
pub use owner::Owner;
pub use writer::{Recording, Writer};

use crate::history::{DEFAULT_PAGE_SIZE, HistoryPage, HistoryQuery, ReportStatus, StoredReport};
use crate::protocol::ProjectFile;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("`{0}` is not a sqlite: or postgres:// URL")]
    BadUrl(String),
    #[error("cannot open the history database {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot migrate the history database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("history database: {0}")]
    Query(#[from] sqlx::Error),
    #[error("a stored report is malformed: {0}")]
    Corrupt(String),
}

/// What the writer inserts when a report's stream starts.
#[derive(Clone, Debug)]
pub struct NewReport {
    pub id: String,
    pub owner: Owner,
    pub created_ms: i64,
    /// One contract's text; empty for a project.
    pub contract: String,
    pub filename: Option<String>,
    pub provider: String,
    pub model: String,
    /// A project's files as sent (empty for one contract), kept so Run again restores it.
    pub files: Vec<ProjectFile>,
    /// The project's scope and exclude globs as sent.
    pub scope: Vec<String>,
    pub exclude: Vec<String>,
}

impl NewReport {
    /// The name the history lists it by: the file name sent, or for a project without
    /// one, its shared folder or first file.
    pub fn name(&self) -> Option<String> {
        self.filename
            .clone()
            .or_else(|| files::project_name(&self.files))
    }
}

/// A report's state as the writer commits it: the text so far and, once ended, how.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SavedProgress {
    pub status: Option<ReportStatus>,
    pub text: String,
    /// The findings JSON and severity counts, read from the text at its end.
    pub findings: Option<(String, crate::history::SeverityCounts)>,
    pub ttft_ms: Option<i64>,
    pub duration_ms: Option<i64>,
    pub output_tokens: Option<i64>,
    pub error: Option<(String, String)>,
    /// The verdicts sent with the report (`finding` events), as JSON; set at its end.
    pub checks: Option<String>,
}

/// The history database: one pool shared by the writer and the readers.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Reports per history page (`AUDITSTREAM_HISTORY_PAGE_SIZE`).
    page_size: u32,
    /// This server's lease id, written on the reports it starts (PostgreSQL).
    instance: Option<String>,
}

/// Lowercase hex SHA-256.
pub(crate) fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens the configured database (creating the data directory for SQLite) and brings
    /// its schema up to date.
    pub async fn open(settings: &HistorySettings) -> Result<Self, StoreError> {
        if settings.database_url.is_none() {
            std::fs::create_dir_all(&settings.data_dir).map_err(|source| StoreError::DataDir {
                path: settings.data_dir.display().to_string(),
                source,
            })?;
        }
        Ok(Self::connect(&settings.url())
            .await?
            .with_page_size(settings.page_size))
    }

    /// The same store listing `page_size` reports a page (at least 1).
    pub fn with_page_size(self, page_size: u32) -> Self {
        Self {
            page_size: page_size.max(1),
            ..self
        }
    }

    /// Opens `url` (`sqlite:` or `postgres://`) and runs the embedded migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| StoreError::BadUrl(redact_url(url)))?;
        let connect_err = |source| StoreError::Connect {
            url: redact_url(url),
            source,
        };
        let options: AnyConnectOptions = url.parse().map_err(connect_err)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                // One writer at a time either way; readers share the rest.
                Backend::Sqlite => 4,
                Backend::Postgres => 8,
            })
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets the page read while the writer commits; NORMAL syncs
                        // at checkpoints only, which WAL keeps crash-safe.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(connect_err)?;
        migrate::run(&pool).await?;
        Ok(Self {
            pool,
            backend,
            page_size: DEFAULT_PAGE_SIZE,
            instance: None,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for checks such as the SQLite pragmas in tests.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Inserts a report that has just started streaming.
    pub async fn insert(&self, new: &NewReport) -> Result<(), StoreError> {
        rows::insert(&self.pool, new, self.instance.as_deref()).await
    }

    /// Writes a report's text so far and, once it has ended, its status and figures.
    pub async fn update(&self, id: &str, progress: &SavedProgress) -> Result<(), StoreError> {
        rows::update(&self.pool, id, progress, now_ms()).await
    }

    /// One report by id, whoever owns it (the id is the capability).
    pub async fn get(&self, id: &str) -> Result<Option<StoredReport>, StoreError> {
        rows::get(&self.pool, id).await
    }

    /// `owner`'s reports, newest first, filtered, one page of the store's page size.
    pub async fn list(
        &self,
        owner: &Owner,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, StoreError> {
        rows::list(&self.pool, owner, query, self.page_size).await
    }

    /// Deletes `id` if `owner` owns it; `false` when there is no such report of theirs.
    pub async fn delete(&self, id: &str, owner: &Owner) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM reports WHERE id = $1 AND owner_hash = $2")
            .bind(id)
            .bind(owner.hash())
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            files::forget_orphans(&self.pool).await?;
        }
        Ok(done.rows_affected() > 0)
    }

    /// Marks reports left `streaming` by a server that stopped without ending them as
    /// `interrupted`, text intact. With `started_before_ms`, only rows created earlier
    /// (several servers sharing PostgreSQL must not interrupt each other's live reports).
    pub async fn interrupt_orphans(
        &self,
        started_before_ms: Option<i64>,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE reports SET status = $1, updated_ms = $2 WHERE status = $3 AND created_ms < $4",
        )
        .bind(ReportStatus::Interrupted.as_str())
        .bind(now_ms())
        .bind(ReportStatus::Streaming.as_str())
        .bind(started_before_ms.unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Deletes reports last written before `before_ms`; how many went.
    pub async fn prune(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM reports WHERE updated_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() > 0 {
            files::forget_orphans(&self.pool).await?;
        }
        Ok(done.rows_affected())
    }
}
