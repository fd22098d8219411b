//! Measures the offline analyzer on annotated ground truth: the SWC registry's test cases
//! (`testdata/swc/index.json`) and the contract fixtures with `.expected.yaml`.
//! Prints, per SWC id, the annotated issues, how many were found within ±2 lines, and the
//! findings that matched nothing; then asserts the floors reached so they cannot slip.
//!
//! `AUDITSTREAM_GROUND_TRUTH=/path/to/dir` (a folder with an `index.json` of the same shape)
//! measures another corpus and prints its table without asserting floors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use auditstream::analyzer::analyze;
use auditstream::report::{Finding, Severity};

/// A finding within this many lines of an annotated line counts as found there.
const TOLERANCE: u32 = 2;

struct Case {
    file: PathBuf,
    /// `(SWC id, annotated lines)`.
    expected: Vec<(String, Vec<u32>)>,
    /// SWC ids a fixed variant must stay quiet about.
    absent: Vec<String>,
}

/// The repository's test data (`testdata/`, origins and licences in its `SOURCES.md`).
fn testdata() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata"))
}

fn index_cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("index.json")).expect("index.json is readable");
    let index: serde_json::Value = serde_json::from_str(&text).expect("index.json is JSON");
    let list = index.as_array().expect("index.json is a list");
    list.iter()
        .map(|c| Case {
            file: dir.join(c["file"].as_str().expect("file")),
            expected: c["expected"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| {
                    let lines = e["lines"].as_array().expect("lines");
                    (
                        e["swc"].as_str().expect("swc").to_owned(),
                        lines
                            .iter()
                            .map(|l| l.as_u64().expect("line") as u32)
                            .collect(),
                    )
                })
                .collect(),
            absent: c["absent"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|_| c["fixed"].as_bool() == Some(true))
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect(),
        })
        .collect()
}

/// `- id: SWC-107` followed by `name.sol: [17, 18]`, the SWC registry's yaml shape.
fn yaml_cases(dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("contracts dir") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.to_str().and_then(|p| p.strip_suffix(".expected.yaml")) else {
            continue;
        };
        let yaml = std::fs::read_to_string(&path).expect("yaml");
        let mut expected: Vec<(String, Vec<u32>)> = Vec::new();
        for line in yaml.lines().map(str::trim) {
            if let Some(id) = line.strip_prefix("- id:") {
                expected.push((id.trim().to_owned(), Vec::new()));
            } else if let (Some((key, list)), Some(last)) =
                (line.split_once(": ["), expected.last_mut())
                && key.ends_with(".sol")
            {
                last.1.extend(
                    list.trim_end_matches(']')
                        .split(',')
                        .filter_map(|n| n.trim().parse::<u32>().ok()),
                );
            }
        }
        out.push(Case {
            file: PathBuf::from(format!("{stem}.sol")),
            expected,
            absent: Vec::new(),
        });
    }
    out
}

/// Annotated lines of one id split into issues: a run of adjacent lines is one issue.
fn issues(lines: &[u32]) -> Vec<Vec<u32>> {
    let mut sorted = lines.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<Vec<u32>> = Vec::new();
    for l in sorted {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|p| l == p + 1) => run.push(l),
            _ => out.push(vec![l]),
        }
    }
    out
}

/// Whether one of the finding's locations (a line or a range) lies within `TOLERANCE` of one
/// of `lines`. A hygiene finding lists every place it occurs as its own location.
fn near(f: &Finding, lines: &[u32]) -> bool {
    f.locations.iter().any(|loc| {
        let (lo, hi) = (loc.line, loc.end_line.unwrap_or(loc.line));
        lines
            .iter()
            .any(|&l| l + TOLERANCE >= lo && l <= hi + TOLERANCE)
    })
}

#[derive(Default)]
struct Row {
    expected: usize,
    found: usize,
    findings: usize,
    unmatched: usize,
    fixed_noise: usize,
}

#[derive(Default)]
struct Tally {
    rows: BTreeMap<String, Row>,
    /// Findings at Low or above: (all, matched).
    serious: (usize, usize),
}

fn measure(cases: &[Case]) -> Tally {
    let mut t = Tally::default();
    for case in cases {
        let source = std::fs::read_to_string(&case.file)
            .unwrap_or_else(|e| panic!("{}: {e}", case.file.display()));
        let name = case.file.file_name().and_then(|n| n.to_str());
        let analysis = analyze(&source, name);
        for (swc, lines) in &case.expected {
            for issue in issues(lines) {
                let row = t.rows.entry(swc.clone()).or_default();
                row.expected += 1;
                if analysis
                    .findings
                    .iter()
                    .any(|f| f.swc.as_ref() == Some(swc) && near(f, &issue))
                {
                    row.found += 1;
                } else {
                    eprintln!("  missed {swc} at {issue:?} in {}", case.file.display());
                }
            }
        }
        for f in &analysis.findings {
            let swc = f.swc.clone().unwrap_or_else(|| "none".into());
            let matched = case
                .expected
                .iter()
                .any(|(s, lines)| *s == swc && near(f, lines));
            let row = t.rows.entry(swc.clone()).or_default();
            row.findings += 1;
            if !matched {
                row.unmatched += 1;
                eprintln!(
                    "  unmatched {swc} ({}) at {} in {}",
                    f.rule,
                    f.locations[0].line,
                    case.file.display()
                );
            }
            if case.absent.contains(&swc) {
                row.fixed_noise += 1;
            }
            if f.severity <= Severity::Low {
                t.serious.0 += 1;
                t.serious.1 += usize::from(matched);
            }
        }
    }
    t
}

fn print(t: &Tally) -> (f64, f64, f64) {
    let (mut e, mut fd, mut n, mut u) = (0, 0, 0, 0);
    println!("| SWC | expected | found (±{TOLERANCE}) | findings | unmatched | on fixed cases |");
    println!("|---|---|---|---|---|---|");
    for (swc, r) in &t.rows {
        println!(
            "| {swc} | {} | {} | {} | {} | {} |",
            r.expected, r.found, r.findings, r.unmatched, r.fixed_noise
        );
        e += r.expected;
        fd += r.found;
        n += r.findings;
        u += r.unmatched;
    }
    let recall = fd as f64 / e.max(1) as f64;
    let precision = (n - u) as f64 / n.max(1) as f64;
    let serious = t.serious.1 as f64 / t.serious.0.max(1) as f64;
    println!("| **all** | {e} | {fd} | {n} | {u} | |");
    println!(
        "recall {:.1}%, precision {:.1}% (all findings), {:.1}% (Low and above, {} findings)",
        recall * 100.0,
        precision * 100.0,
        serious * 100.0,
        t.serious.0
    );
    (recall, precision, serious)
}

#[test]
fn swc_registry_and_fixtures_meet_their_floors() {
    if let Some(dir) = std::env::var_os("AUDITSTREAM_GROUND_TRUTH") {
        print(&measure(&index_cases(Path::new(&dir))));
        return;
    }
    let data = testdata();
    let mut cases = index_cases(&data.join("swc"));
    cases.extend(yaml_cases(&data.join("contracts")));
    let tally = measure(&cases);
    let (recall, precision, serious) = print(&tally);
    // Floors reached; raise them when the analyzer improves, never lower them.
    assert!(recall >= 0.82, "recall {recall}");
    assert!(precision >= 0.19, "precision (all findings) {precision}");
    assert!(serious >= 0.45, "precision at Low and above {serious}");
    let found = |swc: &str| {
        tally
            .rows
            .get(swc)
            .map_or((0, 0), |r| (r.found, r.expected))
    };
    for (swc, floor) in [
        ("SWC-101", 11),
        ("SWC-104", 2),
        ("SWC-105", 7),
        ("SWC-106", 3),
        ("SWC-107", 2),
        ("SWC-112", 1),
        ("SWC-115", 2),
        ("SWC-118", 2),
        ("SWC-120", 4),
        ("SWC-129", 3),
    ] {
        assert!(
            found(swc).0 >= floor,
            "{swc}: found {:?}, floor {floor}",
            found(swc)
        );
    }
    // Fixed variants stay quiet about what they fixed, except these known cases.
    let noise: usize = tally.rows.values().map(|r| r.fixed_noise).sum();
    assert!(noise <= 7, "{noise} findings on fixed cases");
}
