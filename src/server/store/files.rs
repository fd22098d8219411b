//! A project report's files in the history (migration 0004): each distinct file text is
//! one `blobs` row keyed by its SHA-256, so a project audited ten times, or ten projects
//! sharing OpenZeppelin, store each library file once; `report_files` lists a report's
//! paths in the order they were sent. Deleting or pruning reports drops what no report
//! names any more.

use sqlx::{AnyConnection, AnyPool, Row};

use super::{StoreError, sha256_hex};
use crate::protocol::ProjectFile;
use crate::report::{Language, detect_language};

/// The scope and exclude globs of a project request, as the `reports.scope` column holds
/// them (JSON); `None` for one contract.
pub(super) fn scope_json(
    files: &[ProjectFile],
    scope: &[String],
    exclude: &[String],
) -> Option<String> {
    (!files.is_empty())
        .then(|| serde_json::json!({ "scope": scope, "exclude": exclude }).to_string())
}

/// The globs back from the column; a malformed value is a corrupt row.
pub(super) fn scope_of(json: Option<&str>) -> Result<(Vec<String>, Vec<String>), StoreError> {
    let Some(json) = json else {
        return Ok((Vec::new(), Vec::new()));
    };
    #[derive(serde::Deserialize)]
    struct Globs {
        #[serde(default)]
        scope: Vec<String>,
        #[serde(default)]
        exclude: Vec<String>,
    }
    let globs: Globs =
        serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("scope JSON: {e}")))?;
    Ok((globs.scope, globs.exclude))
}

/// What identifies a project's input as a whole: the SHA-256 over each file's path and
/// text hash, in order (two reports of the same files have the same value).
pub(super) fn project_sha256(files: &[ProjectFile]) -> String {
    let listing: String = files
        .iter()
        .map(|f| format!("{}\0{}\n", f.path, sha256_hex(&f.content)))
        .collect();
    sha256_hex(&listing)
}

/// The language a project is written in: that of its first Solidity or Vyper file.
pub(super) fn project_language(files: &[ProjectFile]) -> Language {
    files
        .iter()
        .find(|f| f.path.ends_with(".sol") || f.path.ends_with(".vy") || f.path.ends_with(".vyi"))
        .map_or(Language::Solidity, |f| {
            detect_language(&f.content, Some(&f.path))
        })
}

/// A name for the history list when the request gave none: the one top folder every file
/// shares, else the first file's name and how many others came with it.
pub(super) fn project_name(files: &[ProjectFile]) -> Option<String> {
    let first = files.first()?;
    let top = |p: &str| p.split_once('/').map(|(top, _)| top.to_owned());
    if let Some(folder) = top(&first.path)
        && files
            .iter()
            .all(|f| top(&f.path).as_deref() == Some(folder.as_str()))
    {
        return Some(folder);
    }
    Some(match files.len() {
        1 => first.path.clone(),
        2 => format!("{} and 1 more file", first.path),
        n => format!("{} and {} more files", first.path, n - 1),
    })
}

/// Stores `files` as report `id`'s, inside the caller's transaction.
pub(super) async fn insert(
    conn: &mut AnyConnection,
    id: &str,
    files: &[ProjectFile],
) -> Result<(), StoreError> {
    for (position, file) in (0i64..).zip(files) {
        let sha = sha256_hex(&file.content);
        sqlx::query(
            "INSERT INTO blobs (sha256, text) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&sha)
        .bind(&file.content)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO report_files (report_id, position, path, sha256) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position)
        .bind(&file.path)
        .bind(&sha)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Report `id`'s files in the order they were sent (none for one contract).
pub(super) async fn of_report(pool: &AnyPool, id: &str) -> Result<Vec<ProjectFile>, StoreError> {
    let rows = sqlx::query(
        "SELECT report_files.path AS path, blobs.text AS text FROM report_files \
         JOIN blobs ON blobs.sha256 = report_files.sha256 \
         WHERE report_files.report_id = $1 ORDER BY report_files.position",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ProjectFile {
                path: r.try_get("path")?,
                content: r.try_get("text")?,
            })
        })
        .collect()
}

/// Drops the file lists of deleted reports and the texts no report names any more.
pub(super) async fn forget_orphans(pool: &AnyPool) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM report_files WHERE report_id NOT IN (SELECT id FROM reports)")
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM report_files)")
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> ProjectFile {
        ProjectFile {
            path: path.into(),
            content: content.into(),
        }
    }

    #[test]
    fn a_project_is_named_by_its_shared_folder_or_its_first_file() {
        let one_folder = [file("vault/src/A.sol", ""), file("vault/lib/B.sol", "")];
        assert_eq!(project_name(&one_folder).as_deref(), Some("vault"));
        let loose = [
            file("src/A.sol", ""),
            file("lib/B.sol", ""),
            file("C.sol", ""),
        ];
        assert_eq!(
            project_name(&loose).as_deref(),
            Some("src/A.sol and 2 more files")
        );
        assert_eq!(project_name(&[file("A.sol", "")]).as_deref(), Some("A.sol"));
        assert_eq!(project_name(&[]), None);
    }

    #[test]
    fn the_project_hash_changes_with_a_path_or_a_text() {
        let a = [file("A.sol", "x"), file("B.sol", "y")];
        let renamed = [file("A.sol", "x"), file("C.sol", "y")];
        let edited = [file("A.sol", "x"), file("B.sol", "z")];
        assert_eq!(project_sha256(&a), project_sha256(&a.clone()));
        assert_ne!(project_sha256(&a), project_sha256(&renamed));
        assert_ne!(project_sha256(&a), project_sha256(&edited));
    }

    #[test]
    fn globs_round_trip_and_one_contract_has_none() {
        let files = [file("A.sol", "")];
        let json = scope_json(&files, &["src/**".into()], &["src/mocks/**".into()]);
        assert_eq!(
            scope_of(json.as_deref()).unwrap(),
            (vec!["src/**".to_owned()], vec!["src/mocks/**".to_owned()])
        );
        assert_eq!(scope_json(&[], &["x".into()], &[]), None);
        assert_eq!(scope_of(None).unwrap(), (vec![], vec![]));
        assert!(matches!(scope_of(Some("[1]")), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn a_project_of_vyper_files_is_vyper() {
        let files = [
            file("foundry.toml", ""),
            file("src/Vault.vy", "# @version 0.3.10\n"),
        ];
        assert_eq!(project_language(&files), Language::Vyper);
        assert_eq!(
            project_language(&[file("src/A.sol", "")]),
            Language::Solidity
        );
    }
}
