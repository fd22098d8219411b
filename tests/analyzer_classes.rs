//! Measures the offline analyzer per vulnerability class on contracts written for this
//! project (`testdata/analyzer/<class>/`, see its `SOURCES.md`): vulnerable forms in several
//! syntactic variants, and safe look-alikes. Each `<case>.sol` has a `<case>.expected`
//! listing `class severity line` for every finding of the eight classes the case should
//! produce (none for a safe look-alike). Prints a per-class table (recall, share of findings
//! on an expected location, findings on safe look-alikes), then asserts the floors reached.
//!
//! `AUDITSTREAM_CLASSES=/path/to/dir` (folders of the same shape) measures another corpus
//! and prints its table without asserting floors.

#![cfg(feature = "ssr")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use auditstream::analyzer::analyze;
use auditstream::report::{Finding, Severity};

/// The analyzer's rules for each class.
const CLASSES: &[(&str, &[&str])] = &[
    ("reentrancy", &["reentrancy", "reentrancy-gas-limited"]),
    ("ether-theft", &["arbitrary-send"]),
    ("tx-origin", &["tx-origin"]),
    ("timestamp", &["timestamp"]),
    ("unchecked-call", &["unchecked-call"]),
    ("weak-randomness", &["weak-randomness"]),
    ("integer-overflow", &["integer-overflow"]),
    ("front-running", &["front-running"]),
];

#[derive(Debug)]
struct Expected {
    class: String,
    severity: Severity,
    line: u32,
}

struct Case {
    file: PathBuf,
    expected: Vec<Expected>,
}

fn corpus(root: &Path) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("class dir")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sol"))
            .collect();
        files.sort();
        for file in files {
            let exp = file.with_extension("expected");
            let text =
                std::fs::read_to_string(&exp).unwrap_or_else(|e| panic!("{}: {e}", exp.display()));
            cases.push(Case {
                expected: parse_expected(&text, &exp),
                file,
            });
        }
    }
    cases
}

fn parse_expected(text: &str, path: &Path) -> Vec<Expected> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            let [class, severity, line] = parts[..] else {
                panic!("{}: `{l}` is not `class severity line`", path.display());
            };
            assert!(
                CLASSES.iter().any(|(c, _)| *c == class),
                "{}: unknown class `{class}`",
                path.display()
            );
            Expected {
                class: class.to_owned(),
                severity: Severity::all()
                    .find(|s| s.as_str() == severity)
                    .unwrap_or_else(|| panic!("{}: bad severity `{severity}`", path.display())),
                line: line.parse().expect("line number"),
            }
        })
        .collect()
}

fn class_of(rule: &str) -> Option<&'static str> {
    CLASSES
        .iter()
        .find(|(_, rules)| rules.contains(&rule))
        .map(|(c, _)| *c)
}

/// Whether one of the finding's locations (a line or a range) covers `line`.
fn covers(f: &Finding, line: u32) -> bool {
    f.locations
        .iter()
        .any(|loc| loc.line <= line && line <= loc.end_line.unwrap_or(loc.line))
}

#[derive(Default, Debug)]
struct Row {
    expected: usize,
    found: usize,
    wrong_severity: usize,
    findings: usize,
    on_location: usize,
    on_safe: usize,
}

fn measure(cases: &[Case]) -> BTreeMap<&'static str, Row> {
    let mut rows: BTreeMap<&'static str, Row> =
        CLASSES.iter().map(|(c, _)| (*c, Row::default())).collect();
    for case in cases {
        let source = std::fs::read_to_string(&case.file)
            .unwrap_or_else(|e| panic!("{}: {e}", case.file.display()));
        let name = case.file.file_name().and_then(|n| n.to_str());
        let analysis = analyze(&source, name);
        let findings: Vec<(&'static str, &Finding)> = analysis
            .findings
            .iter()
            .filter_map(|f| class_of(&f.rule).map(|c| (c, f)))
            .collect();
        for e in &case.expected {
            let row = rows.get_mut(e.class.as_str()).expect("known class");
            row.expected += 1;
            let at: Vec<&Finding> = findings
                .iter()
                .filter(|(c, f)| *c == e.class && covers(f, e.line))
                .map(|(_, f)| *f)
                .collect();
            if at.iter().any(|f| f.severity == e.severity) {
                row.found += 1;
            } else if let Some(f) = at.first() {
                row.wrong_severity += 1;
                eprintln!(
                    "  {} at {} in {}: {:?}, expected {:?}",
                    e.class,
                    e.line,
                    case.file.display(),
                    f.severity,
                    e.severity
                );
            } else {
                eprintln!(
                    "  missed {} at {} in {}",
                    e.class,
                    e.line,
                    case.file.display()
                );
            }
        }
        for (class, f) in &findings {
            let row = rows.get_mut(class).expect("known class");
            row.findings += 1;
            let expected = case
                .expected
                .iter()
                .any(|e| e.class == *class && covers(f, e.line));
            if expected {
                row.on_location += 1;
            } else {
                eprintln!(
                    "  unexpected {class} ({}) at line {} in {}",
                    f.rule,
                    f.locations[0].line,
                    case.file.display()
                );
            }
            if case.expected.is_empty() {
                row.on_safe += 1;
            }
        }
    }
    rows
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn print(rows: &BTreeMap<&'static str, Row>) {
    println!(
        "| class | expected | found | recall | wrong severity | findings | on an expected location | share | on safe look-alikes |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (class, r) in rows {
        println!(
            "| {class} | {} | {} | {:.0}% | {} | {} | {} | {:.0}% | {} |",
            r.expected,
            r.found,
            100.0 * ratio(r.found, r.expected),
            r.wrong_severity,
            r.findings,
            r.on_location,
            100.0 * ratio(r.on_location, r.findings),
            r.on_safe
        );
    }
}

#[test]
fn every_class_meets_its_floors_and_safe_look_alikes_stay_quiet() {
    if let Some(dir) = std::env::var_os("AUDITSTREAM_CLASSES") {
        print(&measure(&corpus(Path::new(&dir))));
        return;
    }
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/analyzer"));
    let cases = corpus(&root);
    let rows = measure(&cases);
    print(&rows);
    for (class, _) in CLASSES {
        let vulnerable = cases
            .iter()
            .filter(|c| c.expected.iter().any(|e| e.class == *class))
            .count();
        let safe = cases
            .iter()
            .filter(|c| {
                c.expected.is_empty() && c.file.parent().is_some_and(|d| d.ends_with(class))
            })
            .count();
        assert!(
            vulnerable >= 2 && safe >= 1,
            "{class}: {vulnerable} vulnerable and {safe} safe cases; the corpus must cover both"
        );
    }
    // Floors reached; raise them when the analyzer improves, never lower them.
    for (class, recall, share) in [
        ("reentrancy", 1.0, 1.0),
        ("ether-theft", 1.0, 1.0),
        ("tx-origin", 1.0, 1.0),
        ("timestamp", 1.0, 1.0),
        ("unchecked-call", 1.0, 1.0),
        ("weak-randomness", 1.0, 1.0),
        ("integer-overflow", 1.0, 1.0),
        ("front-running", 1.0, 1.0),
    ] {
        let r = &rows[class];
        assert!(
            ratio(r.found, r.expected) >= recall,
            "{class}: recall {}/{} below {recall}",
            r.found,
            r.expected
        );
        assert!(
            ratio(r.on_location, r.findings) >= share,
            "{class}: {}/{} findings on an expected location, below {share}",
            r.on_location,
            r.findings
        );
        assert_eq!(
            r.wrong_severity, 0,
            "{class}: findings with the wrong severity"
        );
        assert_eq!(r.on_safe, 0, "{class}: findings on safe look-alikes");
    }
}
