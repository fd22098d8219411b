//! The files a project is made of, gathered through one gate (`Intake`) whatever they come
//! from (a folder, a zip, a request's list): each path checked, each file counted against
//! the limits, text checked as UTF-8, duplicates refused. Files that are neither sources nor
//! layout files are skipped and listed, not read.

use std::collections::HashSet;

use super::error::ProjectError;
use super::limits::ProjectLimits;
use super::path::project_path;

// What a project's reading keeps is shared with the page, which reads no more than this.
pub use crate::protocol::{is_build_folder, is_kept, is_source};

/// One file of a project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Project-relative, `/`-separated, normalized (`src/Vault.sol`).
    pub path: String,
    pub content: String,
}

/// A file seen and left out, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub reason: SkipReason,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// Not `.sol`/`.vy`/`.vyi` and not a layout file (`foundry.toml`, `remappings.txt`,
    /// `hardhat.config.*`).
    NotSource,
    /// A symbolic link met in a folder walk; never followed.
    Symlink,
    /// A build, cache or VCS folder (`.git`, `out`, `cache`, `artifacts`, …).
    BuildFolder,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotSource => "not a source file",
            SkipReason::Symlink => "a symbolic link (not followed)",
            SkipReason::BuildFolder => "a build or cache folder",
        }
    }
}

/// Files gathered so far, within the limits.
#[derive(Debug)]
pub struct Intake<'l> {
    limits: &'l ProjectLimits,
    files: Vec<SourceFile>,
    skipped: Vec<Skipped>,
    seen: HashSet<String>,
    total: usize,
}

impl<'l> Intake<'l> {
    pub fn new(limits: &'l ProjectLimits) -> Intake<'l> {
        Intake {
            limits,
            files: Vec::new(),
            skipped: Vec::new(),
            seen: HashSet::new(),
            total: 0,
        }
    }

    pub fn limits(&self) -> &ProjectLimits {
        self.limits
    }

    /// The normalized path of `raw` and whether it is read (`Ok(None)`: skipped, listed).
    /// Every path is checked, read or not, and two entries with one path are refused.
    pub fn admit(&mut self, raw: &str) -> Result<Option<String>, ProjectError> {
        let path = project_path(raw)?;
        if !self.seen.insert(path.clone()) {
            return Err(ProjectError::DuplicatePath(path));
        }
        let in_build_folder = path
            .split('/')
            .rev()
            .skip(1)
            .any(|segment| is_build_folder(segment) && segment != "node_modules");
        if in_build_folder {
            self.skip(path, SkipReason::BuildFolder);
            return Ok(None);
        }
        if !is_kept(&path) {
            self.skip(path, SkipReason::NotSource);
            return Ok(None);
        }
        Ok(Some(path))
    }

    /// Checks a file's size before its bytes are read (a folder's metadata, a zip's header).
    pub fn check_size(&self, path: &str, bytes: u64) -> Result<(), ProjectError> {
        if bytes > self.limits.max_file_bytes as u64 {
            return Err(ProjectError::FileTooLarge {
                path: path.to_owned(),
                bytes,
                max: self.limits.max_file_bytes,
            });
        }
        if self.files.len() >= self.limits.max_files {
            return Err(ProjectError::TooManyFiles {
                max: self.limits.max_files,
            });
        }
        if self.total as u64 + bytes > self.limits.max_total_bytes as u64 {
            return Err(ProjectError::TooLarge {
                max: self.limits.max_total_bytes,
            });
        }
        Ok(())
    }

    /// Adds an admitted file's bytes.
    pub fn add_bytes(&mut self, path: String, bytes: Vec<u8>) -> Result<(), ProjectError> {
        self.check_size(&path, bytes.len() as u64)?;
        let content = String::from_utf8(bytes).map_err(|_| ProjectError::NotUtf8(path.clone()))?;
        self.push(path, content);
        Ok(())
    }

    /// Adds a file given as text (a request's list): admitted, then counted.
    pub fn add_text(&mut self, raw: &str, content: String) -> Result<(), ProjectError> {
        if let Some(path) = self.admit(raw)? {
            self.check_size(&path, content.len() as u64)?;
            self.push(path, content);
        }
        Ok(())
    }

    pub fn skip(&mut self, path: String, reason: SkipReason) {
        self.skipped.push(Skipped { path, reason });
    }

    fn push(&mut self, path: String, content: String) {
        self.total += content.len();
        self.files.push(SourceFile { path, content });
    }

    /// The files (sorted by path) and the skipped ones; refused if no source is among them.
    pub fn finish(mut self) -> Result<(Vec<SourceFile>, Vec<Skipped>), ProjectError> {
        if !self.files.iter().any(|f| is_source(&f.path)) {
            return Err(ProjectError::NoSources);
        }
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        self.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        Ok((self.files, self.skipped))
    }
}

/// A request's or a caller's list of `(path, text)` files through the gate.
pub fn from_texts(
    files: impl IntoIterator<Item = (String, String)>,
    limits: &ProjectLimits,
) -> Result<(Vec<SourceFile>, Vec<Skipped>), ProjectError> {
    let mut intake = Intake::new(limits);
    for (path, content) in files {
        intake.add_text(&path, content)?;
    }
    intake.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ProjectLimits {
        ProjectLimits {
            max_total_bytes: 10,
            max_files: 2,
            max_file_bytes: 6,
            ..ProjectLimits::default()
        }
    }

    fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(p, c)| (p.to_string(), c.to_string()))
            .collect()
    }

    #[test]
    fn bytes_per_file_at_the_edge() {
        let l = limits();
        assert!(from_texts(files(&[("a.sol", "123456")]), &l).is_ok());
        let e = from_texts(files(&[("a.sol", "1234567")]), &l).unwrap_err();
        assert_eq!(e.code(), "file_too_large");
    }

    #[test]
    fn file_count_at_the_edge() {
        let l = limits();
        assert!(from_texts(files(&[("a.sol", "1"), ("b.sol", "2")]), &l).is_ok());
        let e =
            from_texts(files(&[("a.sol", "1"), ("b.sol", "2"), ("c.sol", "3")]), &l).unwrap_err();
        assert_eq!(e.code(), "too_many_files");
    }

    #[test]
    fn total_bytes_at_the_edge() {
        let l = limits();
        assert!(from_texts(files(&[("a.sol", "12345"), ("b.sol", "12345")]), &l).is_ok());
        let e = from_texts(files(&[("a.sol", "12345"), ("b.sol", "123456")]), &l).unwrap_err();
        assert_eq!(e.code(), "project_too_large");
    }

    #[test]
    fn duplicates_after_normalizing_are_refused() {
        let e = from_texts(
            files(&[("src/A.sol", "1"), ("./src//A.sol", "2")]),
            &limits(),
        )
        .unwrap_err();
        assert_eq!(e, ProjectError::DuplicatePath("src/A.sol".into()));
    }

    #[test]
    fn other_files_are_skipped_not_counted() {
        let (kept, skipped) = from_texts(
            files(&[
                ("README.md", "a long readme, longer than the limits"),
                ("a.sol", "1"),
                ("out/A.sol/A.json", "{}"),
            ]),
            &limits(),
        )
        .unwrap();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            skipped.iter().map(|s| s.reason).collect::<Vec<_>>(),
            [SkipReason::NotSource, SkipReason::BuildFolder]
        );
        let e = from_texts(files(&[("README.md", "x")]), &limits()).unwrap_err();
        assert_eq!(e.code(), "no_sources");
    }

    #[test]
    fn not_utf8_is_refused() {
        let l = limits();
        let mut intake = Intake::new(&l);
        let path = intake.admit("a.sol").unwrap().unwrap();
        let e = intake.add_bytes(path, vec![0xff, 0xfe]).unwrap_err();
        assert_eq!(e.code(), "not_utf8");
    }
}
