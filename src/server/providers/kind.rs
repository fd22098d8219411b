//! `ProviderKind` and the one `match` on it (`ProviderKind::wire`): adding a provider
//! means one new file and one line here. The settings ask it for a kind's defaults
//! without depending on the IO in `http.rs`.

use super::{anthropic, ollama, openai, wire::Wire};

/// Which wire format a provider speaks; named in lower case (`openai`) in settings.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString, strum::EnumIter,
)]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum ProviderKind {
    /// The embedded offline analyzer; needs no network.
    Builtin,
    /// OpenAI-compatible `/v1/chat/completions` (OpenAI, OpenRouter, vLLM, llama.cpp, Ollama's /v1).
    OpenAi,
    /// Ollama's native `/api/chat` NDJSON.
    Ollama,
    /// Anthropic Messages.
    Anthropic,
}

/// The one model the builtin provider offers.
pub const BUILTIN_MODEL: &str = "analyzer";

impl ProviderKind {
    /// The kind named `s` (any case, surrounding space ignored).
    pub fn from_name(s: &str) -> Option<Self> {
        s.trim().parse().ok()
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The provider behind this kind; `None` for the builtin analyzer, which speaks no
    /// wire format.
    pub fn wire(self) -> Option<&'static dyn Wire> {
        match self {
            Self::Builtin => None,
            Self::OpenAi => Some(&openai::OpenAi),
            Self::Ollama => Some(&ollama::Ollama),
            Self::Anthropic => Some(&anthropic::Anthropic),
        }
    }

    pub fn default_base_url(self) -> &'static str {
        self.wire().map_or("", Wire::default_base_url)
    }

    pub fn default_model(self) -> &'static str {
        self.wire().map_or(BUILTIN_MODEL, Wire::default_model)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_by_name_and_every_network_kind_has_a_wire() {
        use strum::IntoEnumIterator;
        let names: Vec<&str> = ProviderKind::iter().map(ProviderKind::as_str).collect();
        assert_eq!(names, ["builtin", "openai", "ollama", "anthropic"]);
        for kind in ProviderKind::iter() {
            let upper = format!(" {} ", kind.as_str().to_uppercase());
            assert_eq!(ProviderKind::from_name(&upper), Some(kind));
            assert_eq!(kind.wire().is_some(), kind != ProviderKind::Builtin);
        }
        assert_eq!(ProviderKind::from_name("gemini"), None);
        assert_eq!(ProviderKind::Builtin.default_model(), BUILTIN_MODEL);
    }
}
