//! How `auditstream audit`'s arguments become a project: a folder (`audit DIR`), a `.zip`,
//! or several files (one project: its root is the working folder when it holds them all,
//! else their common folder, and they are the files in scope). `--scope`/`--exclude` globs change the scope of any of them. The thin IO
//! around `crate::project`; one file given alone is audited as before, not here.

use std::path::{Path, PathBuf};

use super::AuditArgs;
use crate::project::{Project, ProjectError, ProjectLimits, ScopeRules, archive, folder};

/// A project read from the command line, and the folder its paths are relative to (`None`
/// for a zip, whose root is not on disk).
pub struct CliProject {
    pub project: Project,
    pub root: Option<PathBuf>,
}

/// Why the arguments do not make a project.
#[derive(Debug, thiserror::Error)]
pub enum CliProjectError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0} ({code})", code = .0.code())]
    Project(#[from] ProjectError),
}

/// Whether the arguments ask for a project rather than one file on its own.
pub fn is_project(args: &AuditArgs) -> bool {
    args.files.len() > 1
        || !args.scope.is_empty()
        || !args.exclude.is_empty()
        || args.files.iter().any(|f| f.is_dir() || is_zip(f))
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// Reads the project the arguments name.
pub fn load(args: &AuditArgs, limits: &ProjectLimits) -> Result<CliProject, CliProjectError> {
    let read_err = |path: &Path, e: std::io::Error| CliProjectError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    if let [one] = args.files.as_slice() {
        if one.is_dir() {
            let root = std::fs::canonicalize(one).map_err(|e| read_err(one, e))?;
            let (files, skipped) = folder::read_folder(&root, limits)?;
            let rules = ScopeRules::new(&args.scope, &args.exclude)?;
            let project = Project::new(files, skipped, &rules);
            let root = match &project.stripped_root {
                Some(top) => root.join(top),
                None => root,
            };
            return Ok(CliProject {
                project,
                root: Some(root),
            });
        }
        if is_zip(one) {
            let bytes = std::fs::read(one).map_err(|e| read_err(one, e))?;
            let (files, skipped) = archive::read_zip(&bytes, limits)?;
            let rules = ScopeRules::new(&args.scope, &args.exclude)?;
            return Ok(CliProject {
                project: Project::new(files, skipped, &rules),
                root: None,
            });
        }
    }
    let mut absolute = Vec::new();
    for f in &args.files {
        absolute.push(std::fs::canonicalize(f).map_err(|e| read_err(f, e))?);
    }
    // Paths as the working folder names them when it holds every file, as for one file.
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize).ok();
    let root = match cwd {
        Some(c) if absolute.iter().all(|a| a.starts_with(&c)) => c,
        _ => common_folder(&absolute),
    };
    let rel: Vec<String> = absolute
        .iter()
        .map(|a| {
            a.strip_prefix(&root)
                .unwrap_or(a)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    let (files, skipped) = folder::read_files(&root, &rel, limits)?;
    // The files named are the scope, unless globs say otherwise.
    let include: Vec<String> = if args.scope.is_empty() {
        rel.iter().map(|r| globset::escape(r)).collect()
    } else {
        args.scope.clone()
    };
    let rules = ScopeRules::new(&include, &args.exclude)?;
    Ok(CliProject {
        project: Project::new(files, skipped, &rules),
        root: Some(root),
    })
}

/// The deepest folder holding every path.
fn common_folder(paths: &[PathBuf]) -> PathBuf {
    let mut root = paths
        .first()
        .and_then(|p| p.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    for p in &paths[1..] {
        while !p.starts_with(&root) {
            if !root.pop() {
                break;
            }
        }
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_folder_is_the_deepest_holding_all() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(
            common_folder(&[p("/w/proj/src/a/A.sol"), p("/w/proj/src/B.sol")]),
            p("/w/proj/src")
        );
        assert_eq!(
            common_folder(&[p("/w/one/A.sol"), p("/x/two/B.sol")]),
            p("/")
        );
        assert_eq!(common_folder(&[p("/w/A.sol")]), p("/w"));
    }
}
