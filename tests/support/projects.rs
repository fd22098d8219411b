//! The test projects of `testdata/projects/` as a request sends them: their files read
//! from disk, as JSON `files`, and as a real `.zip` archive.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

/// Every file of a test project, as `(path, bytes)`.
pub fn project_files(name: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/projects")
        .join(name);
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// The files as a request's `files` (the test projects are all UTF-8).
pub fn as_json(files: &[(String, Vec<u8>)]) -> Vec<Value> {
    files
        .iter()
        .map(|(p, b)| json!({ "path": p, "content": String::from_utf8(b.clone()).unwrap() }))
        .collect()
}

/// The files as a deflated `.zip`, each path under `prefix` (`myproject/` or nothing).
pub fn zip_of(prefix: &str, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        w.start_file(format!("{prefix}{name}"), opts).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}
