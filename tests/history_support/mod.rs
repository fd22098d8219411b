//! A fresh database per test, on either backend: a SQLite file in a temporary directory,
//! or a new database on the throwaway PostgreSQL that `scripts/test.sh` starts
//! (`AUDITSTREAM_TEST_DATABASE_URL`). Without that variable the PostgreSQL half is
//! skipped with a notice, unless `CI` is set, where it fails.
#![allow(dead_code)]

use std::time::Duration;

use auditstream::server::store::Store;
use sqlx::{Connection, Executor};

/// One test's database. A PostgreSQL database is dropped with it (best effort).
pub struct TestDb {
    pub url: String,
    pub dir: Option<tempfile::TempDir>,
    admin: Option<(String, String)>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = auditstream::server::config::sqlite_url(&dir.path().join("h.db"));
        Self {
            url,
            dir: Some(dir),
            admin: None,
        }
    }

    /// `None` (with a notice) when no test PostgreSQL is configured outside CI.
    pub async fn postgres() -> Option<Self> {
        let Some(base) = std::env::var("AUDITSTREAM_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "AUDITSTREAM_TEST_DATABASE_URL is not set: scripts/test.sh starts a PostgreSQL for these tests"
            );
            eprintln!(
                "SKIPPED: PostgreSQL half of the history tests (set AUDITSTREAM_TEST_DATABASE_URL or run scripts/test.sh)"
            );
            return None;
        };
        sqlx::any::install_default_drivers();
        let name = format!("hist_{}", uuid::Uuid::new_v4().simple());
        let mut admin = sqlx::AnyConnection::connect(&base)
            .await
            .expect("test PostgreSQL");
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let (head, _) = base.rsplit_once('/').expect("a URL with a database");
        Some(Self {
            url: format!("{head}/{name}"),
            dir: None,
            admin: Some((base, name)),
        })
    }

    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.expect("store opens")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, name)) = self.admin.take() {
            // Another runtime: this one may be shutting down with the test.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(mut c) = sqlx::AnyConnection::connect(&base).await {
                        let _ = c
                            .execute(
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

/// Polls `check` every 10 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Runs each named `async fn(TestDb)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::history_support::TestDb::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::history_support::TestDb::postgres().await {
                    super::$name(db).await
                }
            }
        }
    )*};
}
