//! The findings model: what every report is made of once it is data rather than text. The
//! builtin analyzer produces it directly, the markdown parser reads it out of any model's
//! report, and the exports (JSON, SARIF, Markdown) and the reader all consume it.

use serde::{Deserialize, Serialize};

/// How serious a finding is. Declared most severe first, so an ascending sort puts
/// `Critical` at the top. `Gas` is an optimisation note, below `Info`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
    Gas,
}

impl Severity {
    /// Every severity, most severe first (the declaration order).
    pub fn all() -> impl Iterator<Item = Severity> {
        <Self as strum::IntoEnumIterator>::iter()
    }

    /// The name as the report grammar writes it: `"Critical"` … `"Gas"`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the producer is that the finding is real. The builtin analyzer sets it; models
/// rarely say, so it is optional.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Confidence {
    High,
    Medium,
    Low,
}

/// Where a finding points. Lines are 1-based; `end_line` is inclusive and only set for a
/// range.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Location {
    /// The file as the report names it (`Vault.sol`), or `None` for "the contract".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub line: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Set when the contract is known and the line lies outside it: kept, but flagged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_range: bool,
}

impl std::fmt::Display for Location {
    /// `Vault.sol:19-25`, `19`: the file as given, then the line or range.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}:")?;
        }
        write!(f, "{}", self.line)?;
        match self.end_line {
            Some(end) => write!(f, "-{end}"),
            None => Ok(()),
        }
    }
}

/// One issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The report's own id for it: `H-01`, `1`, … (the builtin analyzer numbers from 1).
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Stable rule id (kebab-case): the detector id for the builtin analyzer, the report's
    /// `Detector:` when given, else a slug of the title. SARIF and suppressions key on it.
    pub rule: String,
    /// `SWC-107`, when one applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swc: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// The enclosing function, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(default)]
    pub locations: Vec<Location>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub recommendation: String,
    /// The offending lines as the report quotes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// False while the finding's block is still being written (a streaming report).
    #[serde(default = "yes", skip_serializing_if = "Clone::clone")]
    pub complete: bool,
    /// What checking the finding against the code found (the server's checks,
    /// docs/verification.md); `None` when it was not checked (no source at hand, or the
    /// analyzer's own report).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Why, in a sentence a person can act on: "no function `emergencyWithdraw` in Vault.sol".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Who reported it, when a model report was joined with the analyzer's candidates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_by: Option<FoundBy>,
}

/// How a finding stands against the code it is about. Declared most trustworthy first.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::EnumIter,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Verdict {
    /// The analyzer reports the same class at the same place.
    Confirmed,
    /// Every reference holds (file, line, names, quote); nothing confirms the class.
    Consistent,
    /// A reference does not hold: no such file, line, function or quoted code; or no
    /// location at all.
    Unverified,
    /// The code cannot have this class there (reentrancy in a function that makes no call).
    Contradicted,
}

impl Verdict {
    /// `"confirmed"` … `"contradicted"`, as the wire, the JSON and the page write it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Confirmed and consistent findings count; the others are shown apart.
    pub fn holds(self) -> bool {
        matches!(self, Verdict::Confirmed | Verdict::Consistent)
    }
}

/// Who found a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FoundBy {
    Model,
    Analyzer,
    /// The model and the analyzer (the model's explanation is kept).
    Both,
}

impl Finding {
    /// Whether it counts in severity totals and `--fail-on`: not checked, or checked and
    /// holding.
    pub fn holds(&self) -> bool {
        self.verdict.is_none_or(Verdict::holds)
    }
}

fn yes() -> bool {
    true
}

/// A block that looks like a finding but could not be read as one: kept, never dropped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unclassified {
    /// The heading or first line, for a list.
    pub title: String,
    /// The block's markdown as written.
    pub text: String,
    /// 1-based line of the block in the report text.
    pub report_line: u32,
}

/// A report as data.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub unclassified: Vec<Unclassified>,
}

impl Report {
    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// `Reentrancy in withdraw()` → `reentrancy-in-withdraw`: lowercase ASCII words joined by
/// `-`, for rule ids of findings that name no detector.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
        if out.len() >= 64 {
            break;
        }
    }
    if out.is_empty() {
        out.push_str("finding");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_sort_most_severe_first() {
        let mut s = vec![
            Severity::Gas,
            Severity::Low,
            Severity::Critical,
            Severity::Info,
        ];
        s.sort();
        assert_eq!(
            s,
            [
                Severity::Critical,
                Severity::Low,
                Severity::Info,
                Severity::Gas
            ]
        );
    }

    #[test]
    fn slugs_are_lowercase_kebab() {
        assert_eq!(slug("Reentrancy in `withdraw()`"), "reentrancy-in-withdraw");
        assert_eq!(slug("  —  "), "finding");
    }
}
