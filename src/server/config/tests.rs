//! Settings from the environment and the file: defaults, precedence and named errors.

use super::*;
use std::collections::HashMap;

fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned())
}

#[test]
fn with_nothing_set_the_builtin_analyzer_is_the_default() {
    let s = settings(&[]).unwrap();
    assert_eq!(s.providers.len(), 1);
    assert_eq!(s.default_provider().kind, ProviderKind::Builtin);
    assert_eq!(s.limits.max_contract_bytes, 262_144);
    assert_eq!(s.limits.stall_timeout, Duration::from_secs(30));
}

#[test]
fn env_describes_the_default_provider_and_builtin_stays_available() {
    let s = settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_BASE_URL", "http://127.0.0.1:11434/v1/"),
        ("AUDITSTREAM_MODEL", "qwen2.5-coder:7b"),
        ("AUDITSTREAM_API_KEY", "sk-secret"),
    ])
    .unwrap();
    let p = s.default_provider();
    assert_eq!((p.name.as_str(), p.kind), ("openai", ProviderKind::OpenAi));
    assert_eq!(p.base_url, "http://127.0.0.1:11434/v1");
    assert_eq!(p.default_model(), "qwen2.5-coder:7b");
    assert!(s.provider("builtin").is_some());
    assert!(
        !format!("{s:?}").contains("sk-secret"),
        "keys never reach Debug output"
    );
}

#[test]
fn the_file_adds_providers_and_env_still_names_the_default() {
    let text = "default = \"local/llama3.1:8b\"\n[[provider]]\nname = \"local\"\nkind = \"ollama\"\nmodels = [\"qwen2.5-coder:7b\", \"llama3.1:8b\"]\n";
    let file = || Some(FileConfig::parse(text, Path::new("t.toml")).unwrap());
    let s = Settings::from_parts(file(), |_| None).unwrap();
    assert_eq!(
        (s.default_provider().name.as_str(), s.default_model.as_str()),
        ("local", "llama3.1:8b")
    );
    assert!(s.provider("builtin").is_some());

    let env = |k: &str| match k {
        "AUDITSTREAM_PROVIDER" => Some("anthropic".to_owned()),
        "AUDITSTREAM_MODEL" => Some("claude-x".to_owned()),
        _ => None,
    };
    let s = Settings::from_parts(file(), env).unwrap();
    assert_eq!(
        (s.default_provider().name.as_str(), s.default_model.as_str()),
        ("anthropic", "claude-x")
    );
    assert_eq!(s.providers.len(), 3, "env provider, file provider, builtin");

    let bad = FileConfig::parse("default = \"nope/x\"\n", Path::new("t.toml")).unwrap();
    assert_eq!(
        Settings::from_parts(Some(bad), |_| None).unwrap_err(),
        ConfigError::BadDefault("nope/x".into())
    );
}

#[test]
fn bad_values_are_named_errors() {
    assert_eq!(
        settings(&[("AUDITSTREAM_PROVIDER", "gemini")]).unwrap_err(),
        ConfigError::UnknownProvider("gemini".into())
    );
    assert!(matches!(
        settings(&[("AUDITSTREAM_MAX_STREAMS", "lots")]).unwrap_err(),
        ConfigError::BadNumber {
            var: "AUDITSTREAM_MAX_STREAMS",
            ..
        }
    ));
    let s = settings(&[("AUDITSTREAM_STALL_TIMEOUT_SECS", "0.25")]).unwrap();
    assert_eq!(s.limits.stall_timeout, Duration::from_millis(250));
}

#[test]
fn guard_settings_have_defaults_parse_and_name_bad_values() {
    let d = settings(&[]).unwrap().limits;
    assert_eq!(
        (d.body_timeout, d.shutdown_grace),
        (Duration::from_secs(10), Duration::from_secs(5))
    );
    assert_eq!(
        (d.rate_per_minute, d.rate_burst, d.trust_forwarded_for),
        (30, 10, false)
    );
    let s = settings(&[
        ("AUDITSTREAM_BODY_TIMEOUT_SECS", "0.5"),
        ("AUDITSTREAM_SHUTDOWN_GRACE_SECS", "0"),
        ("AUDITSTREAM_RATE_PER_MINUTE", "0"),
        ("AUDITSTREAM_RATE_BURST", "0"),
        ("AUDITSTREAM_TRUST_FORWARDED_FOR", "true"),
        (
            "AUDITSTREAM_ALLOWED_ORIGINS",
            " https://App.example.com/ , http://localhost:3000,",
        ),
    ]);
    let s = s.unwrap().limits;
    assert_eq!(
        (s.body_timeout, s.shutdown_grace),
        (Duration::from_millis(500), Duration::ZERO)
    );
    assert_eq!(
        (s.rate_per_minute, s.rate_burst, s.trust_forwarded_for),
        (0, 0, true)
    );
    assert_eq!(
        s.allowed_origins,
        ["https://app.example.com:443", "http://localhost:3000"]
    );

    let bad = |k, v| match settings(&[(k, v)]).unwrap_err() {
        ConfigError::BadNumber { var, .. } => var.to_owned(),
        other => other.to_string(),
    };
    assert_eq!(
        bad("AUDITSTREAM_TRUST_FORWARDED_FOR", "maybe"),
        "AUDITSTREAM_TRUST_FORWARDED_FOR"
    );
    assert_eq!(
        bad("AUDITSTREAM_RATE_BURST", "0"),
        "AUDITSTREAM_RATE_BURST",
        "a burst of 0 while on"
    );
    assert!(bad("AUDITSTREAM_ALLOWED_ORIGINS", "example.com").contains("`example.com`"));
}

fn with_file(toml: &str, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let file = FileConfig::parse(toml, Path::new("auditstream.toml"))?;
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_parts(Some(file), |k| map.get(k).cloned())
}

#[test]
fn fallbacks_are_split_at_the_first_slash_and_checked_against_the_providers() {
    let toml = r#"
[[provider]]
name = "anthropic"
kind = "anthropic"
fallback = ["openrouter/anthropic/claude-sonnet-4.5", "builtin/analyzer"]

[[provider]]
name = "openrouter"
kind = "openai"
"#;
    let s = with_file(toml, &[]).unwrap();
    let chain = &s.provider("anthropic").unwrap().fallback;
    assert_eq!(
        chain,
        &[
            ModelRef {
                provider: "openrouter".into(),
                model: "anthropic/claude-sonnet-4.5".into()
            },
            ModelRef {
                provider: "builtin".into(),
                model: "analyzer".into()
            },
        ]
    );

    let unknown = toml.replace("openrouter/anthropic", "openruter/anthropic");
    let err = with_file(&unknown, &[]).unwrap_err();
    assert!(
        matches!(&err, ConfigError::BadFallback { provider, entry, .. }
            if provider == "anthropic" && entry == "openruter/anthropic/claude-sonnet-4.5"),
        "{err:?}"
    );
    assert!(err.to_string().contains("unknown provider"), "{err}");

    let no_model = toml.replace("\"builtin/analyzer\"", "\"builtin\"");
    assert!(matches!(
        with_file(&no_model, &[]),
        Err(ConfigError::BadFallback { .. })
    ));
    let wrong_builtin = toml.replace("builtin/analyzer", "builtin/gpt");
    assert!(matches!(
        with_file(&wrong_builtin, &[]),
        Err(ConfigError::BadFallback { .. })
    ));
}

#[test]
fn auditstream_fallback_sets_the_default_providers_chain() {
    let s = settings(&[
        ("AUDITSTREAM_PROVIDER", "ollama"),
        ("AUDITSTREAM_FALLBACK", " builtin/analyzer ,"),
    ])
    .unwrap();
    assert_eq!(
        s.default_provider().fallback,
        [ModelRef {
            provider: "builtin".into(),
            model: "analyzer".into()
        }]
    );
    let err = settings(&[
        ("AUDITSTREAM_PROVIDER", "ollama"),
        ("AUDITSTREAM_FALLBACK", "nowhere/m"),
    ])
    .unwrap_err();
    assert!(matches!(err, ConfigError::BadFallback { .. }), "{err:?}");
}

#[test]
fn verification_and_guidance_are_on_unless_switched_off() {
    let d = settings(&[]).unwrap().limits;
    assert!(d.verify_findings && d.analyzer_guides);
    let off = settings(&[
        ("AUDITSTREAM_VERIFY_FINDINGS", "off"),
        ("AUDITSTREAM_ANALYZER_GUIDES", "0"),
    ])
    .unwrap()
    .limits;
    assert!(!off.verify_findings && !off.analyzer_guides);
    assert!(settings(&[("AUDITSTREAM_VERIFY_FINDINGS", "maybe")]).is_err());
}

#[test]
fn analyzer_info_findings_are_kept_unless_switched_off() {
    assert!(settings(&[]).unwrap().limits.analyzer_info);
    let off = settings(&[("AUDITSTREAM_ANALYZER_INFO", "off")]).unwrap();
    assert!(!off.limits.analyzer_info);
    let on = settings(&[("AUDITSTREAM_ANALYZER_INFO", "1")]).unwrap();
    assert!(on.limits.analyzer_info);
    assert!(settings(&[("AUDITSTREAM_ANALYZER_INFO", "maybe")]).is_err());
}

#[test]
fn project_limits_are_named_settings() {
    let d = settings(&[]).unwrap().limits.project;
    assert_eq!(d, crate::project::ProjectLimits::default());
    let s = settings(&[
        ("AUDITSTREAM_MAX_PROJECT_BYTES", "1000"),
        ("AUDITSTREAM_MAX_PROJECT_FILES", "7"),
        ("AUDITSTREAM_MAX_FILE_BYTES", "500"),
        ("AUDITSTREAM_MAX_ZIP_ENTRIES", "9"),
        ("AUDITSTREAM_MAX_ZIP_UNPACKED_BYTES", "2000"),
        ("AUDITSTREAM_MAX_ZIP_RATIO", "20"),
    ])
    .unwrap()
    .limits
    .project;
    assert_eq!(
        (
            s.max_total_bytes,
            s.max_files,
            s.max_file_bytes,
            s.max_zip_entries,
            s.max_unpacked_bytes,
            s.max_compression_ratio
        ),
        (1000, 7, 500, 9, 2000, 20)
    );
    assert!(settings(&[("AUDITSTREAM_MAX_ZIP_RATIO", "lots")]).is_err());
}

#[test]
fn context_tokens_per_provider() {
    assert_eq!(
        settings(&[]).unwrap().default_provider().context_tokens,
        DEFAULT_CONTEXT_TOKENS
    );
    let s = settings(&[
        ("AUDITSTREAM_PROVIDER", "openai"),
        ("AUDITSTREAM_CONTEXT_TOKENS", "131072"),
    ])
    .unwrap();
    assert_eq!(s.default_provider().context_tokens, 131_072);
    let file = file::FileConfig::parse(
        "[[provider]]\nname = \"big\"\nkind = \"openai\"\ncontext_tokens = 200000\n\n[[provider]]\nname = \"small\"\nkind = \"ollama\"\n",
        std::path::Path::new("auditstream.toml"),
    )
    .unwrap();
    let providers = file.providers(&|_| None).unwrap();
    assert_eq!(
        providers
            .iter()
            .map(|p| p.context_tokens)
            .collect::<Vec<_>>(),
        [200_000, DEFAULT_CONTEXT_TOKENS]
    );
}
