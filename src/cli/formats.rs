//! `--format json|sarif` for `auditstream audit`. Interim: the report module's shared JSON and
//! SARIF exports (findings issue) replace these two functions when they land; until then this
//! is the smallest faithful mapping of the findings model.

use serde_json::{Value, json};

use crate::report::{Finding, Severity};

/// One audited file: its path as given relative to the working directory, and its findings.
pub struct Audited {
    pub path: String,
    pub language: String,
    pub pragma: Option<String>,
    pub findings: Vec<Finding>,
}

const TOOL: &str = "auditstream";
const INFO_URI: &str = "https://github.com/auditstream/auditstream";

/// `{"schema": "auditstream.report/1", …}` with one entry per file.
pub fn to_json(model: &str, files: &[Audited]) -> String {
    let reports: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({
                "contract": f.path,
                "language": f.language,
                "pragma": f.pragma,
                "findings": f.findings,
            })
        })
        .collect();
    let doc = json!({
        "schema": "auditstream.report/1",
        "tool": { "name": TOOL, "version": env!("CARGO_PKG_VERSION") },
        "model": model,
        "reports": reports,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// SARIF 2.1.0: one run, one rule per rule id, one result per finding location set.
pub fn to_sarif(files: &[Audited]) -> String {
    let mut rules: Vec<Value> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut results: Vec<Value> = Vec::new();
    for file in files {
        for f in &file.findings {
            if !seen.contains(&f.rule.as_str()) {
                seen.push(&f.rule);
                rules.push(json!({
                    "id": f.rule,
                    "name": f.rule,
                    "shortDescription": { "text": f.title },
                    "fullDescription": { "text": if f.description.is_empty() { &f.title } else { &f.description } },
                    "help": { "text": if f.recommendation.is_empty() { &f.title } else { &f.recommendation } },
                    "properties": {
                        "security-severity": security_severity(f.severity),
                        "tags": f.swc.iter().collect::<Vec<_>>(),
                    },
                }));
            }
            let locations: Vec<Value> = f
                .locations
                .iter()
                .map(|l| {
                    let mut region = json!({ "startLine": l.line.max(1) });
                    if let Some(end) = l.end_line {
                        region["endLine"] = json!(end.max(l.line.max(1)));
                    }
                    json!({ "physicalLocation": {
                        "artifactLocation": { "uri": file.path },
                        "region": region,
                    }})
                })
                .collect();
            results.push(json!({
                "ruleId": f.rule,
                "level": level(f.severity),
                "message": { "text": format!("{} {}", f.title, f.description).trim().to_owned() },
                "locations": locations,
            }));
        }
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": TOOL,
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFO_URI,
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Gas => "note",
    }
}

/// GitHub's `security-severity` scale (0–10).
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info | Severity::Gas => "1.0",
    }
}
