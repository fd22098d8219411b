//! The project module over the real test projects in `testdata/projects/` and hostile zips
//! written here with the `zip` crate's writer.

use std::io::Write;
use std::path::Path;

use super::*;

fn testdata(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/projects")
        .join(name)
}

fn open(name: &str) -> Project {
    let (files, skipped) =
        folder::read_folder(&testdata(name), &ProjectLimits::default()).expect("reads");
    Project::new(files, skipped, &ScopeRules::default())
}

fn paths_with(p: &Project, role: Role) -> Vec<&str> {
    p.files
        .iter()
        .zip(&p.roles)
        .filter(|(_, r)| **r == role)
        .map(|(f, _)| f.path.as_str())
        .collect()
}

#[test]
fn the_foundry_project_is_laid_out() {
    let p = open("foundry-vault");
    assert_eq!(p.layout.kind, LayoutKind::Foundry);
    assert_eq!(
        paths_with(&p, Role::InScope),
        ["src/Treasury.sol", "src/Vault.sol", "src/VaultBase.sol"]
    );
    assert!(
        paths_with(&p, Role::Library)
            .iter()
            .all(|f| f.starts_with("lib/"))
    );
    assert!(
        paths_with(&p, Role::Library)
            .contains(&"lib/openzeppelin-contracts/contracts/access/Ownable.sol")
    );
    assert_eq!(
        paths_with(&p, Role::OutOfScope(OutReason::Test)),
        ["test/Vault.t.sol"]
    );
    assert_eq!(
        paths_with(&p, Role::OutOfScope(OutReason::Mock)),
        ["src/mocks/MockToken.sol"]
    );
    assert!(p.unresolved().is_empty(), "{:?}", p.unresolved());
    // The test's forge-std is missing, and no audited file needs it.
    assert_eq!(p.graph.unresolved.len(), 1);
    assert_eq!(p.graph.unresolved[0].file, "test/Vault.t.sol");
    let order: Vec<&str> = p
        .dependency_order()
        .into_iter()
        .map(|i| p.files[i].path.as_str())
        .collect();
    let at = |name: &str| order.iter().position(|p| *p == name).expect(name);
    assert!(
        at("lib/openzeppelin-contracts/contracts/utils/Context.sol")
            < at("lib/openzeppelin-contracts/contracts/access/Ownable.sol")
    );
    assert!(at("src/VaultBase.sol") < at("src/Vault.sol"));
    assert!(at("src/Treasury.sol") < at("src/Vault.sol"));
}

#[test]
fn the_hardhat_project_is_laid_out() {
    let p = open("hardhat-token");
    assert_eq!(p.layout.kind, LayoutKind::Hardhat);
    assert_eq!(
        paths_with(&p, Role::InScope),
        ["contracts/Sale.sol", "contracts/Token.sol"]
    );
    assert!(p.unresolved().is_empty(), "{:?}", p.unresolved());
    let sale = p
        .files
        .iter()
        .position(|f| f.path == "contracts/Sale.sol")
        .unwrap();
    let deps: Vec<&str> = p.graph.edges[sale]
        .iter()
        .map(|&i| p.files[i].path.as_str())
        .collect();
    assert!(
        deps.contains(&"node_modules/@openzeppelin/contracts/access/Ownable.sol"),
        "{deps:?}"
    );
    assert!(deps.contains(&"contracts/Token.sol"), "{deps:?}");
}

#[test]
fn an_unresolvable_import_names_its_file_and_line() {
    let p = open("unresolved");
    let u = p.unresolved();
    assert_eq!(u.len(), 1, "{u:?}");
    assert_eq!(u[0].file, "src/Pool.sol");
    assert_eq!(u[0].import, "@missing/oracle/IOracle.sol");
    let line = p
        .file("src/Pool.sol")
        .unwrap()
        .content
        .lines()
        .position(|l| l.contains("@missing"))
        .unwrap()
        + 1;
    assert_eq!(u[0].line, line);
}

#[test]
fn an_import_cycle_is_ordered_once() {
    let p = open("cycle");
    let order = p.dependency_order();
    assert_eq!(order.len(), p.in_scope().len());
    let mut sorted = order.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), order.len());
}

#[test]
fn symlinks_in_a_folder_are_skipped_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/A.sol"), "contract A {}").unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("Secret.sol"), "contract S {}").unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("Secret.sol"),
        dir.path().join("src/Link.sol"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
    let (files, skipped) = folder::read_folder(dir.path(), &ProjectLimits::default()).unwrap();
    assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        ["src/A.sol"]
    );
    assert_eq!(
        skipped
            .iter()
            .map(|s| (s.path.as_str(), s.reason))
            .collect::<Vec<_>>(),
        [
            ("linked", SkipReason::Symlink),
            ("src/Link.sol", SkipReason::Symlink)
        ]
    );
}

// Zips, written here.

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        if name.ends_with('/') {
            w.add_directory(*name, opts).unwrap();
        } else {
            w.start_file(*name, opts).unwrap();
            w.write_all(bytes).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

fn zip_err(bytes: &[u8], limits: &ProjectLimits) -> &'static str {
    archive::read_zip(bytes, limits).unwrap_err().code()
}

#[test]
fn a_zipped_folder_reads_as_the_folder() {
    let bytes = zip_of(&[
        ("proj/", b""),
        ("proj/foundry.toml", b"[profile.default]\n"),
        ("proj/src/A.sol", b"import \"./B.sol\";\ncontract A is B {}"),
        ("proj/src/B.sol", b"contract B {}"),
        ("proj/README.md", b"hello"),
    ]);
    let (files, skipped) = archive::read_zip(&bytes, &ProjectLimits::default()).unwrap();
    let p = Project::new(files, skipped, &ScopeRules::default());
    assert_eq!(p.stripped_root.as_deref(), Some("proj"));
    assert_eq!(p.layout.kind, LayoutKind::Foundry);
    assert_eq!(paths_with(&p, Role::InScope), ["src/A.sol", "src/B.sol"]);
    assert_eq!(p.skipped[0].path, "README.md");
    assert_eq!(
        p.graph.edges[p.files.iter().position(|f| f.path == "src/A.sol").unwrap()].len(),
        1
    );
}

#[test]
fn hostile_zip_paths_each_have_their_code() {
    let l = ProjectLimits::default();
    for (name, code) in [
        ("../evil.sol", "path_climbs_out"),
        ("src/../../evil.sol", "path_climbs_out"),
        ("/etc/evil.sol", "absolute_path"),
        ("C:/evil.sol", "drive_letter_path"),
        ("src\\..\\..\\evil.sol", "backslash_path"),
    ] {
        let bytes = zip_of(&[("src/A.sol", b"contract A {}"), (name, b"contract E {}")]);
        assert_eq!(zip_err(&bytes, &l), code, "{name}");
    }
    let dup = zip_of(&[
        ("src/A.sol", b"contract A {}"),
        ("src/./A.sol", b"contract B {}"),
    ]);
    assert_eq!(zip_err(&dup, &l), "duplicate_path");
    let bad = zip_of(&[("src/A.sol", &[0xff, 0xfe, 0x00])]);
    assert_eq!(zip_err(&bad, &l), "not_utf8");
    assert_eq!(zip_err(b"PK\x03\x04 not really", &l), "not_a_zip");
    assert_eq!(zip_err(b"contract A {}", &l), "not_a_zip");
    let none = zip_of(&[("README.md", b"x")]);
    assert_eq!(zip_err(&none, &l), "no_sources");
}

#[test]
fn a_symlink_in_a_zip_is_refused() {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("src/A.sol", opts).unwrap();
    w.write_all(b"contract A {}").unwrap();
    w.add_symlink("src/Link.sol", "/etc/passwd", opts).unwrap();
    let bytes = w.finish().unwrap().into_inner();
    assert_eq!(zip_err(&bytes, &ProjectLimits::default()), "symlink");
}

#[test]
fn zip_entry_count_at_the_edge() {
    let bytes = zip_of(&[
        ("src/", b""),
        ("src/A.sol", b"contract A {}"),
        ("notes.txt", b"x"),
    ]);
    let at = ProjectLimits {
        max_zip_entries: 3,
        ..ProjectLimits::default()
    };
    assert!(archive::read_zip(&bytes, &at).is_ok());
    let over = ProjectLimits {
        max_zip_entries: 2,
        ..ProjectLimits::default()
    };
    assert_eq!(zip_err(&bytes, &over), "zip_too_many_entries");
}

#[test]
fn zip_unpacked_size_at_the_edge() {
    // Skipped files count too: the limit is on what the archive would unpack to.
    let bytes = zip_of(&[
        ("src/A.sol", b"contract A {}"),
        ("notes.txt", b"0123456789"),
    ]);
    let total = 13 + 10;
    let at = ProjectLimits {
        max_unpacked_bytes: total,
        ..ProjectLimits::default()
    };
    assert!(archive::read_zip(&bytes, &at).is_ok());
    let over = ProjectLimits {
        max_unpacked_bytes: total - 1,
        ..ProjectLimits::default()
    };
    assert_eq!(zip_err(&bytes, &over), "zip_too_large_unpacked");
}

#[test]
fn zip_compression_ratio_at_the_edge() {
    let text = format!("contract A {{}}\n{}", "// padding\n".repeat(5_000));
    let bytes = zip_of(&[("src/A.sol", text.as_bytes())]);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let (size, packed) = {
        let e = archive.by_index_raw(0).unwrap();
        (e.size(), e.compressed_size())
    };
    assert!(
        size / packed > 20,
        "a highly compressible file: {size}/{packed}"
    );
    let ratio = size.div_ceil(packed);
    let at = ProjectLimits {
        max_compression_ratio: ratio,
        ..ProjectLimits::default()
    };
    assert!(archive::read_zip(&bytes, &at).is_ok());
    let over = ProjectLimits {
        max_compression_ratio: ratio - 1,
        ..ProjectLimits::default()
    };
    assert_eq!(zip_err(&bytes, &over), "zip_ratio");
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked() {
    // 50 MB of zeros in a few tens of kilobytes, under every size limit but the ratio.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("src/A.sol", opts).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..50 {
        w.write_all(&zeros).unwrap();
    }
    let bytes = w.finish().unwrap().into_inner();
    let limits = ProjectLimits {
        max_unpacked_bytes: 64 << 20,
        max_file_bytes: 64 << 20,
        max_total_bytes: 64 << 20,
        ..ProjectLimits::default()
    };
    assert_eq!(zip_err(&bytes, &limits), "zip_ratio");
}

#[test]
fn a_skipped_file_is_never_unpacked_so_its_ratio_does_not_matter() {
    let padding = vec![b' '; 1 << 20];
    let bytes = zip_of(&[
        ("src/A.sol", b"contract A {}"),
        ("docs/blank.txt", &padding),
    ]);
    let (files, skipped) = archive::read_zip(&bytes, &ProjectLimits::default()).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(skipped[0].path, "docs/blank.txt");
}

#[test]
fn zip_file_limits_apply_before_reading() {
    let bytes = zip_of(&[("src/A.sol", b"contract A {}")]);
    let at = ProjectLimits {
        max_file_bytes: 13,
        ..ProjectLimits::default()
    };
    assert!(archive::read_zip(&bytes, &at).is_ok());
    let over = ProjectLimits {
        max_file_bytes: 12,
        ..ProjectLimits::default()
    };
    assert_eq!(zip_err(&bytes, &over), "file_too_large");
}
