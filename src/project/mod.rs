//! A project: the files of a Foundry, Hardhat or plain Solidity codebase with their
//! project-relative paths, their roles (in scope, library, left out) and their import
//! graph. Pure core, thin IO: `folder` reads a directory, `archive` a `.zip` in memory,
//! `source::from_texts` a request's list; all three go through one gate (`source::Intake`)
//! that checks paths and limits, and `Project::new` does the rest without IO.

pub mod archive;
pub mod error;
pub mod folder;
pub mod imports;
pub mod layout;
pub mod limits;
pub mod path;
pub mod resolve;
pub mod scope;
pub mod source;

pub use error::ProjectError;
pub use layout::{Layout, LayoutKind};
pub use limits::ProjectLimits;
pub use resolve::{ImportGraph, Unresolved};
pub use scope::{OutReason, Role, ScopeRules};
pub use source::{SkipReason, Skipped, SourceFile};

/// A project read and laid out.
#[derive(Clone, Debug)]
pub struct Project {
    /// Sorted by path; paths relative to the project root.
    pub files: Vec<SourceFile>,
    /// `roles[i]` is `files[i]`'s.
    pub roles: Vec<Role>,
    pub layout: Layout,
    pub graph: ImportGraph,
    /// Files seen and not read.
    pub skipped: Vec<Skipped>,
    /// The top folder taken off every path (`myproject` of a zipped `myproject/`), if any.
    pub stripped_root: Option<String>,
}

impl Project {
    /// Lays out `files` (from `folder`, `archive` or `source::from_texts`).
    pub fn new(
        mut files: Vec<SourceFile>,
        mut skipped: Vec<Skipped>,
        rules: &ScopeRules,
    ) -> Project {
        let stripped_root = layout::common_root(&files);
        if let Some(root) = &stripped_root {
            let cut = root.len() + 1;
            for f in &mut files {
                f.path = f.path[cut..].to_owned();
            }
            for s in &mut skipped {
                if s.path.len() > cut && s.path.starts_with(root.as_str()) {
                    s.path = s.path[cut..].to_owned();
                }
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let layout = layout::detect(&files);
        let roles = files
            .iter()
            .map(|f| scope::role(&f.path, &layout, rules))
            .collect();
        let graph = resolve::resolve(&files, &layout);
        Project {
            files,
            roles,
            layout,
            graph,
            skipped,
            stripped_root,
        }
    }

    /// A project from `(path, text)` files (a request's list) scoped by `include` and
    /// `exclude` globs: every check of `source::from_texts`, then laid out.
    pub fn from_texts(
        files: impl IntoIterator<Item = (String, String)>,
        include: &[String],
        exclude: &[String],
        limits: &ProjectLimits,
    ) -> Result<Project, ProjectError> {
        let rules = ScopeRules::new(include, exclude)?;
        let (files, skipped) = source::from_texts(files, limits)?;
        Ok(Project::new(files, skipped, &rules))
    }

    /// Indices of the files in scope, by path.
    pub fn in_scope(&self) -> Vec<usize> {
        (0..self.files.len())
            .filter(|&i| self.roles[i] == Role::InScope)
            .collect()
    }

    /// The in-scope files and everything they import, dependencies first.
    pub fn dependency_order(&self) -> Vec<usize> {
        resolve::dependency_order(&self.graph, &self.in_scope())
    }

    /// `file` and every file it reaches through imports, `file` first.
    pub fn closure(&self, file: usize) -> Vec<usize> {
        let mut order = resolve::dependency_order(&self.graph, &[file]);
        order.retain(|&i| i != file);
        order.insert(0, file);
        order
    }

    /// Imports no file answers, asked for by an in-scope file or a file one of them
    /// imports (a test's missing `forge-std` is no concern of the audit), with the file and
    /// line asking for them. Every unresolved import is in `graph.unresolved`.
    pub fn unresolved(&self) -> Vec<&Unresolved> {
        let used: std::collections::HashSet<&str> = self
            .dependency_order()
            .into_iter()
            .map(|i| self.files[i].path.as_str())
            .collect();
        self.graph
            .unresolved
            .iter()
            .filter(|u| used.contains(u.file.as_str()))
            .collect()
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Option<&SourceFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

#[cfg(test)]
mod tests;
