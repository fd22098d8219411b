//! The optional `auditstream.toml`: several providers at once, so the model picker can
//! offer all of them. The environment still describes the default provider and wins.

use std::path::Path;

use serde::Deserialize;

use super::{ConfigError, ProviderConfig, Secret, parse_fallbacks, parse_kind};

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// `provider/model` used when a request names none; the first provider's first
    /// model otherwise.
    pub default: Option<String>,
    #[serde(default, rename = "provider")]
    pub providers: Vec<FileProvider>,
}

/// One `[[provider]]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileProvider {
    pub name: String,
    pub kind: String,
    pub base_url: Option<String>,
    /// The name of the environment variable holding the key; keys never go in the file.
    pub api_key_env: Option<String>,
    #[serde(default)]
    pub models: Vec<String>,
    /// `provider/model` entries asked in order when this provider fails before its
    /// first token; checked against the configured providers at start-up.
    #[serde(default)]
    pub fallback: Vec<String>,
    /// The models' context window in tokens; a 32k-token model when absent.
    pub context_tokens: Option<usize>,
}

impl FileConfig {
    pub fn parse(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::File {
            path: origin.display().to_string(),
            message: e.message().to_owned(),
        })
    }

    /// Reads `path`; a missing file is an error only when it was asked for by name.
    pub fn load(path: &Path, required: bool) -> Result<Option<Self>, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, path).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Ok(None),
            Err(e) => Err(ConfigError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// The providers, with keys read from the variables the file names.
    pub fn providers(
        &self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<ProviderConfig>, ConfigError> {
        let mut out: Vec<ProviderConfig> = Vec::new();
        for p in &self.providers {
            let kind = parse_kind(&p.kind)?;
            let name = p.name.trim();
            if name.is_empty() || name.contains('/') {
                return Err(ConfigError::BadName(p.name.clone()));
            }
            if out.iter().any(|o| o.name == name) {
                return Err(ConfigError::DuplicateName(name.to_owned()));
            }
            let base = p
                .base_url
                .clone()
                .unwrap_or_else(|| kind.default_base_url().to_owned());
            let mut models = p.models.clone();
            if models.is_empty() {
                models.push(kind.default_model().to_owned());
            }
            out.push(ProviderConfig {
                name: name.to_owned(),
                kind,
                base_url: base.trim_end_matches('/').to_owned(),
                api_key: p.api_key_env.as_deref().and_then(get).map(Secret::new),
                models,
                fallback: parse_fallbacks(name, p.fallback.iter().map(String::as_str))?,
                context_tokens: p.context_tokens.unwrap_or(super::DEFAULT_CONTEXT_TOKENS),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::config::ProviderKind;

    const EXAMPLE: &str = r#"
default = "local/qwen2.5-coder:7b"

[[provider]]
name = "local"
kind = "ollama"
models = ["qwen2.5-coder:7b", "llama3.1:8b"]

[[provider]]
name = "openrouter"
kind = "openai"
base_url = "https://openrouter.ai/api/v1/"
api_key_env = "OPENROUTER_API_KEY"
models = ["anthropic/claude-sonnet-4.5"]
"#;

    #[test]
    fn several_providers_with_keys_from_named_variables() {
        let f = FileConfig::parse(EXAMPLE, Path::new("auditstream.toml")).unwrap();
        let get = |k: &str| (k == "OPENROUTER_API_KEY").then(|| "sk-or".to_owned());
        let ps = f.providers(&get).unwrap();
        assert_eq!(ps.len(), 2);
        assert_eq!(
            (ps[0].kind, ps[0].base_url.as_str()),
            (ProviderKind::Ollama, "http://127.0.0.1:11434")
        );
        assert_eq!(ps[1].base_url, "https://openrouter.ai/api/v1");
        assert_eq!(ps[1].api_key.as_ref().map(Secret::expose), Some("sk-or"));
        assert_eq!(f.default.as_deref(), Some("local/qwen2.5-coder:7b"));
    }

    #[test]
    fn mistakes_are_named() {
        let p = Path::new("a.toml");
        assert!(matches!(
            FileConfig::parse("[[provider]]\nname='x'\n", p),
            Err(ConfigError::File { .. })
        ));
        assert!(matches!(
            FileConfig::parse("colour = 1", p),
            Err(ConfigError::File { .. })
        ));
        let dup = "[[provider]]\nname='a'\nkind='ollama'\n[[provider]]\nname='a'\nkind='openai'\n";
        let f = FileConfig::parse(dup, p).unwrap();
        assert_eq!(
            f.providers(&|_| None).unwrap_err(),
            ConfigError::DuplicateName("a".into())
        );
        let slash = FileConfig::parse("[[provider]]\nname='a/b'\nkind='ollama'\n", p).unwrap();
        assert!(matches!(
            slash.providers(&|_| None),
            Err(ConfigError::BadName(_))
        ));
        assert!(
            FileConfig::load(Path::new("/nonexistent/auditstream.toml"), false)
                .unwrap()
                .is_none()
        );
        assert!(FileConfig::load(Path::new("/nonexistent/auditstream.toml"), true).is_err());
    }
}
