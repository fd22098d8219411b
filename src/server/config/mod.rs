//! Settings, read once at start-up from the environment and the optional
//! `auditstream.toml` (the README's settings). Every limit the relay enforces is named here, has a
//! default, and can be overridden.

mod file;
mod history;
mod resume;

use std::{fmt, path::Path, time::Duration};

use crate::server::env_value::{self, SettingError};

pub use file::FileConfig;
pub use history::{Backend, HistorySettings, redact_url, sqlite_url};
pub use resume::{MIN_LOG_EVENTS, ResumeSettings};

pub use crate::server::providers::kind::{BUILTIN_MODEL, ProviderKind};

/// The kind named `s`, or the error that lists the known ones.
fn parse_kind(s: &str) -> Result<ProviderKind, ConfigError> {
    ProviderKind::from_name(s)
        .ok_or_else(|| ConfigError::UnknownProvider(s.trim().to_ascii_lowercase()))
}

/// An API key. Its `Debug` and `Display` never show it, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The key itself, for the one place that sends it upstream.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// One configured model provider.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The `provider` part of `provider/model`.
    pub name: String,
    pub kind: ProviderKind,
    /// Base URL without a trailing slash.
    pub base_url: String,
    pub api_key: Option<Secret>,
    /// Models offered in the picker; the first is this provider's default.
    pub models: Vec<String>,
    /// Asked in order when this provider fails before its first token (`fallback` in
    /// the file, `AUDITSTREAM_FALLBACK` for the default provider).
    pub fallback: Vec<ModelRef>,
    /// The context window of this provider's models, in tokens (`context_tokens` in the
    /// file, `AUDITSTREAM_CONTEXT_TOKENS` for the provider the environment describes): a
    /// project whose prompt would not fit is refused before the model is asked.
    pub context_tokens: usize,
}

/// The context window assumed when none is configured: a 32k-token model.
pub const DEFAULT_CONTEXT_TOKENS: usize = 32_768;

/// One `provider/model` entry of a fallback chain; `provider` names a configured provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelRef {
    pub provider: String,
    pub model: String,
}

impl ModelRef {
    /// `provider/model`, split at the first `/` (the model may hold more of them).
    pub fn parse(entry: &str) -> Option<Self> {
        let (provider, model) = entry.trim().split_once('/')?;
        let (provider, model) = (provider.trim(), model.trim());
        (!provider.is_empty() && !model.is_empty()).then(|| Self {
            provider: provider.to_owned(),
            model: model.to_owned(),
        })
    }
}

/// The fallback entries of `var` (comma-separated), or the error naming a bad one.
fn parse_fallbacks<'a>(
    owner: &str,
    entries: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<ModelRef>, ConfigError> {
    entries
        .into_iter()
        .filter(|e| !e.trim().is_empty())
        .map(|e| {
            ModelRef::parse(e).ok_or_else(|| ConfigError::BadFallback {
                provider: owner.to_owned(),
                entry: e.trim().to_owned(),
                reason: "is not `provider/model`".into(),
            })
        })
        .collect()
}

/// Every fallback entry names a configured provider (and the builtin one its one model).
fn check_fallbacks(providers: &[ProviderConfig]) -> Result<(), ConfigError> {
    for p in providers {
        for f in &p.fallback {
            let bad = |reason: String| ConfigError::BadFallback {
                provider: p.name.clone(),
                entry: format!("{}/{}", f.provider, f.model),
                reason,
            };
            let Some(target) = providers.iter().find(|t| t.name == f.provider) else {
                let known: Vec<&str> = providers.iter().map(|t| t.name.as_str()).collect();
                return Err(bad(format!(
                    "names an unknown provider; configured: {}",
                    known.join(", ")
                )));
            };
            if target.kind == ProviderKind::Builtin && f.model != BUILTIN_MODEL {
                return Err(bad(format!(
                    "the builtin provider offers only `{BUILTIN_MODEL}`"
                )));
            }
        }
    }
    Ok(())
}

/// Limits and timers of the report relay.
#[derive(Clone, Debug)]
pub struct Limits {
    /// `AUDITSTREAM_MAX_CONTRACT_BYTES`: largest accepted contract, in bytes.
    pub max_contract_bytes: usize,
    /// `AUDITSTREAM_STALL_TIMEOUT_SECS`: no upstream bytes for this long → `stalled`.
    pub stall_timeout: Duration,
    /// `AUDITSTREAM_MAX_DURATION_SECS`: whole-report deadline → `timeout`.
    pub max_duration: Duration,
    /// `AUDITSTREAM_MAX_STREAMS`: concurrent report streams.
    pub max_streams: usize,
    /// `AUDITSTREAM_CONNECT_TIMEOUT_SECS`: no upstream response headers for this long → 504.
    pub connect_timeout: Duration,
    /// `AUDITSTREAM_KEEPALIVE_SECS`: `: ping` comment interval while the model is silent.
    pub keepalive: Duration,
    /// `AUDITSTREAM_MAX_LINE_BYTES`: longest SSE or NDJSON line accepted from a model.
    pub max_line_bytes: usize,
    /// `AUDITSTREAM_DISCOVERY_TIMEOUT_SECS`: how long the model picker waits for a
    /// provider's live model list.
    pub discovery_timeout: Duration,
    /// `AUDITSTREAM_BODY_TIMEOUT_SECS`: a request body not read in full by then → 408.
    pub body_timeout: Duration,
    /// `AUDITSTREAM_SHUTDOWN_GRACE_SECS`: how long in-flight reports may go on after a
    /// shutdown begins before they end with a `shutdown` error.
    pub shutdown_grace: Duration,
    /// `AUDITSTREAM_RATE_PER_MINUTE`: report requests per client and minute; 0 turns the
    /// rate limit off.
    pub rate_per_minute: u32,
    /// `AUDITSTREAM_RATE_BURST`: requests a client may make at once before the rate applies.
    pub rate_burst: u32,
    /// `AUDITSTREAM_TRUST_FORWARDED_FOR`: behind one reverse proxy, key the rate limit by
    /// the last `X-Forwarded-For` address and take the scheme from `X-Forwarded-Proto`.
    pub trust_forwarded_for: bool,
    /// `AUDITSTREAM_ALLOWED_ORIGINS`: origins besides our own that may post reports,
    /// normalised to `scheme://host:port`.
    pub allowed_origins: Vec<String>,
    /// `AUDITSTREAM_ANALYZER_INFO`: whether the builtin analyzer's reports keep their Info
    /// findings (hygiene notes); off leaves them out of the report and so of its exports.
    pub analyzer_info: bool,
    /// `AUDITSTREAM_VERIFY_FINDINGS`: whether each finding of a model's report is checked
    /// against the contract as it streams (`finding` events, docs/verification.md).
    pub verify_findings: bool,
    /// `AUDITSTREAM_ANALYZER_GUIDES`: whether the analyzer's findings go into the model's
    /// prompt as candidates to confirm, refute or add to.
    pub analyzer_guides: bool,
    /// `AUDITSTREAM_MAX_PASSES`: the most passes a project too large for the model's
    /// context window is reported in; 1 (or 0) asks in one request or refuses, as before.
    pub max_passes: usize,
    /// `AUDITSTREAM_MAX_PROJECT_BYTES`, `_PROJECT_FILES`, `_FILE_BYTES`, `_ZIP_ENTRIES`,
    /// `_ZIP_UNPACKED_BYTES`, `_ZIP_RATIO`: what a project (a request's `files`, a folder
    /// or zip given to `auditstream audit`) may hold.
    pub project: crate::project::ProjectLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_contract_bytes: 262_144,
            stall_timeout: Duration::from_secs(30),
            max_duration: Duration::from_secs(600),
            max_streams: 256,
            connect_timeout: Duration::from_secs(30),
            keepalive: Duration::from_secs(15),
            max_line_bytes: 1 << 20,
            discovery_timeout: Duration::from_secs(2),
            body_timeout: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(5),
            rate_per_minute: 30,
            rate_burst: 10,
            trust_forwarded_for: false,
            allowed_origins: Vec::new(),
            analyzer_info: true,
            verify_findings: true,
            analyzer_guides: true,
            max_passes: 16,
            project: crate::project::ProjectLimits::default(),
        }
    }
}

/// Everything the server needs to know, resolved at start-up.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Every provider; the first is the default. `builtin` is always present.
    pub providers: Vec<ProviderConfig>,
    /// The model used when a request names none, on the first provider.
    pub default_model: String,
    pub limits: Limits,
    /// `AUDITSTREAM_BUILTIN_PACE_MS`: delay between the builtin analyzer's tokens.
    pub builtin_pace: Duration,
    /// Where reports are kept (`AUDITSTREAM_HISTORY*`, `AUDITSTREAM_DATA_DIR`, …).
    pub history: HistorySettings,
    /// Reports that outlive their connection (`AUDITSTREAM_RESUME_*`).
    pub resume: ResumeSettings,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("unknown provider kind `{0}` (expected builtin, openai, ollama or anthropic)")]
    UnknownProvider(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("provider name `{0}` must be non-empty and contain no `/`")]
    BadName(String),
    #[error("two providers are named `{0}`")]
    DuplicateName(String),
    #[error("the default model `{0}` is not `provider/model` of a configured provider")]
    BadDefault(String),
    #[error("AUDITSTREAM_ALLOWED_ORIGINS: `{0}` is not an origin like https://example.com:8443")]
    BadOrigin(String),
    #[error("fallback `{entry}` of provider `{provider}` {reason}")]
    BadFallback {
        provider: String,
        entry: String,
        reason: String,
    },
    #[error("{var} must be {expected}, got `{value}`")]
    BadNumber {
        var: &'static str,
        expected: &'static str,
        value: String,
    },
}

impl From<SettingError> for ConfigError {
    fn from(e: SettingError) -> Self {
        ConfigError::BadNumber {
            var: e.var,
            expected: e.expected,
            value: e.value,
        }
    }
}

impl Settings {
    /// Reads the process environment and `AUDITSTREAM_CONFIG` (or `./auditstream.toml`
    /// when present).
    pub fn from_env() -> Result<Self, ConfigError> {
        let get = |k: &str| std::env::var(k).ok();
        let file = match get("AUDITSTREAM_CONFIG").filter(|p| !p.trim().is_empty()) {
            Some(path) => FileConfig::load(Path::new(&path), true)?,
            None => FileConfig::load(Path::new("auditstream.toml"), false)?,
        };
        Self::from_parts(file, get)
    }

    /// Settings from environment variables alone, read through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_parts(None, get)
    }

    /// Settings from a parsed file and environment variables read through `get`, so
    /// tests need not touch the process environment.
    pub fn from_parts(
        file: Option<FileConfig>,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let kind = get("AUDITSTREAM_PROVIDER")
            .map(|v| parse_kind(&v))
            .transpose()?;
        let mut providers = match &file {
            Some(f) => f.providers(&get)?,
            None => Vec::new(),
        };
        let mut default = file.as_ref().and_then(|f| f.default.clone());
        if let Some(kind) = kind.filter(|k| *k != ProviderKind::Builtin) {
            let base_url =
                get("AUDITSTREAM_BASE_URL").unwrap_or_else(|| kind.default_base_url().to_owned());
            let model = get("AUDITSTREAM_MODEL").unwrap_or_else(|| kind.default_model().into());
            let name = kind.as_str().to_owned();
            default = Some(format!("{name}/{model}"));
            providers.retain(|p| p.name != name);
            providers.insert(
                0,
                ProviderConfig {
                    name,
                    kind,
                    base_url: base_url.trim_end_matches('/').to_owned(),
                    api_key: get("AUDITSTREAM_API_KEY").map(Secret::new),
                    models: vec![model],
                    fallback: Vec::new(),
                    context_tokens: num(
                        &get,
                        "AUDITSTREAM_CONTEXT_TOKENS",
                        DEFAULT_CONTEXT_TOKENS,
                    )?,
                },
            );
        } else if kind == Some(ProviderKind::Builtin) {
            default = Some(format!("builtin/{BUILTIN_MODEL}"));
        }
        if !providers.iter().any(|p| p.kind == ProviderKind::Builtin) {
            providers.push(ProviderConfig::builtin());
        }
        let default_model = match default {
            None => providers[0].default_model().to_owned(),
            Some(d) => {
                let (name, model) = d
                    .split_once('/')
                    .ok_or_else(|| ConfigError::BadDefault(d.clone()))?;
                let i = providers
                    .iter()
                    .position(|p| p.name == name)
                    .ok_or_else(|| ConfigError::BadDefault(d.clone()))?;
                let p = providers.remove(i);
                providers.insert(0, p);
                model.to_owned()
            }
        };
        if let Some(v) = get("AUDITSTREAM_FALLBACK") {
            let owner = &mut providers[0];
            owner.fallback = parse_fallbacks(&owner.name, v.split(','))?;
        }
        check_fallbacks(&providers)?;

        let d = Limits::default();
        let limits = Limits {
            max_contract_bytes: num(&get, "AUDITSTREAM_MAX_CONTRACT_BYTES", d.max_contract_bytes)?,
            stall_timeout: secs(&get, "AUDITSTREAM_STALL_TIMEOUT_SECS", d.stall_timeout)?,
            max_duration: secs(&get, "AUDITSTREAM_MAX_DURATION_SECS", d.max_duration)?,
            max_streams: num(&get, "AUDITSTREAM_MAX_STREAMS", d.max_streams)?,
            connect_timeout: secs(&get, "AUDITSTREAM_CONNECT_TIMEOUT_SECS", d.connect_timeout)?,
            keepalive: secs(&get, "AUDITSTREAM_KEEPALIVE_SECS", d.keepalive)?,
            max_line_bytes: num(&get, "AUDITSTREAM_MAX_LINE_BYTES", d.max_line_bytes)?,
            discovery_timeout: secs(
                &get,
                "AUDITSTREAM_DISCOVERY_TIMEOUT_SECS",
                d.discovery_timeout,
            )?,
            body_timeout: secs(&get, "AUDITSTREAM_BODY_TIMEOUT_SECS", d.body_timeout)?,
            shutdown_grace: secs(&get, "AUDITSTREAM_SHUTDOWN_GRACE_SECS", d.shutdown_grace)?,
            rate_per_minute: num(&get, "AUDITSTREAM_RATE_PER_MINUTE", d.rate_per_minute)?,
            rate_burst: num(&get, "AUDITSTREAM_RATE_BURST", d.rate_burst)?,
            trust_forwarded_for: flag(
                &get,
                "AUDITSTREAM_TRUST_FORWARDED_FOR",
                d.trust_forwarded_for,
            )?,
            allowed_origins: get("AUDITSTREAM_ALLOWED_ORIGINS")
                .map(|v| crate::server::origin::parse_origins(&v).map_err(ConfigError::BadOrigin))
                .transpose()?
                .unwrap_or_default(),
            analyzer_info: flag(&get, "AUDITSTREAM_ANALYZER_INFO", d.analyzer_info)?,
            verify_findings: flag(&get, "AUDITSTREAM_VERIFY_FINDINGS", d.verify_findings)?,
            analyzer_guides: flag(&get, "AUDITSTREAM_ANALYZER_GUIDES", d.analyzer_guides)?,
            max_passes: num(&get, "AUDITSTREAM_MAX_PASSES", d.max_passes)?,
            project: crate::project::ProjectLimits {
                max_total_bytes: num(
                    &get,
                    "AUDITSTREAM_MAX_PROJECT_BYTES",
                    d.project.max_total_bytes,
                )?,
                max_files: num(&get, "AUDITSTREAM_MAX_PROJECT_FILES", d.project.max_files)?,
                max_file_bytes: num(&get, "AUDITSTREAM_MAX_FILE_BYTES", d.project.max_file_bytes)?,
                max_zip_entries: num(
                    &get,
                    "AUDITSTREAM_MAX_ZIP_ENTRIES",
                    d.project.max_zip_entries,
                )?,
                max_unpacked_bytes: num(
                    &get,
                    "AUDITSTREAM_MAX_ZIP_UNPACKED_BYTES",
                    d.project.max_unpacked_bytes,
                )?,
                max_compression_ratio: num(
                    &get,
                    "AUDITSTREAM_MAX_ZIP_RATIO",
                    d.project.max_compression_ratio,
                )?,
            },
        };
        if limits.rate_per_minute > 0 && limits.rate_burst == 0 {
            return Err(ConfigError::BadNumber {
                var: "AUDITSTREAM_RATE_BURST",
                expected: "at least 1 while AUDITSTREAM_RATE_PER_MINUTE is on",
                value: "0".into(),
            });
        }
        let pace_ms: u64 = num(&get, "AUDITSTREAM_BUILTIN_PACE_MS", 12)?;
        Ok(Self {
            providers,
            default_model,
            limits,
            builtin_pace: Duration::from_millis(pace_ms),
            history: HistorySettings::from_lookup(&get)?,
            resume: ResumeSettings::from_lookup(&get)?,
        })
    }

    /// The provider used when a request names none.
    pub fn default_provider(&self) -> &ProviderConfig {
        &self.providers[0]
    }

    pub fn provider(&self, name: &str) -> Option<&ProviderConfig> {
        self.providers.iter().find(|p| p.name == name)
    }
}

impl ProviderConfig {
    pub fn builtin() -> Self {
        Self {
            name: "builtin".into(),
            kind: ProviderKind::Builtin,
            base_url: String::new(),
            api_key: None,
            models: vec![BUILTIN_MODEL.into()],
            fallback: Vec::new(),
            context_tokens: DEFAULT_CONTEXT_TOKENS,
        }
    }

    pub fn default_model(&self) -> &str {
        self.models.first().map_or(BUILTIN_MODEL, String::as_str)
    }
}

/// A number from the environment; see [`env_value::number`].
fn num<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    Ok(env_value::number(get, var, default)?)
}

fn secs(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let s: f64 = num(get, var, default.as_secs_f64())?;
    Duration::try_from_secs_f64(s).map_err(|_| ConfigError::BadNumber {
        var,
        expected: "a non-negative number of seconds",
        value: s.to_string(),
    })
}

/// An on/off switch from the environment; see [`env_value::switch`].
fn flag(
    get: &impl Fn(&str) -> Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    Ok(env_value::switch(get, var, default)?)
}

#[cfg(test)]
mod tests;
