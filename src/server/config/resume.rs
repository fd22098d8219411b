//! The settings of reports that outlive their connection (a request with its own
//! `report_id`, docs/protocol.md "Resume"): how long a report may go unread, how much of
//! it a server keeps for readers that come back, and the `retry:` it tells them.
//! Parsed with the other settings; `Settings::resume` carries them to `server::resume`.

use std::time::Duration;

use crate::server::env_value::{SettingError, number, switch};

/// The fewest events a report's log may keep: its `meta` and its terminal event.
pub const MIN_LOG_EVENTS: usize = 2;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResumeSettings {
    /// `AUDITSTREAM_RESUME`: `off` treats a request's `report_id` as absent (the report
    /// is its response again, and ends with it): for several instances behind a load
    /// balancer that does not keep a client on one of them, where a resume or a Stop
    /// could reach an instance that does not hold the report.
    pub enabled: bool,
    /// `AUDITSTREAM_RESUME_GRACE_SECS`: a running report with no reader for this long is
    /// stopped (its model connection closed); a finished one is forgotten (its history
    /// row stays).
    pub grace: Duration,
    /// `AUDITSTREAM_RESUME_LOG_EVENTS`: the most recent events each report keeps for
    /// readers that resume; one that missed older ones gets the text so far instead.
    pub log_events: usize,
    /// `AUDITSTREAM_RESUME_RETRY_MS`: the `retry:` sent to readers, the base of their
    /// reconnection backoff.
    pub retry: Duration,
    /// `AUDITSTREAM_RESUME_KEEP_ON_LEAVE`: the page leaves its report running when it is
    /// closed or reloaded (a reload reads it on), instead of stopping it; an abandoned
    /// one then costs at most the grace period.
    pub keep_on_leave: bool,
    /// `AUDITSTREAM_REDIS_URL` (`redis://host:port/db`): several instances share
    /// resumable reports through this Redis (Streams as the log, pub/sub for Stop);
    /// unset, each instance keeps its own reports in memory.
    pub redis_url: Option<String>,
}

impl Default for ResumeSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            grace: Duration::from_secs(30),
            log_events: 4096,
            retry: Duration::from_millis(1000),
            keep_on_leave: false,
            redis_url: None,
        }
    }
}

impl ResumeSettings {
    /// Reads the variables through `get` (which already drops empty values).
    pub fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, SettingError> {
        let d = Self::default();
        let grace_secs: f64 = number(get, "AUDITSTREAM_RESUME_GRACE_SECS", d.grace.as_secs_f64())?;
        let grace = Duration::try_from_secs_f64(grace_secs).map_err(|_| SettingError {
            var: "AUDITSTREAM_RESUME_GRACE_SECS",
            expected: "a non-negative number of seconds",
            value: grace_secs.to_string(),
        })?;
        let log_events: usize = number(get, "AUDITSTREAM_RESUME_LOG_EVENTS", d.log_events)?;
        if log_events < MIN_LOG_EVENTS {
            return Err(SettingError {
                var: "AUDITSTREAM_RESUME_LOG_EVENTS",
                expected: "at least 2 (a report's first and last events)",
                value: log_events.to_string(),
            });
        }
        let retry_ms: u64 = number(get, "AUDITSTREAM_RESUME_RETRY_MS", 1000)?;
        if retry_ms == 0 {
            return Err(SettingError {
                var: "AUDITSTREAM_RESUME_RETRY_MS",
                expected: "at least 1 millisecond",
                value: "0".into(),
            });
        }
        let redis_url = get("AUDITSTREAM_REDIS_URL").map(|u| u.trim().to_owned());
        if let Some(url) = &redis_url
            && !(url.starts_with("redis://") || url.starts_with("redis+unix://"))
        {
            return Err(SettingError {
                var: "AUDITSTREAM_REDIS_URL",
                expected: "a redis:// URL such as redis://127.0.0.1:6379/0",
                // Only the scheme: the rest may hold a password.
                value: url.split("://").next().unwrap_or("").to_owned(),
            });
        }
        Ok(Self {
            redis_url,
            enabled: switch(get, "AUDITSTREAM_RESUME", d.enabled)?,
            grace,
            log_events,
            retry: Duration::from_millis(retry_ms),
            keep_on_leave: switch(get, "AUDITSTREAM_RESUME_KEEP_ON_LEAVE", d.keep_on_leave)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<ResumeSettings, SettingError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ResumeSettings::from_lookup(&|k: &str| {
            vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_and_overrides() {
        assert_eq!(read(&[]).unwrap(), ResumeSettings::default());
        let s = read(&[
            ("AUDITSTREAM_RESUME_GRACE_SECS", "0.25"),
            ("AUDITSTREAM_RESUME_LOG_EVENTS", "2"),
            ("AUDITSTREAM_RESUME_RETRY_MS", "1"),
            ("AUDITSTREAM_RESUME_KEEP_ON_LEAVE", "on"),
            ("AUDITSTREAM_RESUME", "off"),
        ])
        .unwrap();
        assert!(s.keep_on_leave && !s.enabled);
        assert_eq!(s.grace, Duration::from_millis(250));
        assert_eq!(s.log_events, 2);
        assert_eq!(s.retry, Duration::from_millis(1));
        let s = read(&[("AUDITSTREAM_REDIS_URL", "redis://127.0.0.1:6379/0")]).unwrap();
        assert_eq!(s.redis_url.as_deref(), Some("redis://127.0.0.1:6379/0"));
    }

    #[test]
    fn each_refuses_the_value_below_its_edge() {
        for (var, value) in [
            ("AUDITSTREAM_RESUME_LOG_EVENTS", "1"),
            ("AUDITSTREAM_RESUME_RETRY_MS", "0"),
            ("AUDITSTREAM_RESUME_GRACE_SECS", "-1"),
            ("AUDITSTREAM_RESUME_GRACE_SECS", "soon"),
            ("AUDITSTREAM_RESUME_KEEP_ON_LEAVE", "maybe"),
            ("AUDITSTREAM_RESUME", "sometimes"),
            ("AUDITSTREAM_REDIS_URL", "http://cache:6379"),
        ] {
            let e = read(&[(var, value)]).unwrap_err();
            assert_eq!(e.var, var, "{value}");
        }
    }
}
