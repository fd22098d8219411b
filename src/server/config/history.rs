//! The history settings (`AUDITSTREAM_HISTORY*`, `AUDITSTREAM_DATA_DIR`,
//! `AUDITSTREAM_DATABASE_URL`, …) and the database URL's handling (redacted for logs),
//! parsed with the other settings; `Settings::history` carries the result to the store.

use std::{path::PathBuf, time::Duration};

pub use crate::server::env_value::SettingError;
use crate::server::env_value::{number, switch};

/// The most reports one history page may list (each page is one query and one response).
pub const MAX_PAGE_SIZE: u32 = 500;

/// Which database is behind the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a URL names, if it is one we support.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// Where and how reports are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistorySettings {
    /// `AUDITSTREAM_HISTORY`: `off` keeps nothing (no database is opened).
    pub enabled: bool,
    /// `AUDITSTREAM_DATA_DIR`: holds the SQLite file `auditstream.db`; created on first run.
    pub data_dir: PathBuf,
    /// `AUDITSTREAM_DATABASE_URL`: `postgres://…` switches to PostgreSQL (`sqlite:…` is
    /// also accepted); unset means the SQLite file in the data directory.
    pub database_url: Option<String>,
    /// `AUDITSTREAM_HISTORY_MAX_AGE_DAYS`: reports older than this are deleted at start and
    /// every hour; 0 keeps them forever.
    pub max_age_days: u64,
    /// `AUDITSTREAM_HISTORY_BATCH_MS`: the writer commits streamed text at least this often.
    pub batch: Duration,
    /// `AUDITSTREAM_HISTORY_QUEUE`: report starts and ends the relay may queue for the writer
    /// before they wait (and are counted); streamed text never goes through it.
    pub queue: usize,
    /// `AUDITSTREAM_HISTORY_RETRY_SECS`: how long the writer keeps retrying a report the
    /// database refuses before it gives up and counts it as not saved.
    pub retry: Duration,
    /// `AUDITSTREAM_HISTORY_PAGE_SIZE`: reports per page of the history list, 1 to
    /// [`MAX_PAGE_SIZE`].
    pub page_size: u32,
    /// `AUDITSTREAM_INSTANCE_LEASE_SECS`: on PostgreSQL, a server that has not renewed its
    /// lease for this long is taken for dead and its `streaming` reports are
    /// interrupted by the others (it renews every third of it).
    pub lease: Duration,
    /// `AUDITSTREAM_SECURE_COOKIE`: mark the owner cookie `Secure`. Also set per request
    /// when `X-Forwarded-Proto: https` is trusted (`AUDITSTREAM_TRUST_FORWARDED_FOR`).
    pub secure_cookie: bool,
}

impl Default for HistorySettings {
    fn default() -> Self {
        Self {
            enabled: true,
            data_dir: PathBuf::from("data"),
            database_url: None,
            max_age_days: 90,
            batch: Duration::from_millis(200),
            queue: 4096,
            retry: Duration::from_secs(60),
            page_size: crate::history::DEFAULT_PAGE_SIZE,
            lease: Duration::from_secs(10),
            secure_cookie: false,
        }
    }
}

impl HistorySettings {
    /// Reads the variables through `get` (which already drops empty values).
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let d = Self::default();
        let database_url = get("AUDITSTREAM_DATABASE_URL").map(|u| u.trim().to_owned());
        if let Some(url) = database_url
            .as_deref()
            .filter(|u| Backend::of_url(u).is_none())
        {
            return Err(SettingError {
                var: "AUDITSTREAM_DATABASE_URL",
                expected: "a postgres://user:password@host:port/database or sqlite: URL",
                value: redact_url(url),
            });
        }
        let batch_ms: u64 = number(get, "AUDITSTREAM_HISTORY_BATCH_MS", 200)?;
        let queue: usize = number(get, "AUDITSTREAM_HISTORY_QUEUE", d.queue)?;
        if batch_ms == 0 || queue == 0 {
            let (var, value) = if batch_ms == 0 {
                ("AUDITSTREAM_HISTORY_BATCH_MS", "0")
            } else {
                ("AUDITSTREAM_HISTORY_QUEUE", "0")
            };
            return Err(SettingError {
                var,
                expected: "at least 1",
                value: value.into(),
            });
        }
        let page_size: u32 = number(get, "AUDITSTREAM_HISTORY_PAGE_SIZE", d.page_size)?;
        if !(1..=MAX_PAGE_SIZE).contains(&page_size) {
            return Err(SettingError {
                var: "AUDITSTREAM_HISTORY_PAGE_SIZE",
                expected: "a number of reports from 1 to 500",
                value: page_size.to_string(),
            });
        }
        let lease_secs: u64 = number(get, "AUDITSTREAM_INSTANCE_LEASE_SECS", d.lease.as_secs())?;
        if lease_secs == 0 {
            return Err(SettingError {
                var: "AUDITSTREAM_INSTANCE_LEASE_SECS",
                expected: "at least 1 second",
                value: "0".into(),
            });
        }
        Ok(Self {
            enabled: switch(get, "AUDITSTREAM_HISTORY", d.enabled)?,
            lease: Duration::from_secs(lease_secs),
            page_size,
            data_dir: get("AUDITSTREAM_DATA_DIR").map_or(d.data_dir, PathBuf::from),
            database_url,
            max_age_days: number(get, "AUDITSTREAM_HISTORY_MAX_AGE_DAYS", d.max_age_days)?,
            batch: Duration::from_millis(batch_ms),
            queue,
            retry: Duration::from_secs(number(
                get,
                "AUDITSTREAM_HISTORY_RETRY_SECS",
                d.retry.as_secs(),
            )?),
            secure_cookie: switch(get, "AUDITSTREAM_SECURE_COOKIE", d.secure_cookie)?,
        })
    }

    /// The database to open: the configured URL, or the SQLite file in the data directory.
    pub fn url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => sqlite_url(&self.data_dir.join("auditstream.db")),
        }
    }
}

/// A `sqlite://` URL for `path` that creates the file when missing. `%`, `?` and `#` are
/// escaped, since the driver percent-decodes the path.
pub fn sqlite_url(path: &std::path::Path) -> String {
    let mut escaped = String::new();
    for c in path.to_string_lossy().chars() {
        match c {
            '%' => escaped.push_str("%25"),
            '?' => escaped.push_str("%3F"),
            '#' => escaped.push_str("%23"),
            c => escaped.push(c),
        }
    }
    format!("sqlite://{escaped}?mode=rwc")
}

/// The URL without its password, for error messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{user}:***@{}", &url[..s], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<HistorySettings, SettingError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        HistorySettings::from_lookup(&|k: &str| {
            pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_keep_history_in_a_sqlite_file_under_data() {
        let s = from(&[]).unwrap();
        assert_eq!(s, HistorySettings::default());
        assert_eq!(s.url(), "sqlite://data/auditstream.db?mode=rwc");
    }

    #[test]
    fn every_setting_is_read_and_checked_at_its_edge() {
        let s = from(&[
            ("AUDITSTREAM_HISTORY", "off"),
            ("AUDITSTREAM_DATA_DIR", "/var/lib/a?b#c%"),
            ("AUDITSTREAM_HISTORY_MAX_AGE_DAYS", "0"),
            ("AUDITSTREAM_HISTORY_BATCH_MS", "1"),
            ("AUDITSTREAM_HISTORY_QUEUE", "1"),
            ("AUDITSTREAM_HISTORY_RETRY_SECS", "0"),
            ("AUDITSTREAM_SECURE_COOKIE", "1"),
            ("AUDITSTREAM_HISTORY_PAGE_SIZE", "1"),
            ("AUDITSTREAM_INSTANCE_LEASE_SECS", "1"),
        ])
        .unwrap();
        assert!(!s.enabled && s.secure_cookie);
        assert_eq!(s.lease, Duration::from_secs(1));
        assert_eq!(s.page_size, 1);
        let most = from(&[("AUDITSTREAM_HISTORY_PAGE_SIZE", "500")]).unwrap();
        assert_eq!(most.page_size, MAX_PAGE_SIZE);
        assert_eq!((s.max_age_days, s.queue), (0, 1));
        assert_eq!(
            (s.batch, s.retry),
            (Duration::from_millis(1), Duration::ZERO)
        );
        assert_eq!(
            s.url(),
            "sqlite:///var/lib/a%3Fb%23c%25/auditstream.db?mode=rwc"
        );
        for (var, bad) in [
            ("AUDITSTREAM_HISTORY_BATCH_MS", "0"),
            ("AUDITSTREAM_HISTORY_QUEUE", "0"),
            ("AUDITSTREAM_HISTORY", "maybe"),
            ("AUDITSTREAM_HISTORY_MAX_AGE_DAYS", "-1"),
            ("AUDITSTREAM_HISTORY_PAGE_SIZE", "0"),
            ("AUDITSTREAM_HISTORY_PAGE_SIZE", "501"),
            ("AUDITSTREAM_INSTANCE_LEASE_SECS", "0"),
        ] {
            let e = from(&[(var, bad)]).unwrap_err();
            assert!(e.to_string().starts_with(var), "{e}");
        }
    }

    #[test]
    fn a_postgres_url_switches_backend_and_a_bad_one_is_refused_without_its_password() {
        let s = from(&[(
            "AUDITSTREAM_DATABASE_URL",
            "postgres://u:pw@127.0.0.1:5432/a",
        )])
        .unwrap();
        assert_eq!(s.url(), "postgres://u:pw@127.0.0.1:5432/a");
        let e = from(&[("AUDITSTREAM_DATABASE_URL", "mysql://u:hunter2@h/db")]).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("AUDITSTREAM_DATABASE_URL") && !msg.contains("hunter2"),
            "{msg}"
        );
    }
}
