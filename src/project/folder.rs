//! A project read from a folder on disk (the CLI's `auditstream audit DIR`): the thin IO
//! around `Intake`. Symbolic links are never followed: each one met is skipped and listed
//! in the project's skipped files ("a symbolic link"), so a link cannot pull files from
//! outside the folder into the audit, and a link loop cannot hang the walk. Build, cache and
//! VCS folders (`.git`, `out`, `cache`, …) are not entered.

use std::path::Path;

use super::error::ProjectError;
use super::limits::ProjectLimits;
use super::source::{Intake, SkipReason, Skipped, SourceFile, is_build_folder};

/// Every kept file under `root`, with project-relative paths.
pub fn read_folder(
    root: &Path,
    limits: &ProjectLimits,
) -> Result<(Vec<SourceFile>, Vec<Skipped>), ProjectError> {
    let mut intake = Intake::new(limits);
    walk(root, "", &mut intake)?;
    intake.finish()
}

/// Reads the files named by `paths` (the CLI's several files), each relative to `root`.
pub fn read_files(
    root: &Path,
    paths: &[String],
    limits: &ProjectLimits,
) -> Result<(Vec<SourceFile>, Vec<Skipped>), ProjectError> {
    let mut intake = Intake::new(limits);
    for rel in paths {
        read_one(&root.join(rel), rel, &mut intake)?;
    }
    intake.finish()
}

fn io(path: &Path, e: std::io::Error) -> ProjectError {
    ProjectError::Io {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn walk(dir: &Path, rel: &str, intake: &mut Intake<'_>) -> Result<(), ProjectError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(ProjectError::NotUtf8(format!(
                "{rel}/{}",
                name.to_string_lossy()
            )));
        };
        let child = if rel.is_empty() {
            name.to_owned()
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type().map_err(|e| io(&entry.path(), e))?;
        if kind.is_symlink() {
            intake.skip(child, SkipReason::Symlink);
        } else if kind.is_dir() {
            if is_build_folder(name) {
                intake.skip(child, SkipReason::BuildFolder);
            } else {
                walk(&entry.path(), &child, intake)?;
            }
        } else if kind.is_file() {
            read_one(&entry.path(), &child, intake)?;
        }
    }
    Ok(())
}

fn read_one(path: &Path, rel: &str, intake: &mut Intake<'_>) -> Result<(), ProjectError> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| io(path, e))?;
    if meta.file_type().is_symlink() {
        intake.skip(rel.to_owned(), SkipReason::Symlink);
        return Ok(());
    }
    let Some(project_path) = intake.admit(rel)? else {
        return Ok(());
    };
    intake.check_size(&project_path, meta.len())?;
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    intake.add_bytes(project_path, bytes)
}
