//! The file-level `use` graph of a crate, and its cycles.
//!
//! Reads the module tree as rustc does (from the crate root through `mod` declarations,
//! `#[path]` included, leaving out `#[cfg(test)]` items), then gives each file an edge to
//! every file whose items it names: `use` trees and paths anywhere in the code (types,
//! expressions, macro bodies), starting with `crate`, `super` or `self`. A module's
//! own `mod child;` and `use child::…` are how a folder is put together, not layering:
//! they are followed to resolve re-exports but make no edge.
//! A path is resolved to the longest module prefix it names, following `pub use`
//! re-exports, so `crate::server::AppState` lands on `server/state.rs`, not on the
//! `server/mod.rs` that re-exports it.
//!
//! Why our own: the crates that draw module graphs (`cargo-modules`) are cargo subcommands
//! built on rust-analyzer, a long build for a check this small; `syn` is already in the
//! dependency tree and parses the code exactly.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

type ModPath = Vec<String>;

/// One edge, with the path that made it (for the message when a cycle is found).
#[derive(Debug, Clone)]
pub struct Edge {
    pub to: String,
    pub via: String,
}

#[derive(Debug, Default)]
pub struct Graph {
    /// File (relative to the root's folder) → its edges, by target file.
    pub edges: BTreeMap<String, BTreeMap<String, Edge>>,
    /// Every module path → the file that holds it.
    modules: BTreeMap<ModPath, String>,
    /// Module → `name` → what `pub use` in it points at (absolute).
    reexports: BTreeMap<ModPath, BTreeMap<String, ModPath>>,
    /// Module → absolute paths of its `pub use …::*`.
    globs: BTreeMap<ModPath, Vec<ModPath>>,
}

/// A parsed file and the module it is.
struct Unit {
    module: ModPath,
    rel: String,
    file: syn::File,
}

#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("{0}: {1}")]
    Parse(PathBuf, syn::Error),
}

impl Graph {
    /// The graph of the crate whose root file is `root` (e.g. `src/lib.rs`).
    pub fn of_crate(root: &Path) -> Result<Self, GraphError> {
        let base = root.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut units = Vec::new();
        load(&base, root, Vec::new(), true, &mut units)?;
        let mut graph = Graph::default();
        for unit in &units {
            graph.modules.insert(unit.module.clone(), unit.rel.clone());
            index_inline(&mut graph, &unit.module, &unit.rel, &unit.file.items);
        }
        for unit in &units {
            collect_reexports(&mut graph, &unit.module, &unit.file.items);
        }
        for unit in &units {
            let mut paths = Paths {
                module: unit.module.clone(),
                found: Vec::new(),
            };
            for item in &unit.file.items {
                visit_kept(&mut paths, item);
            }
            for (module, segs) in paths.found {
                let Some(abs) = graph.absolute(&module, &segs) else {
                    continue;
                };
                if let Some(to) = graph.resolve(&abs, 0)
                    && to != unit.rel
                {
                    let via = segs.join("::");
                    graph
                        .edges
                        .entry(unit.rel.clone())
                        .or_default()
                        .entry(to.clone())
                        .or_insert(Edge { to, via });
                }
            }
        }
        Ok(graph)
    }

    pub fn edge_count(&self) -> usize {
        self.edges.values().map(BTreeMap::len).sum()
    }

    /// `segs` as written in `module`, made absolute; `None` when it names no module of ours.
    fn absolute(&self, module: &ModPath, segs: &[String]) -> Option<ModPath> {
        let first = segs.first()?;
        match first.as_str() {
            "crate" => Some(segs[1..].to_vec()),
            "self" => Some(module.iter().chain(&segs[1..]).cloned().collect()),
            "super" => {
                let mut base = module.clone();
                let mut rest = segs;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                Some(base)
            }
            _ => None,
        }
    }

    /// A `pub use child::Name` re-export, written relative to `module`, made absolute.
    fn reexport_target(&self, module: &ModPath, segs: &[String]) -> Option<ModPath> {
        let first = segs.first()?;
        let mut child = module.clone();
        child.push(first.clone());
        if self.modules.contains_key(&child) {
            return Some(module.iter().chain(segs).cloned().collect());
        }
        self.absolute(module, segs)
    }

    /// The file an absolute path lands on: its longest module prefix, through re-exports.
    fn resolve(&self, path: &[String], depth: u8) -> Option<String> {
        for n in (0..=path.len()).rev() {
            let prefix = &path[..n];
            let Some(file) = self.modules.get(prefix) else {
                continue;
            };
            if n < path.len() && depth < 4 {
                let name = &path[n];
                let targets = self
                    .reexports
                    .get(prefix)
                    .and_then(|r| r.get(name))
                    .map(|t| vec![t.clone()])
                    .unwrap_or_else(|| {
                        let globs = self.globs.get(prefix).into_iter().flatten();
                        globs
                            .map(|g| g.iter().chain([name]).cloned().collect())
                            .collect()
                    });
                for target in targets {
                    let rest: ModPath = target.iter().chain(&path[n + 1..]).cloned().collect();
                    if let Some(found) = self.resolve(&rest, depth + 1)
                        && &found != file
                    {
                        return Some(found);
                    }
                }
            }
            return Some(file.clone());
        }
        None
    }

    /// Every strongly connected component of more than one file (Tarjan), sorted.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let mut t = Tarjan {
            graph: self,
            next: 0,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            on_stack: BTreeSet::new(),
            out: Vec::new(),
        };
        for v in self.edges.keys() {
            if !t.index.contains_key(v.as_str()) {
                t.connect(v);
            }
        }
        t.out.sort();
        t.out
    }

    /// The edges inside one component, as `a.rs -> b.rs (crate::b::B)` lines.
    pub fn explain(&self, component: &[String]) -> String {
        let inside: BTreeSet<&str> = component.iter().map(String::as_str).collect();
        let mut lines = Vec::new();
        for from in component {
            for edge in self.edges.get(from).into_iter().flat_map(BTreeMap::values) {
                if inside.contains(edge.to.as_str()) {
                    lines.push(format!("  {from} -> {} ({})", edge.to, edge.via));
                }
            }
        }
        lines.join("\n")
    }
}

struct Tarjan<'g> {
    graph: &'g Graph,
    next: usize,
    index: BTreeMap<&'g str, usize>,
    low: BTreeMap<&'g str, usize>,
    stack: Vec<&'g str>,
    on_stack: BTreeSet<&'g str>,
    out: Vec<Vec<String>>,
}

impl<'g> Tarjan<'g> {
    fn connect(&mut self, v: &'g str) {
        self.index.insert(v, self.next);
        self.low.insert(v, self.next);
        self.next += 1;
        self.stack.push(v);
        self.on_stack.insert(v);
        for w in self.graph.edges.get(v).into_iter().flat_map(BTreeMap::keys) {
            let w = w.as_str();
            if !self.index.contains_key(w) {
                self.connect(w);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v, low);
            } else if self.on_stack.contains(w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v, low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                self.out.push(component);
            }
        }
    }
}

/// Parses `file` as `module` and, through its `mod x;` declarations, every file below it.
fn load(
    base: &Path,
    file: &Path,
    module: ModPath,
    owns_dir: bool,
    units: &mut Vec<Unit>,
) -> Result<(), GraphError> {
    let text = std::fs::read_to_string(file).map_err(|e| GraphError::Read(file.into(), e))?;
    let parsed = syn::parse_file(&text).map_err(|e| GraphError::Parse(file.into(), e))?;
    // Children of `a/b.rs` live in `a/b/`; of `a/mod.rs` (or the root) in `a/`.
    let dir = if owns_dir {
        file.parent().unwrap_or(base).to_path_buf()
    } else {
        file.with_extension("")
    };
    for item in &parsed.items {
        let syn::Item::Mod(m) = item else { continue };
        if m.content.is_some() || is_test_only(&m.attrs) {
            continue;
        }
        let name = m.ident.to_string();
        let (child, owns) = match path_attr(&m.attrs) {
            Some(p) => (dir.join(p), false),
            None if dir.join(format!("{name}.rs")).is_file() => {
                (dir.join(format!("{name}.rs")), false)
            }
            None => (dir.join(&name).join("mod.rs"), true),
        };
        let mut child_module = module.clone();
        child_module.push(name);
        load(base, &child, child_module, owns, units)?;
    }
    let rel = file
        .strip_prefix(base)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/");
    units.push(Unit {
        module,
        rel,
        file: parsed,
    });
    Ok(())
}

/// Inline `mod x { … }` blocks are modules held by the same file.
fn index_inline(graph: &mut Graph, module: &ModPath, rel: &str, items: &[syn::Item]) {
    for item in items {
        if let syn::Item::Mod(m) = item
            && let Some((_, inner)) = &m.content
            && !is_test_only(&m.attrs)
        {
            let mut path = module.clone();
            path.push(m.ident.to_string());
            graph.modules.insert(path.clone(), rel.to_string());
            index_inline(graph, &path, rel, inner);
        }
    }
}

fn collect_reexports(graph: &mut Graph, module: &ModPath, items: &[syn::Item]) {
    for item in items {
        match item {
            syn::Item::Use(u)
                if !matches!(u.vis, syn::Visibility::Inherited) && !is_test_only(&u.attrs) =>
            {
                let mut leaves = Vec::new();
                flatten(&u.tree, Vec::new(), &mut leaves);
                for (segs, name) in leaves {
                    let Some(abs) = graph.reexport_target(module, &segs) else {
                        continue;
                    };
                    match name {
                        Some(name) => {
                            graph
                                .reexports
                                .entry(module.clone())
                                .or_default()
                                .insert(name, abs);
                        }
                        None => graph.globs.entry(module.clone()).or_default().push(abs),
                    }
                }
            }
            syn::Item::Mod(m) if !is_test_only(&m.attrs) => {
                if let Some((_, inner)) = &m.content {
                    let mut path = module.clone();
                    path.push(m.ident.to_string());
                    collect_reexports(graph, &path, inner);
                }
            }
            _ => {}
        }
    }
}

/// A use tree as `(full path, name it is known by)`; a glob has no name.
fn flatten(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    let with = |s: &syn::Ident| {
        prefix
            .iter()
            .cloned()
            .chain([s.to_string()])
            .collect::<Vec<_>>()
    };
    match tree {
        syn::UseTree::Path(p) => flatten(&p.tree, with(&p.ident), out),
        syn::UseTree::Name(n) if n.ident == "self" => {
            let name = prefix.last().cloned();
            out.push((prefix, name));
        }
        syn::UseTree::Name(n) => out.push((with(&n.ident), Some(n.ident.to_string()))),
        syn::UseTree::Rename(r) => out.push((with(&r.ident), Some(r.rename.to_string()))),
        syn::UseTree::Glob(_) => out.push((prefix, None)),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten(t, prefix.clone(), out);
            }
        }
    }
}

/// `#[cfg(test)]`, `#[cfg(all(test, …))]`: code that is not part of the crate's layering.
fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let syn::Meta::List(list) = &a.meta else {
            return false;
        };
        let text = list.tokens.to_string();
        a.path().is_ident("cfg")
            && text
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|w| w == "test")
            && !text.contains("not")
    })
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs
        .iter()
        .find(|a| a.path().is_ident("path"))
        .and_then(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
}

/// Visits an item unless it is test-only.
fn visit_kept(paths: &mut Paths, item: &syn::Item) {
    let attrs = match item {
        syn::Item::Mod(m) => &m.attrs,
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Use(u) => &u.attrs,
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Enum(e) => &e.attrs,
        syn::Item::Const(c) => &c.attrs,
        syn::Item::Static(s) => &s.attrs,
        syn::Item::Trait(t) => &t.attrs,
        syn::Item::Type(t) => &t.attrs,
        syn::Item::Macro(m) => &m.attrs,
        _ => return paths.visit_item(item),
    };
    if is_test_only(attrs) {
        return;
    }
    if let syn::Item::Mod(m) = item {
        // An inline module: its own paths are relative to it.
        if let Some((_, inner)) = &m.content {
            paths.module.push(m.ident.to_string());
            for i in inner {
                visit_kept(paths, i);
            }
            paths.module.pop();
        }
        return;
    }
    paths.visit_item(item);
}

/// Collects every path a file writes, with the module it was written in.
struct Paths {
    module: ModPath,
    found: Vec<(ModPath, Vec<String>)>,
}

impl Paths {
    fn push(&mut self, segs: Vec<String>) {
        if !segs.is_empty() {
            self.found.push((self.module.clone(), segs));
        }
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        flatten(&u.tree, Vec::new(), &mut leaves);
        for (segs, _) in leaves {
            self.push(segs);
        }
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if p.leading_colon.is_none() && p.segments.len() > 1 {
            self.push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        }
        syn::visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.visit_path(&m.path);
        macro_paths(m.tokens.clone(), &mut |segs| self.push(segs));
    }
}

/// Paths like `crate::a::b` inside a macro's tokens (`view!`, `stream!`, `format!`).
fn macro_paths(tokens: TokenStream, out: &mut impl FnMut(Vec<String>)) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            TokenTree::Group(g) => macro_paths(g.stream(), out),
            TokenTree::Ident(id)
                if matches!(id.to_string().as_str(), "crate" | "super" | "self") =>
            {
                let preceded_by_dollar =
                    i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '$');
                let mut segs = vec![id.to_string()];
                let mut j = i + 1;
                while let (
                    Some(TokenTree::Punct(a)),
                    Some(TokenTree::Punct(b)),
                    Some(TokenTree::Ident(next)),
                ) = (tokens.get(j), tokens.get(j + 1), tokens.get(j + 2))
                {
                    if a.as_char() != ':' || b.as_char() != ':' {
                        break;
                    }
                    segs.push(next.to_string());
                    j += 3;
                }
                if segs.len() > 1 && !preceded_by_dollar {
                    out(segs);
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}
