//! The crate's `use` graph flows one way: no file in `src/` reaches, through any chain
//! of imports, back to itself. A cycle makes files that cannot be read, tested or moved
//! one at a time, so the test command fails on the first one (`graph.rs` says how the
//! graph is drawn). The tests below show the check fails on cycles of every shape it
//! claims to see.

mod graph;

use std::path::Path;

use graph::Graph;

#[test]
fn src_has_no_file_level_import_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let graph = Graph::of_crate(&root).expect("src/ parses");
    // A reader that saw no edges would find no cycle either.
    assert!(
        graph.edge_count() > 200,
        "only {} edges read from src/",
        graph.edge_count()
    );
    let cycles = graph.cycles();
    let report: Vec<String> = cycles
        .iter()
        .map(|c| format!("cycle of {} files:\n{}", c.len(), graph.explain(c)))
        .collect();
    assert!(
        cycles.is_empty(),
        "import cycles in src/:\n{}",
        report.join("\n")
    );
}

/// Writes a crate of `(path, text)` files into a temporary folder and draws its graph.
fn graph_of(files: &[(&str, &str)]) -> Graph {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    Graph::of_crate(&dir.path().join("lib.rs")).unwrap()
}

#[test]
fn a_cycle_of_two_use_statements_is_found() {
    let g = graph_of(&[
        ("lib.rs", "mod a; mod b;"),
        ("a.rs", "use crate::b::B; pub struct A;"),
        ("b.rs", "use crate::a::A; pub struct B;"),
    ]);
    assert_eq!(
        g.cycles(),
        vec![vec!["a.rs".to_string(), "b.rs".to_string()]]
    );
}

#[test]
fn a_cycle_through_a_re_export_lands_on_the_defining_file() {
    // `crate::server::State` is re-exported by server/mod.rs; the edge goes to state.rs.
    let g = graph_of(&[
        ("lib.rs", "pub mod server; pub mod history;"),
        ("server/mod.rs", "pub mod state; pub use state::State;"),
        (
            "server/state.rs",
            "pub struct State(pub crate::history::Row);",
        ),
        (
            "history.rs",
            "pub struct Row; pub fn load(_: &crate::server::State) {}",
        ),
    ]);
    assert_eq!(
        g.cycles(),
        vec![vec![
            "history.rs".to_string(),
            "server/state.rs".to_string()
        ]]
    );
}

#[test]
fn paths_in_function_bodies_super_and_macros_count() {
    let g = graph_of(&[
        ("lib.rs", "mod ui;"),
        (
            "ui/mod.rs",
            "mod page; mod state; pub const TITLE: &str = \"t\";",
        ),
        ("ui/page.rs", "pub fn f() { let _ = super::state::S; }"),
        (
            "ui/state.rs",
            "pub struct S; fn g() { view! { <p>{crate::ui::page::f()}</p> } }",
        ),
    ]);
    assert_eq!(
        g.cycles(),
        vec![vec!["ui/page.rs".to_string(), "ui/state.rs".to_string()]]
    );
}

#[test]
fn a_longer_loop_is_one_cycle_and_test_code_is_left_out() {
    let g = graph_of(&[
        ("lib.rs", "mod a; mod b; mod c; mod d;"),
        ("a.rs", "use crate::b::B; pub struct A;"),
        ("b.rs", "use crate::c::C; pub struct B;"),
        ("c.rs", "pub struct C(crate::a::A);"),
        // d imports a, and a's tests import d: tests do not make a cycle.
        ("d.rs", "use crate::a::A;"),
    ]);
    assert_eq!(g.cycles().len(), 1);
    assert_eq!(g.cycles()[0], ["a.rs", "b.rs", "c.rs"]);

    let acyclic = graph_of(&[
        ("lib.rs", "mod a; mod b;"),
        (
            "a.rs",
            "pub struct A;\n#[cfg(test)]\nmod tests { use crate::b::B; }",
        ),
        ("b.rs", "use crate::a::A; pub struct B;"),
    ]);
    assert!(acyclic.cycles().is_empty());
    assert_eq!(acyclic.edge_count(), 1);
}
