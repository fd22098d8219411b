//! The schema migrations, embedded in the binary and run at start on either backend.
//! sqlx's migrator records them (with checksums) in `_sqlx_migrations` and, on
//! PostgreSQL, takes an advisory lock so instances starting together migrate once.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::{
    AnyPool,
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
};

/// Every migration, oldest first. Append; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "reports", include_str!("migrations/0001_reports.sql")),
    (2, "checks", include_str!("migrations/0002_checks.sql")),
    (
        3,
        "instances",
        include_str!("migrations/0003_instances.sql"),
    ),
    (
        4,
        "project files",
        include_str!("migrations/0004_project_files.sql"),
    ),
];

/// The embedded migrations as a source for sqlx's migrator.
#[derive(Debug)]
struct Embedded;

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|&(version, description, sql)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub(super) async fn run(pool: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    Migrator::new(Embedded).await?.run(pool).await
}
