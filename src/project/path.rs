//! A file's path inside a project, checked before anything else is read: relative,
//! `/`-separated, never above the root. `.` and empty segments fold away; `a/../b` is `b`;
//! anything that would leave the root, name a drive or hide a Windows separator is refused.

use super::error::ProjectError;

/// `raw` as a normalized project-relative path (`src/Vault.sol`), or why it is refused.
pub fn project_path(raw: &str) -> Result<String, ProjectError> {
    if raw.is_empty() {
        return Err(ProjectError::EmptyPath);
    }
    if raw.chars().any(char::is_control) {
        return Err(ProjectError::BadCharacter(raw.escape_default().to_string()));
    }
    if raw.contains('\\') {
        return Err(ProjectError::Backslash(raw.to_owned()));
    }
    let bytes = raw.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(ProjectError::DriveLetter(raw.to_owned()));
    }
    if raw.starts_with('/') {
        return Err(ProjectError::AbsolutePath(raw.to_owned()));
    }
    let mut parts: Vec<&str> = Vec::new();
    for segment in raw.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(ProjectError::ClimbsOut(raw.to_owned()));
                }
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(ProjectError::EmptyPath);
    }
    Ok(parts.join("/"))
}

/// The folder part of a project path (`src/a` for `src/a/B.sol`, `` for `B.sol`).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `rel` (an import such as `../lib/X.sol`) read from folder `dir`, normalized; `None` when
/// it climbs above the root.
pub fn join(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in rel.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_paths_fold() {
        assert_eq!(project_path("src/Vault.sol").unwrap(), "src/Vault.sol");
        assert_eq!(project_path("./src//a/./B.sol").unwrap(), "src/a/B.sol");
        assert_eq!(project_path("src/x/../B.sol").unwrap(), "src/B.sol");
    }

    #[test]
    fn hostile_paths_have_their_own_codes() {
        let code = |p: &str| project_path(p).unwrap_err().code();
        assert_eq!(code(""), "empty_path");
        assert_eq!(code("./"), "empty_path");
        assert_eq!(code("../etc/passwd"), "path_climbs_out");
        assert_eq!(code("src/../../x.sol"), "path_climbs_out");
        assert_eq!(code("/etc/passwd"), "absolute_path");
        assert_eq!(code("//server/share/x.sol"), "absolute_path");
        assert_eq!(code("C:/Windows/x.sol"), "drive_letter_path");
        assert_eq!(code("c:x.sol"), "drive_letter_path");
        assert_eq!(code("src\\..\\..\\x.sol"), "backslash_path");
        assert_eq!(code("a\0b.sol"), "bad_path_character");
        assert_eq!(code("a\nb.sol"), "bad_path_character");
    }

    #[test]
    fn joins_stay_inside() {
        assert_eq!(join("src/a", "../b/C.sol").as_deref(), Some("src/b/C.sol"));
        assert_eq!(join("src", "./C.sol").as_deref(), Some("src/C.sol"));
        assert_eq!(join("src", "../../C.sol"), None);
        assert_eq!(parent("src/a/B.sol"), "src/a");
        assert_eq!(parent("B.sol"), "");
    }
}
