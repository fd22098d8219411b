//! The contract's language, decided once for everyone: the analyzer, the LLM prompt, the CLI
//! and the page all ask here, so they never disagree about a file.

use serde::{Deserialize, Serialize};

/// The contract language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    Solidity,
    Vyper,
}

impl Language {
    /// The code-fence info string for snippets: `solidity` or `vyper`.
    pub fn fence(self) -> &'static str {
        match self {
            Language::Solidity => "solidity",
            Language::Vyper => "vyper",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Language::Solidity => "Solidity",
            Language::Vyper => "Vyper",
        })
    }
}

/// Decides the language: a `.vy`/`.vyi` filename means Vyper and `.sol` Solidity; otherwise
/// the text decides. A `# @version` / `#pragma version` header means Vyper, `pragma solidity`
/// or a `contract`/`library`/`interface … {` line means Solidity, and failing both, Python-like
/// `def …:` lines mean Vyper. Solidity is the default.
pub fn detect_language(source: &str, filename: Option<&str>) -> Language {
    if let Some(name) = filename {
        let name = name.trim().to_ascii_lowercase();
        if name.ends_with(".vy") || name.ends_with(".vyi") {
            return Language::Vyper;
        }
        if name.ends_with(".sol") {
            return Language::Solidity;
        }
    }
    let mut defs = false;
    for line in source.lines() {
        let t = line.trim();
        if vyper_version(t).is_some() {
            return Language::Vyper;
        }
        let solidity_head = [
            "pragma solidity",
            "contract ",
            "abstract contract ",
            "library ",
        ];
        if solidity_head.iter().any(|h| t.starts_with(h)) && !t.ends_with(':')
            || t.starts_with("interface ") && t.contains('{')
        {
            return Language::Solidity;
        }
        defs |= t.starts_with("def ") && t.ends_with(':') || t == "@external";
    }
    if defs {
        Language::Vyper
    } else {
        Language::Solidity
    }
}

/// The constraint of a Vyper version header comment (`# @version ^0.3.7`,
/// `#pragma version >=0.4.0`), given the trimmed line.
pub fn vyper_version(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix('#')?.trim_start();
    let value = match rest.strip_prefix("@version") {
        Some(v) => v,
        None => rest
            .strip_prefix("pragma")?
            .trim_start()
            .strip_prefix("version")?,
    };
    let separated = value.starts_with(char::is_whitespace);
    let value = value.trim();
    (separated && !value.is_empty() && value.len() <= MAX_VERSION_LEN).then_some(value)
}

/// The longest Vyper version constraint looked at.
const MAX_VERSION_LEN: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filename_decides_first_then_the_text() {
        assert_eq!(
            detect_language("contract A {}", Some("Kill.VY")),
            Language::Vyper
        );
        assert_eq!(
            detect_language("def f():", Some("a.sol")),
            Language::Solidity
        );
        assert_eq!(
            detect_language("# @version ^0.3.7\n", None),
            Language::Vyper
        );
        assert_eq!(
            detect_language("pragma solidity ^0.8.0;", None),
            Language::Solidity
        );
        assert_eq!(
            detect_language("@external\ndef f():\n    pass", None),
            Language::Vyper
        );
        assert_eq!(detect_language("", None), Language::Solidity);
    }
}
