//! A project sent as a `.zip`, read wholly in memory: nothing is unpacked to disk. Every
//! entry's header is checked before any is decompressed (entry count, declared unpacked
//! size, symbolic links, paths, and the compression ratio of each entry that will be
//! read), then the kept files are read with their reads capped, so an archive whose
//! headers lie cannot unpack past the limits either.

use std::io::{Cursor, Read};

use super::error::ProjectError;
use super::limits::ProjectLimits;
use super::source::{Intake, Skipped, SourceFile};

/// The project's files from the bytes of a zip archive.
pub fn read_zip(
    bytes: &[u8],
    limits: &ProjectLimits,
) -> Result<(Vec<SourceFile>, Vec<Skipped>), ProjectError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ProjectError::NotAZip(e.to_string()))?;
    if archive.len() > limits.max_zip_entries {
        return Err(ProjectError::ZipTooManyEntries {
            entries: archive.len(),
            max: limits.max_zip_entries,
        });
    }
    let mut intake = Intake::new(limits);
    let mut wanted: Vec<(usize, String, u64)> = Vec::new();
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| ProjectError::ZipEntry {
                path: format!("entry {}", i + 1),
                reason: e.to_string(),
            })?;
        let name = entry.name().to_owned();
        declared = declared.saturating_add(entry.size());
        if declared > limits.max_unpacked_bytes as u64 {
            return Err(ProjectError::ZipTooLargeUnpacked {
                max: limits.max_unpacked_bytes,
            });
        }
        let ratio_exceeded = entry.size()
            > limits
                .max_compression_ratio
                .saturating_mul(entry.compressed_size().max(1));
        if entry.is_symlink() {
            return Err(ProjectError::Symlink(name));
        }
        if entry.is_dir() {
            super::path::project_path(&name)?;
            continue;
        }
        let size = entry.size();
        let encrypted = entry.encrypted();
        drop(entry);
        let Some(path) = intake.admit(&name)? else {
            continue;
        };
        if encrypted {
            return Err(ProjectError::ZipEntry {
                path,
                reason: "it is encrypted".into(),
            });
        }
        // Only what is decompressed can be a bomb: a skipped file is never unpacked.
        if ratio_exceeded {
            return Err(ProjectError::ZipRatio {
                path,
                max: limits.max_compression_ratio,
            });
        }
        intake.check_size(&path, size)?;
        wanted.push((i, path, size));
    }
    let mut unpacked: u64 = 0;
    for (i, path, size) in wanted {
        let entry = archive.by_index(i).map_err(|e| ProjectError::ZipEntry {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let mut data = Vec::with_capacity(size as usize);
        entry
            .take(size.saturating_add(1))
            .read_to_end(&mut data)
            .map_err(|e| ProjectError::ZipEntry {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if data.len() as u64 > size {
            return Err(ProjectError::ZipEntry {
                path,
                reason: "it unpacks to more bytes than its header says".into(),
            });
        }
        unpacked += data.len() as u64;
        if unpacked > limits.max_unpacked_bytes as u64 {
            return Err(ProjectError::ZipTooLargeUnpacked {
                max: limits.max_unpacked_bytes,
            });
        }
        intake.add_bytes(path, data)?;
    }
    intake.finish()
}
