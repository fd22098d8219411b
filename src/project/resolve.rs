//! Imports resolved to files of the project: relative (`./`, `../`, from the importing
//! file's folder), remapped (the longest matching prefix, a context remapping only for
//! files under its context), project-relative, and `node_modules/` (Hardhat's packages).
//! What resolves to no file is kept with its file and line: the analysis goes on without
//! it, and the report lists it. Also the order files are given in (dependencies first).

use std::collections::HashMap;

use super::imports::imports;
use super::layout::Layout;
use super::path::{join, parent};
use super::source::SourceFile;

/// An import no file of the project answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    /// The importing file.
    pub file: String,
    pub line: usize,
    /// The import as written.
    pub import: String,
}

/// Who imports whom: `edges[i]` are the files file `i` imports, in the order written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportGraph {
    pub edges: Vec<Vec<usize>>,
    pub unresolved: Vec<Unresolved>,
}

/// The import graph of `files` (sorted by path) under `layout`.
pub fn resolve(files: &[SourceFile], layout: &Layout) -> ImportGraph {
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let mut graph = ImportGraph {
        edges: vec![Vec::new(); files.len()],
        unresolved: Vec::new(),
    };
    for (i, file) in files.iter().enumerate() {
        if !file.path.ends_with(".sol") {
            continue;
        }
        for import in imports(&file.content) {
            match candidates(&file.path, &import.path, layout)
                .into_iter()
                .find_map(|c| index.get(c.as_str()).copied())
            {
                Some(target) => {
                    if !graph.edges[i].contains(&target) {
                        graph.edges[i].push(target)
                    }
                }
                None => graph.unresolved.push(Unresolved {
                    file: file.path.clone(),
                    line: import.line,
                    import: import.path,
                }),
            }
        }
    }
    graph
}

/// Where `import`, written in `from`, may be, most likely first.
fn candidates(from: &str, import: &str, layout: &Layout) -> Vec<String> {
    if import.starts_with("./") || import.starts_with("../") {
        return join(parent(from), import).into_iter().collect();
    }
    let mut out = Vec::new();
    let remap = layout
        .remappings
        .iter()
        .filter(|r| import.starts_with(&r.prefix))
        .filter(|r| r.context.as_deref().is_none_or(|c| from.starts_with(c)))
        .max_by_key(|r| (r.context.as_ref().map_or(0, String::len), r.prefix.len()));
    if let Some(r) = remap
        && let Some(p) = join("", &format!("{}{}", r.target, &import[r.prefix.len()..]))
    {
        out.push(p);
    }
    out.extend(join("", import));
    for lib in &layout.libs {
        if lib == "node_modules" {
            out.extend(join("node_modules", import));
        }
    }
    out
}

/// The files reachable from `roots` through imports, dependencies before the files that
/// import them (a cycle is cut where it closes), each once.
pub fn dependency_order(graph: &ImportGraph, roots: &[usize]) -> Vec<usize> {
    let mut state = vec![0u8; graph.edges.len()];
    let mut out = Vec::new();
    for &root in roots {
        if state[root] != 0 {
            continue;
        }
        // Iterative DFS: (file, next edge to visit).
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&dep) = graph.edges[node].get(*next) {
                *next += 1;
                if state[dep] == 0 {
                    state[dep] = 1;
                    stack.push((dep, 0));
                }
            } else {
                state[node] = 2;
                out.push(node);
                stack.pop();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::layout::detect;
    use super::*;

    fn file(path: &str, content: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            content: content.into(),
        }
    }

    #[test]
    fn relative_remapped_node_modules_and_unresolved() {
        let mut files = vec![
            file(
                "foundry.toml",
                "[profile.default]\nremappings = [\"@oz/=lib/oz/contracts/\"]\n",
            ),
            file(
                "lib/oz/contracts/access/Ownable.sol",
                "import \"../utils/Context.sol\";",
            ),
            file("lib/oz/contracts/utils/Context.sol", ""),
            file(
                "src/Vault.sol",
                "import \"./Base.sol\";\nimport \"@oz/access/Ownable.sol\";\nimport \"src/Base.sol\";\nimport \"missing/X.sol\";\n",
            ),
            file("src/Base.sol", ""),
        ];
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let layout = detect(&files);
        let g = resolve(&files, &layout);
        let at = |p: &str| files.iter().position(|f| f.path == p).unwrap();
        assert_eq!(
            g.edges[at("src/Vault.sol")],
            [
                at("src/Base.sol"),
                at("lib/oz/contracts/access/Ownable.sol")
            ]
        );
        assert_eq!(
            g.edges[at("lib/oz/contracts/access/Ownable.sol")],
            [at("lib/oz/contracts/utils/Context.sol")]
        );
        assert_eq!(
            g.unresolved,
            [Unresolved {
                file: "src/Vault.sol".into(),
                line: 4,
                import: "missing/X.sol".into()
            }]
        );
        let order = dependency_order(&g, &[at("src/Vault.sol")]);
        let names: Vec<&str> = order.iter().map(|&i| files[i].path.as_str()).collect();
        assert_eq!(
            names,
            [
                "src/Base.sol",
                "lib/oz/contracts/utils/Context.sol",
                "lib/oz/contracts/access/Ownable.sol",
                "src/Vault.sol"
            ]
        );
    }

    #[test]
    fn hardhat_packages_and_cycles() {
        let files = vec![
            file(
                "contracts/A.sol",
                "import \"./B.sol\";\nimport \"@oz/x/C.sol\";",
            ),
            file("contracts/B.sol", "import \"./A.sol\";"),
            file("hardhat.config.js", ""),
            file("node_modules/@oz/x/C.sol", ""),
        ];
        let g = resolve(&files, &detect(&files));
        assert!(g.unresolved.is_empty(), "{:?}", g.unresolved);
        assert_eq!(g.edges[0], [1, 3]);
        assert_eq!(g.edges[1], [0]);
        assert_eq!(dependency_order(&g, &[0, 1]), [1, 3, 0]);
    }
}
