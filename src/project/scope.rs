//! Which files are audited. By default the project's own sources are in scope; library
//! folders (`lib/`, `node_modules/`) are context (read for imports and inheritance, never
//! reported on); tests, scripts and mocks are left out. `--scope`/`--exclude` globs (and a
//! request's `scope`/`exclude`) change that: with include globs only matching files are in
//! scope, and an exclude glob wins over everything.

use globset::{GlobSet, GlobSetBuilder};

use super::error::ProjectError;
use super::layout::Layout;
use super::source::is_source;

/// A file's part in the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Audited: findings are reported on it.
    InScope,
    /// A library: context only.
    Library,
    /// Left out (and why); still context if an audited file imports it.
    OutOfScope(OutReason),
    /// `foundry.toml`, `remappings.txt`, `hardhat.config.*`: read for the layout.
    Config,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutReason {
    Test,
    Script,
    Mock,
    /// Not under the layout's source folders.
    OutsideSources,
    /// Matched an exclude glob, or no include glob.
    Excluded,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::InScope => "in scope",
            Role::Library => "library",
            Role::Config => "layout",
            Role::OutOfScope(OutReason::Test) => "test",
            Role::OutOfScope(OutReason::Script) => "script",
            Role::OutOfScope(OutReason::Mock) => "mock",
            Role::OutOfScope(OutReason::OutsideSources) => "outside the source folders",
            Role::OutOfScope(OutReason::Excluded) => "excluded",
        }
    }
}

/// Include and exclude globs, compiled.
#[derive(Clone, Debug, Default)]
pub struct ScopeRules {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl ScopeRules {
    /// `include` empty: the default scope. Globs are matched against project paths
    /// (`src/**/*.sol`); `*` does not cross `/`.
    pub fn new(include: &[String], exclude: &[String]) -> Result<ScopeRules, ProjectError> {
        Ok(ScopeRules {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }
}

fn set(globs: &[String]) -> Result<Option<GlobSet>, ProjectError> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g.trim().trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .map_err(|e| ProjectError::BadGlob {
                glob: g.clone(),
                reason: e.kind().to_string(),
            })?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| ProjectError::BadGlob {
            glob: globs.join(", "),
            reason: e.to_string(),
        })
}

/// The role of the file at `path` under `layout` and `rules`.
pub fn role(path: &str, layout: &Layout, rules: &ScopeRules) -> Role {
    if !is_source(path) {
        return Role::Config;
    }
    if rules.exclude.as_ref().is_some_and(|s| s.is_match(path)) {
        return Role::OutOfScope(OutReason::Excluded);
    }
    let default = default_role(path, layout);
    match &rules.include {
        None => default,
        Some(set) if set.is_match(path) => Role::InScope,
        Some(_) if default == Role::Library => Role::Library,
        Some(_) => Role::OutOfScope(OutReason::Excluded),
    }
}

fn under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Folders that hold someone else's code at any depth: npm packages, and the vendored
/// copies projects keep inside their sources (Aave's `contracts/dependencies/`, a
/// `vendor/` folder, soldeer's `dependencies/`).
const VENDORED: [&str; 3] = ["node_modules", "dependencies", "vendor"];

fn default_role(path: &str, layout: &Layout) -> Role {
    // Vendored folders at any depth are libraries; other library folders only at the
    // root (`src/lib/Math.sol` is the project's own).
    let folders = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    if layout.libs.iter().any(|l| under(path, l))
        || folders.split('/').any(|s| VENDORED.contains(&s))
    {
        return Role::Library;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".t.sol") {
        return Role::OutOfScope(OutReason::Test);
    }
    if name.ends_with(".s.sol") {
        return Role::OutOfScope(OutReason::Script);
    }
    if layout.tests.iter().any(|t| !t.is_empty() && under(path, t)) {
        return Role::OutOfScope(OutReason::Test);
    }
    if layout
        .scripts
        .iter()
        .any(|t| !t.is_empty() && under(path, t))
    {
        return Role::OutOfScope(OutReason::Script);
    }
    let mock = path.split('/').any(|s| {
        let s = s.to_ascii_lowercase();
        s == "mock" || s == "mocks" || s == "test" || s == "tests"
    }) || name.starts_with("Mock");
    if mock {
        return Role::OutOfScope(OutReason::Mock);
    }
    if layout.sources.iter().any(|s| under(path, s)) {
        Role::InScope
    } else {
        Role::OutOfScope(OutReason::OutsideSources)
    }
}

#[cfg(test)]
mod tests {
    use super::super::layout::{LayoutKind, detect};
    use super::super::source::SourceFile;
    use super::*;

    fn layout(paths: &[&str]) -> Layout {
        let files: Vec<SourceFile> = paths
            .iter()
            .map(|p| SourceFile {
                path: (*p).into(),
                content: String::new(),
            })
            .collect();
        detect(&files)
    }

    #[test]
    fn vendored_folders_at_any_depth_are_libraries() {
        let r = ScopeRules::default();
        let plain = layout(&["package.json", "contracts/protocol/Pool.sol"]);
        for path in [
            "contracts/dependencies/openzeppelin/contracts/ERC20.sol",
            "dependencies/forge-std-1.9.1/src/Test.sol",
            "src/vendor/SafeCast.sol",
            "packages/core/node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol",
        ] {
            assert_eq!(role(path, &plain, &r), Role::Library, "{path}");
        }
        assert_eq!(
            role("contracts/protocol/Pool.sol", &plain, &r),
            Role::InScope
        );
        // Only folders count: a file of that name is the project's own.
        assert_eq!(role("src/vendor.sol", &plain, &r), Role::InScope);
        // Outside a scope glob it stays context; a glob that names it puts it in scope.
        let scoped = ScopeRules::new(&["contracts/protocol/**".into()], &[]).unwrap();
        let weth = "contracts/dependencies/weth/WETH9.sol";
        assert_eq!(role(weth, &plain, &scoped), Role::Library);
        let named = ScopeRules::new(&[weth.into()], &[]).unwrap();
        assert_eq!(role(weth, &plain, &named), Role::InScope);
    }

    #[test]
    fn default_scope_of_a_foundry_project() {
        let l = layout(&["foundry.toml", "src/A.sol"]);
        assert_eq!(l.kind, LayoutKind::Foundry);
        let r = ScopeRules::default();
        assert_eq!(role("src/A.sol", &l, &r), Role::InScope);
        assert_eq!(
            role("src/mocks/M.sol", &l, &r),
            Role::OutOfScope(OutReason::Mock)
        );
        assert_eq!(
            role("src/MockToken.sol", &l, &r),
            Role::OutOfScope(OutReason::Mock)
        );
        assert_eq!(
            role("test/A.t.sol", &l, &r),
            Role::OutOfScope(OutReason::Test)
        );
        assert_eq!(
            role("script/Deploy.s.sol", &l, &r),
            Role::OutOfScope(OutReason::Script)
        );
        assert_eq!(role("lib/oz/Ownable.sol", &l, &r), Role::Library);
        assert_eq!(role("src/lib/Math.sol", &l, &r), Role::InScope);
        assert_eq!(role("lib/a/node_modules/@x/Y.sol", &l, &r), Role::Library);
        assert_eq!(
            role("other/X.sol", &l, &r),
            Role::OutOfScope(OutReason::OutsideSources)
        );
        assert_eq!(role("foundry.toml", &l, &r), Role::Config);
    }

    #[test]
    fn globs_change_the_scope() {
        let l = layout(&["foundry.toml", "src/A.sol"]);
        let only = ScopeRules::new(&["src/core/**".into()], &[]).unwrap();
        assert_eq!(role("src/core/A.sol", &l, &only), Role::InScope);
        assert_eq!(
            role("src/B.sol", &l, &only),
            Role::OutOfScope(OutReason::Excluded)
        );
        assert_eq!(role("lib/x/L.sol", &l, &only), Role::Library);
        let without = ScopeRules::new(&[], &["src/periphery/*.sol".into()]).unwrap();
        assert_eq!(
            role("src/periphery/P.sol", &l, &without),
            Role::OutOfScope(OutReason::Excluded)
        );
        assert_eq!(
            role("src/periphery/deep/P.sol", &l, &without),
            Role::InScope
        );
        let e = ScopeRules::new(&["src/[".into()], &[]).unwrap_err();
        assert_eq!(e.code(), "bad_scope_glob");
    }

    #[test]
    fn plain_folders_and_hardhat() {
        let plain = layout(&["A.sol"]);
        let r = ScopeRules::default();
        assert_eq!(role("A.sol", &plain, &r), Role::InScope);
        assert_eq!(role("node_modules/@oz/X.sol", &plain, &r), Role::Library);
        let hh = layout(&["hardhat.config.js", "contracts/A.sol"]);
        assert_eq!(role("contracts/A.sol", &hh, &r), Role::InScope);
        assert_eq!(role("node_modules/@oz/X.sol", &hh, &r), Role::Library);
        assert_eq!(
            role("test/A.sol", &hh, &r),
            Role::OutOfScope(OutReason::Test)
        );
    }
}
