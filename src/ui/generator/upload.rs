//! Contract files into the contract box: picked or dropped `.sol` / `.vy` files, with
//! the server's size limit (`AUDITSTREAM_MAX_CONTRACT_BYTES`) checked before a byte is
//! read or sent. The check itself is pure and tested here.

use leptos::{prelude::*, task::spawn_local};

use crate::ui::reader::ReportState;

/// File name endings the contract box takes.
pub const EXTENSIONS: [&str; 2] = [".sol", ".vy"];

/// Why a file cannot go into the contract box.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileRejection {
    #[error("{name} is not a contract file: open a .sol or .vy file")]
    WrongKind { name: String },
    #[error("{name} is {size} bytes, larger than the limit of {limit} bytes")]
    TooLarge {
        name: String,
        size: u64,
        limit: usize,
    },
}

/// Checks a file's name and size against what the server takes.
pub fn check_file(name: &str, size: u64, limit: Option<usize>) -> Result<(), FileRejection> {
    let lower = name.to_ascii_lowercase();
    if !EXTENSIONS.iter().any(|e| lower.ends_with(e)) {
        return Err(FileRejection::WrongKind { name: name.into() });
    }
    match limit {
        Some(limit) if size > limit as u64 => Err(FileRejection::TooLarge {
            name: name.into(),
            size,
            limit,
        }),
        _ => Ok(()),
    }
}

/// Reads an accepted file into the contract box; a rejected one leaves the box as it
/// was and says why.
pub fn load_file(state: ReportState, file: web_sys::File, limit: Option<usize>) {
    let name = file.name();
    if let Err(e) = check_file(&name, file.size() as u64, limit) {
        state.input_error.set(Some(e.to_string()));
        return;
    }
    state.input_error.set(None);
    spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(file.text()).await {
            Ok(text) => {
                state.contract.set(text.as_string().unwrap_or_default());
                state.filename.set(Some(name));
            }
            Err(_) => state
                .input_error
                .set(Some(format!("could not read {name}"))),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_checked_at_its_edge() {
        assert_eq!(check_file("Vault.sol", 262_144, Some(262_144)), Ok(()));
        assert_eq!(
            check_file("Vault.sol", 262_145, Some(262_144)),
            Err(FileRejection::TooLarge {
                name: "Vault.sol".into(),
                size: 262_145,
                limit: 262_144
            })
        );
        assert_eq!(check_file("Token.VY", 10, None), Ok(()));
        assert!(matches!(
            check_file("notes.txt", 10, Some(100)),
            Err(FileRejection::WrongKind { .. })
        ));
    }
}
