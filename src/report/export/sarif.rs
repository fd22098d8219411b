//! SARIF 2.1.0 for GitHub code scanning: one run, one rule per rule id, one result per
//! finding, one artifact per audited file, across any number of files. Typed structs rather
//! than `serde_json::Value` so the mapping is checked by the compiler and reads as the spec
//! does.
//!
//! URIs: a relative path stays a relative reference; given the root it is relative to (a
//! project's folder, the working directory), each carries `uriBaseId: "%SRCROOT%"` and the
//! run says where `%SRCROOT%` is (`originalUriBaseIds`). An absolute path is never written
//! as a bare `/…` reference (SARIF1004): it becomes a `file://` URI.
//!
//! Checked by Microsoft's SARIF Multitool (`validate --rule-kind "Gh;Sarif"`) in
//! `tests/sarif.rs`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::super::model::{Finding, FoundBy, Location, Report, Severity, Verdict};
use super::json::Tool;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Who wrote the log: the driver's name, version and home page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SarifTool {
    pub tool: Tool,
    /// `tool.driver.informationUri`; omitted when `None`.
    pub information_uri: Option<String>,
}

impl Default for SarifTool {
    /// This crate, with its `homepage` (else `repository`) from Cargo.toml when set.
    fn default() -> Self {
        let uri = [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
            .into_iter()
            .find(|u| !u.is_empty());
        SarifTool {
            tool: Tool::default(),
            information_uri: uri.map(str::to_owned),
        }
    }
}

/// One audited file and its report.
#[derive(Clone, Copy, Debug)]
pub struct SarifInput<'a> {
    /// The file's path relative to the repository root (`contracts/Vault.sol`); results
    /// point here.
    pub path: &'a str,
    pub report: &'a Report,
    /// The contract's text, when at hand: adds snippets and checks line numbers.
    pub source: Option<&'a str>,
}

/// GitHub's `security-severity` score: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
/// 0.1–3.9 low.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
        Severity::Gas => "0.1",
    }
}

/// The SARIF `level` for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Gas => "note",
    }
}

/// The SARIF log as pretty JSON, ending with a newline.
pub fn to_sarif_string(inputs: &[SarifInput<'_>], tool: &SarifTool) -> String {
    to_sarif_string_in(inputs, tool, None)
}

/// The SARIF log as pretty JSON, with the inputs' relative paths relative to `root` (an
/// absolute folder path, or a `file://` URI) through `%SRCROOT%`.
pub fn to_sarif_string_in(
    inputs: &[SarifInput<'_>],
    tool: &SarifTool,
    root: Option<&str>,
) -> String {
    let mut s = serde_json::to_string_pretty(&to_sarif_in(inputs, tool, root)).expect("plain data");
    s.push('\n');
    s
}

/// The base id every relative URI is given when the root is known.
pub const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log of `inputs`: every file's findings in one run.
pub fn to_sarif(inputs: &[SarifInput<'_>], tool: &SarifTool) -> Log {
    to_sarif_in(inputs, tool, None)
}

/// `to_sarif` with the root the inputs' relative paths are relative to.
pub fn to_sarif_in(inputs: &[SarifInput<'_>], tool: &SarifTool, root: Option<&str>) -> Log {
    let base = root.map(root_uri);
    let base_id = base.as_ref().map(|_| SRCROOT);
    let mut artifacts: Vec<Artifact> = Vec::new();
    for input in inputs {
        let location = artifact_location(input.path, base_id, None);
        if !artifacts.iter().any(|a| a.location.uri == location.uri) {
            artifacts.push(Artifact { location });
        }
    }
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for input in inputs {
        for finding in &input.report.findings {
            let index = *rule_index.entry(finding.rule.clone()).or_insert_with(|| {
                rules.push(rule(finding));
                rules.len() - 1
            });
            let (mut location, note) = physical_location(input, finding.locations.first(), base_id);
            location.artifact_location.index = artifacts
                .iter()
                .position(|a| a.location.uri == location.artifact_location.uri);
            let print = fingerprint(input.path, finding);
            let n = seen.entry(print.clone()).or_default();
            *n += 1;
            results.push(SarifResult {
                rule_id: finding.rule.clone(),
                rule_index: index,
                // A finding the checks found false is at most a note, with no security
                // severity: GitHub raises no alert for it.
                level: if finding.holds() {
                    level(finding.severity)
                } else {
                    "note"
                },
                message: Message {
                    text: message(finding, note.as_deref()),
                },
                locations: vec![ResultLocation {
                    physical_location: location,
                }],
                partial_fingerprints: BTreeMap::from([(
                    "auditstreamFinding/v1".to_owned(),
                    format!("{print}:{n}"),
                )]),
                properties: ResultProperties {
                    security_severity: finding.holds().then(|| security_severity(finding.severity)),
                    severity: finding.severity.as_str(),
                    finding_id: finding.id.clone(),
                    verdict: finding.verdict.map(Verdict::as_str),
                    reason: finding.reason.clone(),
                    found_by: finding.found_by,
                },
            });
        }
    }
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: RunTool {
                driver: Driver {
                    name: tool.tool.name.clone(),
                    version: tool.tool.version.clone(),
                    semantic_version: tool.tool.version.clone(),
                    information_uri: tool.information_uri.clone(),
                    rules,
                },
            },
            original_uri_base_ids: base.map(|uri| BTreeMap::from([(SRCROOT, BaseUri { uri })])),
            artifacts,
            results,
        }],
    }
}

/// `path` as an artifact location: a relative reference under `base_id`, or a `file://`
/// URI for an absolute path.
fn artifact_location(
    path: &str,
    base_id: Option<&'static str>,
    index: Option<usize>,
) -> ArtifactLocation {
    match absolute_uri(path) {
        Some(uri) => ArtifactLocation {
            uri,
            uri_base_id: None,
            index,
        },
        None => ArtifactLocation {
            uri: encode_uri(path),
            uri_base_id: base_id,
            index,
        },
    }
}

/// A `file://` URI for an absolute path (`/x/A.sol`, `C:/x/A.sol`); `None` for a relative one.
fn absolute_uri(path: &str) -> Option<String> {
    let p = path.replace('\\', "/");
    if p.starts_with("file://") {
        return Some(p);
    }
    let b = p.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    if p.starts_with('/') {
        Some(format!("file://{}", encode_uri(&p)))
    } else if drive {
        Some(format!("file:///{}:{}", &p[..1], encode_uri(&p[2..])))
    } else {
        None
    }
}

/// The root as an absolute `file://` URI ending with `/`, as `originalUriBaseIds` wants.
fn root_uri(root: &str) -> String {
    let mut uri = absolute_uri(root).unwrap_or_else(|| format!("file:///{}", encode_uri(root)));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// A rule from the first finding that uses its id.
fn rule(f: &Finding) -> Rule {
    let title = nonempty(&f.title, &f.rule);
    let full = nonempty(&f.description, &title);
    let help = nonempty(&f.recommendation, &full);
    let mut tags = vec!["security".to_owned()];
    tags.extend(f.swc.clone());
    Rule {
        id: f.rule.clone(),
        // SARIF1001: a name must differ from the id (`reentrancy` has none).
        name: Some(pascal(&f.rule)).filter(|n| !n.eq_ignore_ascii_case(&f.rule)),
        short_description: Message {
            text: first_sentence(&title),
        },
        full_description: Message {
            text: ensure_period(&full),
        },
        help: Help {
            text: ensure_period(&help),
            markdown: help.clone(),
        },
        default_configuration: Configuration {
            level: level(f.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(f.severity),
            precision: "medium",
        },
    }
}

/// Where a result points: the finding's first location, or the file's first line with a
/// note saying why (no line given, or a line outside the file).
fn physical_location(
    input: &SarifInput<'_>,
    at: Option<&Location>,
    base_id: Option<&'static str>,
) -> (PhysicalLocation, Option<String>) {
    let line_count = input.source.map(|s| s.lines().count().max(1) as u32);
    let uri = at
        .and_then(|l| l.file.as_deref())
        .filter(|f| file_name(f) != file_name(input.path))
        .unwrap_or(input.path);
    let (start, end, note) = match at {
        None => (
            1,
            None,
            Some("The report gives no line; shown at line 1.".to_owned()),
        ),
        Some(l) if l.out_of_range || line_count.is_some_and(|n| l.line > n) || l.line == 0 => {
            let note = format!(
                "The report names line {}, which is outside the file{}; shown at line 1.",
                l.line,
                line_count
                    .map(|n| format!(" ({n} lines)"))
                    .unwrap_or_default()
            );
            (1, None, Some(note))
        }
        Some(l) => {
            let end = l
                .end_line
                .filter(|&e| e > l.line)
                .map(|e| line_count.map_or(e, |n| e.min(n)));
            (l.line, end, None)
        }
    };
    let snippet = input.source.filter(|_| uri == input.path).and_then(|s| {
        let text: Vec<&str> = s
            .lines()
            .skip(start as usize - 1)
            .take((end.unwrap_or(start) - start + 1) as usize)
            .collect();
        (!text.is_empty()).then(|| Snippet {
            text: text.join("\n"),
        })
    });
    let location = PhysicalLocation {
        artifact_location: artifact_location(uri, base_id, None),
        region: Region {
            start_line: start,
            end_line: end,
            snippet,
        },
    };
    (location, note)
}

/// The result's message: the title, the first sentence of the description, and any note.
fn message(f: &Finding, note: Option<&str>) -> String {
    let mut text = ensure_period(&nonempty(&f.title, &f.rule));
    let description = first_sentence(&f.description);
    if !description.is_empty() {
        text.push(' ');
        text.push_str(&ensure_period(&description));
    }
    if let Some(note) = note {
        text.push(' ');
        text.push_str(note);
    }
    text
}

/// A fingerprint that survives the code moving: rule, file, title and the quoted code, not
/// the line. FNV-1a (64 bit) is enough to tell findings apart and needs no dependency.
fn fingerprint(path: &str, f: &Finding) -> String {
    let snippet: String = f
        .snippet
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [f.rule.as_str(), path, f.title.as_str(), snippet.as_str()] {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A path as a URI reference: `/`-separated, anything outside the unreserved set
/// percent-encoded.
fn encode_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.trim_start_matches("./");
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn nonempty(text: &str, fallback: &str) -> String {
    let t = text.trim();
    if t.is_empty() { fallback.trim() } else { t }.to_owned()
}

fn first_sentence(text: &str) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.find(". ") {
        Some(i) => one[..=i].to_owned(),
        None => one,
    }
}

/// GitHub wants plain-text messages to end with a period (GH rule "EndMessagesWithPeriod").
fn ensure_period(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_owned()
    } else {
        format!("{t}.")
    }
}

/// `tx-origin` → `TxOrigin`: the rule's friendly name.
fn pascal(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

// The SARIF 2.1.0 objects this export writes (a subset of the spec).

#[derive(Serialize, Debug)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: RunTool,
    #[serde(skip_serializing_if = "Option::is_none")]
    original_uri_base_ids: Option<BTreeMap<&'static str, BaseUri>>,
    artifacts: Vec<Artifact>,
    results: Vec<SarifResult>,
}

#[derive(Serialize, Debug)]
struct BaseUri {
    uri: String,
}

#[derive(Serialize, Debug)]
struct Artifact {
    location: ArtifactLocation,
}

#[derive(Serialize, Debug)]
struct RunTool {
    driver: Driver,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: String,
    version: String,
    semantic_version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<Rule>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Message,
    full_description: Message,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize, Debug)]
struct Message {
    text: String,
}

#[derive(Serialize, Debug)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize, Debug)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize, Debug)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<ResultLocation>,
    partial_fingerprints: BTreeMap<String, String>,
    properties: ResultProperties,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ResultLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Snippet>,
}

#[derive(Serialize, Debug)]
struct Snippet {
    text: String,
}

#[derive(Serialize, Debug)]
struct ResultProperties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    severity: &'static str,
    #[serde(rename = "findingId")]
    finding_id: String,
    /// `confirmed`, `consistent`, `unverified` or `contradicted`, when checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(rename = "foundBy", skip_serializing_if = "Option::is_none")]
    found_by: Option<FoundBy>,
}
