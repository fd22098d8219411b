//! The answer of `POST /api/project`: what the server makes of a project before any
//! report is asked for (the files it took and the part each plays, what it left out and
//! why, the imports nothing answers, and the model tokens a report would take). The page
//! shows it as the project's file tree; both ends share these shapes, and the rules of
//! which files a project's reading keeps (the page reads no more than the server would).

use serde::{Deserialize, Serialize};

use super::ProjectFile;

/// A project as the server read it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectPreview {
    /// `foundry`, `hardhat` or `plain`.
    pub layout: String,
    /// The top folder taken off every path (`myproject` of a zipped `myproject/`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// Every file seen, sorted by path: those read and those left out.
    pub files: Vec<PreviewFile>,
    /// Imports no file answers, asked for by the audited code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unresolved: Vec<PreviewImport>,
    /// Lines of the files in scope.
    pub lines_in_scope: usize,
    /// The model tokens a report would take: the prompt (in-scope files, library
    /// interfaces) and the room kept for the report. An estimate (a token per 3 bytes).
    pub estimated_tokens: usize,
    /// The context window of the model asked about, when one was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_tokens: Option<usize>,
    /// The files read, with their text, when the project came as a `.zip`: the page
    /// sends these with its report request (the request carries files, not archives).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contents: Vec<ProjectFile>,
}

/// One file of a project and its part in the audit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewFile {
    pub path: String,
    /// `in_scope`, `library`, `layout`, `test`, `script`, `mock`, `outside_sources`,
    /// `excluded`, or `skipped` (not read at all).
    pub role: String,
    /// Why, for a person: "in scope", "library", "test", "not a source file", …
    pub label: String,
    /// 0 for a file not read.
    pub lines: usize,
    pub bytes: usize,
}

impl PreviewFile {
    /// Audited: findings are reported on it.
    pub fn in_scope(&self) -> bool {
        self.role == "in_scope"
    }

    /// A `.sol`/`.vy` file that could be put in scope or out of it.
    pub fn is_source(&self) -> bool {
        !matches!(self.role.as_str(), "layout" | "skipped")
    }
}

/// An import nothing in the project answers, and who asked for it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewImport {
    pub file: String,
    pub line: usize,
    pub import: String,
}

/// Whether a file at `path` is read at all: Solidity and Vyper sources and the files that
/// say how the project is laid out.
pub fn is_kept(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".sol")
        || lower.ends_with(".vy")
        || lower.ends_with(".vyi")
        || lower == "foundry.toml"
        || lower == "remappings.txt"
        || lower.starts_with("hardhat.config.")
}

/// Whether `path` is a Solidity or Vyper source.
pub fn is_source(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".sol") || lower.ends_with(".vy") || lower.ends_with(".vyi")
}

/// Folders a walk or an archive never descends into.
pub fn is_build_folder(name: &str) -> bool {
    name.starts_with('.')
        || matches!(
            name,
            "out" | "cache" | "artifacts" | "broadcast" | "typechain-types" | "coverage"
        )
        || name == "__MACOSX"
}

/// A project path as a glob that matches exactly that path (the scope the page sends
/// when a person picks files one by one): glob characters are escaped with a backslash (a
/// project path never holds one itself).
pub fn literal_glob(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_literal_glob_brackets_what_globs_read() {
        assert_eq!(literal_glob("src/Vault.sol"), "src/Vault.sol");
        assert_eq!(literal_glob("src/a[1]*.sol"), "src/a\\[1\\]\\*.sol");
    }
}
