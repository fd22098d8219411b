//! Offline security analysis for the built-in provider and `auditstream audit`: contract
//! source in, findings (in the `crate::report` model) out, then a markdown report in the
//! shape the LLM providers are asked for. Pure (no IO, no async, no clocks).
//!
//! Solidity is parsed with tree-sitter-solidity (`syntax`), indexed once (`symbols`), and read
//! by one detector per file (`detectors`), as Aderyn does. Vyper keeps a few line-based checks
//! behind the same `Detector` trait; the report header says so.

pub mod context;
mod detectors;
pub mod injection;
pub mod interface;
pub mod project;
pub mod render;
pub mod symbols;
pub mod syntax;
pub mod version;

use std::collections::{HashMap, HashSet};

pub use crate::report::{Confidence, Finding, Language, Location, Severity, detect_language};
pub use context::{Context, Hit, Pragma};
pub use render::render_markdown;

use symbols::Symbols;
use syntax::{SyntaxTree, kind};

/// The result of analyzing one contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub language: Language,
    pub filename: Option<String>,
    /// Number of source lines.
    pub lines: usize,
    /// The first version pragma's constraint, e.g. `^0.4.24`.
    pub pragma: Option<String>,
    /// Sorted by severity (most severe first), then line, then rule; numbered from 1.
    pub findings: Vec<Finding>,
    /// Line ranges the parser could not read: findings there may be missing.
    pub damage: Vec<(usize, usize)>,
}

impl Analysis {
    /// The analysis as a findings-model report: what the markdown, JSON and SARIF exports
    /// are made from.
    pub fn report(&self) -> crate::report::Report {
        crate::report::Report {
            title: Some(format!(
                "Security report: {}",
                self.filename.as_deref().unwrap_or("contract")
            )),
            summary: render::summary_with_notes(self),
            findings: self.findings.clone(),
            unclassified: Vec::new(),
        }
    }

    /// The same analysis without its Info findings (the hygiene notes: pragma, deprecated
    /// constructs, visibility, unused variables), renumbered from 1: what the server's
    /// `AUDITSTREAM_ANALYZER_INFO=off` and `auditstream audit --no-info` report and export.
    pub fn without_info(mut self) -> Analysis {
        self.findings.retain(|f| f.severity != Severity::Info);
        for (i, f) in self.findings.iter_mut().enumerate() {
            f.id = (i + 1).to_string();
        }
        self
    }

    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// One check. Detectors are independent of each other and read only the `Context`.
pub trait Detector: Send + Sync {
    /// Stable kebab-case id, used as `Finding::rule`.
    fn id(&self) -> &'static str;
    /// The SWC id a hit carries unless it says otherwise, e.g. `SWC-107`.
    fn swc(&self) -> Option<&'static str>;
    /// The languages this detector understands; it is only run on those.
    fn languages(&self) -> &'static [Language] {
        &[Language::Solidity]
    }
    fn check(&self, cx: &Context<'_>) -> Vec<Hit>;
}

/// At most this many findings per detector are reported: the most severe, then the earliest.
/// The last one listed says how many more there were, so a generated input cannot turn into
/// a multi-megabyte report.
pub const MAX_FINDINGS_PER_DETECTOR: usize = 50;

/// Every registered detector.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    detectors::all()
}

/// Analyzes `source`. The language comes from `filename` (`.sol`, `.vy`) or, failing that, the
/// text. A detector reports at most one finding per line, and at most
/// `MAX_FINDINGS_PER_DETECTOR` in all.
pub fn analyze(source: &str, filename: Option<&str>) -> Analysis {
    let filename = filename.map(str::trim).filter(|f| !f.is_empty());
    let language = detect_language(source, filename);
    let tree = (language == Language::Solidity).then(|| SyntaxTree::parse(source));
    analyze_parsed(source, filename, language, tree.as_ref(), &[])
}

/// Analyzes one file already parsed (`tree`, Solidity only), with the roots of the files
/// it imports (`imported`, nearest first) in its symbol table: what `project::analyze`
/// runs for each file in scope. Hits made at nodes of an imported file are left to that
/// file's own analysis, so a base contract's finding is reported once.
pub(crate) fn analyze_parsed<'t>(
    source: &'t str,
    filename: Option<&str>,
    language: Language,
    tree: Option<&'t SyntaxTree<'t>>,
    imported: &[syntax::Node<'t>],
) -> Analysis {
    let lines: Vec<&str> = source.lines().collect();
    // Vyper has no tree: an empty table.
    let symbols = tree
        .map(|t| Symbols::with_imports(t.root(), imported))
        .unwrap_or_default();
    let here = tree.map(|t| t.root().file());
    let pragma = match tree {
        Some(t) => solidity_pragma(t),
        None => vyper_pragma(&lines),
    };
    let cx = Context {
        source,
        lines: lines.clone(),
        language,
        pragma: pragma.clone(),
        tree,
        symbols: &symbols,
        cache: Default::default(),
        nodes: tree.map(|t| t.root().descendants()).unwrap_or_default(),
    };
    let mut hits: Vec<(&'static str, Option<&'static str>, Hit)> = Vec::new();
    for d in detectors()
        .iter()
        .filter(|d| d.languages().contains(&language))
    {
        hits.extend(
            d.check(&cx)
                .into_iter()
                .filter(|h| h.file.is_none() || h.file == here)
                .map(|h| (d.id(), d.swc(), h)),
        );
    }
    hits.sort_by(|a, b| (a.2.severity, a.2.line, a.0).cmp(&(b.2.severity, b.2.line, b.0)));
    let mut hits = one_info_per_rule(hits);
    let mut seen = HashSet::new();
    hits.retain(|(id, _, h)| seen.insert((*id, h.line)));
    let mut findings: Vec<Finding> = hits
        .into_iter()
        .map(|(id, swc, h)| to_finding(id, swc, h, &lines))
        .collect();
    cap_per_detector(&mut findings);
    for (i, f) in findings.iter_mut().enumerate() {
        f.id = (i + 1).to_string();
    }
    Analysis {
        language,
        filename: filename.map(str::to_owned),
        lines: lines.len(),
        pragma: pragma.map(|p| p.constraint),
        findings,
        damage: tree.map(|t| t.damage()).unwrap_or_default(),
    }
}

fn to_finding(rule: &'static str, swc: Option<&'static str>, h: Hit, lines: &[&str]) -> Finding {
    let also = also_lines(&h);
    let snippet: Vec<&str> = lines
        .get(h.line.saturating_sub(1)..h.end_line.min(lines.len()))
        .unwrap_or_default()
        .iter()
        .map(|l| l.trim())
        .take(MAX_SNIPPET_LINES)
        .collect();
    Finding {
        id: String::new(),
        title: h.title,
        severity: h.severity,
        rule: rule.to_owned(),
        swc: h.swc.or(swc).map(str::to_owned),
        confidence: Some(h.confidence),
        function: h.function,
        locations: std::iter::once(Location {
            // One contract per report: the grammar's `**Line:** 5` names no file, and the
            // exports take the path from the caller.
            file: None,
            line: h.line as u32,
            end_line: (h.end_line > h.line).then_some(h.end_line as u32),
            out_of_range: false,
        })
        .chain(also.into_iter().map(|l| Location {
            file: None,
            line: l as u32,
            end_line: None,
            out_of_range: false,
        }))
        .collect(),
        description: h.description,
        recommendation: h.recommendation,
        snippet: (!snippet.is_empty()).then(|| snippet.join("\n")),
        complete: true,
        verdict: None,
        reason: None,
        found_by: None,
    }
}

/// One Info finding per rule per file: a hygiene rule that fires in several places (per
/// contract, per line) keeps its first hit, which then lists every place. `hits` is sorted,
/// so the first is the earliest.
fn one_info_per_rule(
    hits: Vec<(&'static str, Option<&'static str>, Hit)>,
) -> Vec<(&'static str, Option<&'static str>, Hit)> {
    let mut first: HashMap<&'static str, usize> = HashMap::new();
    let mut out: Vec<(&'static str, Option<&'static str>, Hit)> = Vec::new();
    for (id, swc, hit) in hits {
        if hit.severity != Severity::Info {
            out.push((id, swc, hit));
            continue;
        }
        match first.get(id) {
            Some(&i) => merge_into(&mut out[i].2, hit),
            None => {
                first.insert(id, out.len());
                out.push((id, swc, hit));
            }
        }
    }
    out
}

/// Adds `more`'s places (and its description, when it says something else) to `into`.
fn merge_into(into: &mut Hit, more: Hit) {
    let mut lines: Vec<usize> = std::iter::once(into.line)
        .chain(into.also.iter().copied())
        .chain(std::iter::once(more.line))
        .chain(more.also.iter().copied())
        .collect();
    lines.sort_unstable();
    lines.dedup();
    if !into.description.contains(&more.description) {
        into.description = format!("{} {}", into.description, more.description);
    }
    let base = match into.title.rsplit_once(" (") {
        Some((head, tail)) if tail.ends_with(" places)") => head.to_owned(),
        _ => into.title.clone(),
    };
    into.title = format!("{base} ({} places)", lines.len());
    into.line = lines[0];
    into.end_line = into.line;
    into.function = None;
    into.also = lines[1..]
        .iter()
        .copied()
        .take(crate::report::MAX_LOCATIONS.saturating_sub(1))
        .collect();
}

/// A hit's further lines, without those its own span already covers, each once.
fn also_lines(h: &Hit) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for &l in &h.also {
        if !(h.line..=h.end_line).contains(&l) && !out.contains(&l) {
            out.push(l);
        }
    }
    out
}

/// The longest snippet quoted for one finding.
const MAX_SNIPPET_LINES: usize = 6;

/// The first `pragma solidity …;`, read from the tree (so a pragma in a comment is ignored).
fn solidity_pragma(tree: &SyntaxTree<'_>) -> Option<Pragma> {
    tree.root()
        .find_all(kind::PRAGMA)
        .into_iter()
        .find_map(|p| {
            let token = p
                .children()
                .into_iter()
                .find(|c| c.kind() == "solidity_pragma_token")?;
            let text = token.text().trim_start().strip_prefix("solidity")?.trim();
            Some(Pragma {
                line: p.line(),
                constraint: text.to_owned(),
            })
        })
}

/// `# @version ^0.3.7` / `#pragma version …` in a Vyper file.
fn vyper_pragma(lines: &[&str]) -> Option<Pragma> {
    lines.iter().enumerate().find_map(|(i, l)| {
        crate::report::language::vyper_version(l.trim()).map(|v| Pragma {
            line: i + 1,
            constraint: v.to_owned(),
        })
    })
}

/// Keeps the first `MAX_FINDINGS_PER_DETECTOR` findings of each rule (in the sorted order)
/// and notes the rest in the description of the last one kept.
fn cap_per_detector(findings: &mut Vec<Finding>) {
    let mut totals: HashMap<String, usize> = HashMap::new();
    findings.retain(|f| {
        let n = totals.entry(f.rule.clone()).or_default();
        *n += 1;
        *n <= MAX_FINDINGS_PER_DETECTOR
    });
    for (rule, total) in totals {
        let more = total.saturating_sub(MAX_FINDINGS_PER_DETECTOR);
        if more == 0 {
            continue;
        }
        if let Some(last) = findings.iter_mut().rev().find(|f| f.rule == rule) {
            last.description.push_str(&format!(
                " The same check matched {more} more line{} that are not listed here; only \
                 {MAX_FINDINGS_PER_DETECTOR} are shown per check.",
                if more == 1 { "" } else { "s" }
            ));
        }
    }
}

#[cfg(test)]
mod tests;
