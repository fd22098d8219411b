//! Why a project was refused: one variant per kind of bad input, each with its own stable
//! code (`code()`), which the relay sends as the 4xx error's `code` and the CLI prints. The
//! messages say what to change.

use thiserror::Error;

/// A project that cannot be read as given.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProjectError {
    #[error("a file has an empty path; give every file its path inside the project")]
    EmptyPath,
    #[error("`{0}` climbs out of the project with `..`; give paths inside the project root")]
    ClimbsOut(String),
    #[error("`{0}` is an absolute path; give paths relative to the project root")]
    AbsolutePath(String),
    #[error("`{0}` starts with a drive letter; give paths relative to the project root")]
    DriveLetter(String),
    #[error("`{0}` contains a backslash; separate folders with `/`")]
    Backslash(String),
    #[error("`{0}` contains a control character; rename the file")]
    BadCharacter(String),
    #[error("`{0}` is a symbolic link; replace it with the file it points to")]
    Symlink(String),
    #[error("`{0}` is given twice; every file needs its own path")]
    DuplicatePath(String),
    #[error("`{0}` is not UTF-8 text; save it as UTF-8")]
    NotUtf8(String),
    #[error("`{path}` has {bytes} bytes, more than the {max} bytes a file may have")]
    FileTooLarge {
        path: String,
        bytes: u64,
        max: usize,
    },
    #[error("the project has more than {max} source files; audit a part of it")]
    TooManyFiles { max: usize },
    #[error("the project's files have more than {max} bytes in all; audit a part of it")]
    TooLarge { max: usize },
    #[error("the project has no Solidity or Vyper file")]
    NoSources,
    #[error("the upload is not a zip archive ({0}); send a .zip of the project's folder")]
    NotAZip(String),
    #[error("the zip has {entries} entries, more than {max}; zip only the project's sources")]
    ZipTooManyEntries { entries: usize, max: usize },
    #[error("the zip unpacks to more than {max} bytes; zip only the project's sources")]
    ZipTooLargeUnpacked { max: usize },
    #[error(
        "`{path}` in the zip is compressed more than {max}:1, as zip bombs are; zip it again \
         with ordinary compression"
    )]
    ZipRatio { path: String, max: u64 },
    #[error("`{path}` in the zip cannot be read ({reason}); zip it again with plain deflate")]
    ZipEntry { path: String, reason: String },
    #[error("the scope glob `{glob}` is not valid: {reason}")]
    BadGlob { glob: String, reason: String },
    #[error("cannot read `{path}`: {reason}")]
    Io { path: String, reason: String },
}

impl ProjectError {
    /// The stable code of this kind of error, as the wire protocol's error `code`.
    pub fn code(&self) -> &'static str {
        match self {
            ProjectError::EmptyPath => "empty_path",
            ProjectError::ClimbsOut(_) => "path_climbs_out",
            ProjectError::AbsolutePath(_) => "absolute_path",
            ProjectError::DriveLetter(_) => "drive_letter_path",
            ProjectError::Backslash(_) => "backslash_path",
            ProjectError::BadCharacter(_) => "bad_path_character",
            ProjectError::Symlink(_) => "symlink",
            ProjectError::DuplicatePath(_) => "duplicate_path",
            ProjectError::NotUtf8(_) => "not_utf8",
            ProjectError::FileTooLarge { .. } => "file_too_large",
            ProjectError::TooManyFiles { .. } => "too_many_files",
            ProjectError::TooLarge { .. } => "project_too_large",
            ProjectError::NoSources => "no_sources",
            ProjectError::NotAZip(_) => "not_a_zip",
            ProjectError::ZipTooManyEntries { .. } => "zip_too_many_entries",
            ProjectError::ZipTooLargeUnpacked { .. } => "zip_too_large_unpacked",
            ProjectError::ZipRatio { .. } => "zip_ratio",
            ProjectError::ZipEntry { .. } => "zip_bad_entry",
            ProjectError::BadGlob { .. } => "bad_scope_glob",
            ProjectError::Io { .. } => "unreadable",
        }
    }

    /// Whether the request was too large (413) rather than malformed (400).
    pub fn is_size_limit(&self) -> bool {
        matches!(
            self,
            ProjectError::FileTooLarge { .. }
                | ProjectError::TooManyFiles { .. }
                | ProjectError::TooLarge { .. }
                | ProjectError::ZipTooManyEntries { .. }
                | ProjectError::ZipTooLargeUnpacked { .. }
                | ProjectError::ZipRatio { .. }
        )
    }
}
