//! The analyzer over a whole project: every Solidity file in scope or imported by one is
//! parsed once; each file in scope is analyzed with the contracts of the files it reaches
//! through imports in its symbol table (inherited modifiers, state and functions, and
//! calls into contracts of other files, are known code). Findings carry their file's path
//! and are reported on files in scope only, each once (a base contract's finding is its
//! file's, not its heirs'). Imports no file answers and names declared in two files are
//! noted in each report's summary.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::syntax::{Node, SyntaxTree, kind};
use super::{Analysis, analyze_parsed};
use crate::project::{Project, Role, Unresolved};
use crate::report::{Language, Report, detect_language};

/// Two or more files declaring one contract name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameClash {
    pub name: String,
    pub paths: Vec<String>,
}

/// The analysis of a project: one per file in scope.
#[derive(Clone, Debug)]
pub struct ProjectAnalysis {
    /// By path; each `filename` is the project path, each location names it.
    pub files: Vec<Analysis>,
    pub unresolved: Vec<Unresolved>,
    pub clashes: Vec<NameClash>,
    /// Files read for context only (libraries, and out-of-scope files an audited one imports).
    pub context_files: usize,
    /// The project's layout, as named in summaries (`foundry`).
    pub layout: &'static str,
}

/// Analyzes every file in scope of `project`.
pub fn analyze_project(project: &Project) -> ProjectAnalysis {
    let needed = project.dependency_order();
    let mut trees: Vec<Option<SyntaxTree<'_>>> = project.files.iter().map(|_| None).collect();
    for &i in &needed {
        let f = &project.files[i];
        if detect_language(&f.content, Some(&f.path)) == Language::Solidity {
            trees[i] = Some(SyntaxTree::parse(&f.content));
        }
    }
    let mut files = Vec::new();
    for i in project.in_scope() {
        let f = &project.files[i];
        let language = detect_language(&f.content, Some(&f.path));
        let imported: Vec<Node<'_>> = project.closure(i)[1..]
            .iter()
            .filter_map(|&j| trees[j].as_ref().map(|t| t.root()))
            .collect();
        let mut analysis = analyze_parsed(
            &f.content,
            Some(&f.path),
            language,
            trees[i].as_ref(),
            &imported,
        );
        for finding in &mut analysis.findings {
            for l in &mut finding.locations {
                l.file = Some(f.path.clone());
            }
        }
        files.push(analysis);
    }
    ProjectAnalysis {
        files,
        unresolved: project.unresolved().into_iter().cloned().collect(),
        clashes: clashes(project, &needed, &trees),
        context_files: needed
            .iter()
            .filter(|&&i| project.roles[i] != Role::InScope)
            .count(),
        layout: project.layout.kind.as_str(),
    }
}

/// Contract names declared in more than one of the files read.
fn clashes(
    project: &Project,
    needed: &[usize],
    trees: &[Option<SyntaxTree<'_>>],
) -> Vec<NameClash> {
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for &i in needed {
        let Some(tree) = &trees[i] else { continue };
        for n in tree.root().descendants() {
            if matches!(n.kind(), kind::CONTRACT | kind::INTERFACE | kind::LIBRARY)
                && let Some(name) = n.name()
            {
                let paths = by_name.entry(name).or_default();
                if !paths.contains(&project.files[i].path) {
                    paths.push(project.files[i].path.clone());
                }
            }
        }
    }
    by_name
        .into_iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|(name, mut paths)| {
            paths.sort();
            NameClash {
                name: name.to_owned(),
                paths,
            }
        })
        .collect()
}

impl ProjectAnalysis {
    /// All findings of every file.
    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|a| a.findings.len()).sum()
    }

    /// The report of each file in scope, `(path, report)`, with the project's notes in each
    /// summary.
    pub fn reports(&self) -> Vec<(String, Report)> {
        let notes = self.notes();
        self.files
            .iter()
            .map(|a| {
                let mut report = a.report();
                report.summary = format!("{}\n\n{notes}", report.summary);
                (a.filename.clone().unwrap_or_default(), report)
            })
            .collect()
    }

    /// The whole project as one report (what the builtin provider streams for a request
    /// with `files`): every file's findings, most severe first, numbered from 1, each
    /// location naming its file; one summary.
    pub fn combined_report(&self) -> Report {
        let mut findings: Vec<crate::report::Finding> = self
            .files
            .iter()
            .flat_map(|a| a.findings.iter().cloned())
            .collect();
        findings.sort_by(|a, b| {
            let at = |f: &crate::report::Finding| {
                f.locations
                    .first()
                    .map(|l| (l.file.clone(), l.line))
                    .unwrap_or_default()
            };
            (a.severity, at(a)).cmp(&(b.severity, at(b)))
        });
        for (i, f) in findings.iter_mut().enumerate() {
            f.id = (i + 1).to_string();
        }
        let lines: usize = self.files.iter().map(|a| a.lines).sum();
        let verdict = if findings.is_empty() {
            "No issues found by the offline checks.".to_owned()
        } else {
            let counts: Vec<String> = crate::report::Severity::all()
                .map(|s| (findings.iter().filter(|f| f.severity == s).count(), s))
                .filter(|(n, _)| *n > 0)
                .map(|(n, s)| format!("{n} {}", s.as_str().to_ascii_lowercase()))
                .collect();
            format!("{} finding(s): {}.", findings.len(), counts.join(", "))
        };
        let files: Vec<String> = self
            .files
            .iter()
            .filter_map(|a| a.filename.as_deref())
            .map(|f| format!("`{}`", f.replace('`', "")))
            .collect();
        Report {
            title: Some(format!("Security report: {} project", self.layout)),
            summary: format!(
                "{lines} lines in {}. {verdict}\n\nOffline analysis over a syntax tree \
                 (tree-sitter-solidity): pattern detectors, not a substitute for a full \
                 audit.\n\n{}",
                files.join(", "),
                self.notes()
            ),
            findings,
            unclassified: Vec::new(),
        }
    }

    /// What every report of the project says about it: its layout and files, the imports
    /// that could not be resolved (file and line), the names declared twice.
    pub fn notes(&self) -> String {
        let mut out = format!(
            "Part of a {} project: {} file{} in scope, {} more read as context.",
            self.layout,
            self.files.len(),
            if self.files.len() == 1 { "" } else { "s" },
            self.context_files
        );
        if !self.unresolved.is_empty() {
            let list: Vec<String> = self
                .unresolved
                .iter()
                .map(|u| format!("`{}` ({}:{})", u.import.replace('`', ""), u.file, u.line))
                .collect();
            let _ = write!(
                out,
                " Unresolved imports, analyzed without them: {}.",
                list.join(", ")
            );
        }
        for c in &self.clashes {
            let _ = write!(
                out,
                " `{}` is declared in {}; each file sees the one it imports.",
                c.name,
                c.paths.join(" and ")
            );
        }
        out
    }
}

#[cfg(test)]
mod tests;
