//! The named limits on a project (`AUDITSTREAM_MAX_PROJECT_*`, `[limits]` in
//! `auditstream.toml`): each is checked where the input is read, and each is tested at its
//! edge (at the limit accepted, one over refused).

/// How much a project may hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectLimits {
    /// `AUDITSTREAM_MAX_PROJECT_BYTES`: the kept files' bytes in all.
    pub max_total_bytes: usize,
    /// `AUDITSTREAM_MAX_PROJECT_FILES`: kept files (sources and layout files).
    pub max_files: usize,
    /// `AUDITSTREAM_MAX_FILE_BYTES`: one file's bytes.
    pub max_file_bytes: usize,
    /// `AUDITSTREAM_MAX_ZIP_ENTRIES`: entries in a zip, folders and skipped files included.
    pub max_zip_entries: usize,
    /// `AUDITSTREAM_MAX_ZIP_UNPACKED_BYTES`: every entry of a zip unpacked, as declared and
    /// as read.
    pub max_unpacked_bytes: usize,
    /// `AUDITSTREAM_MAX_ZIP_RATIO`: unpacked bytes per compressed byte of one entry.
    pub max_compression_ratio: u64,
}

impl Default for ProjectLimits {
    fn default() -> Self {
        ProjectLimits {
            max_total_bytes: 8 << 20,
            max_files: 2_000,
            max_file_bytes: 1 << 20,
            max_zip_entries: 20_000,
            max_unpacked_bytes: 64 << 20,
            max_compression_ratio: 100,
        }
    }
}
