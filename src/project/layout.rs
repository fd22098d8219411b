//! How a project is laid out, read from its files: Foundry (`foundry.toml`'s `src`, `test`,
//! `script`, `libs`, `remappings`, plus `remappings.txt` and one remapping per `lib/<name>`
//! as forge derives them), Hardhat (`hardhat.config.*`: `contracts/`, `node_modules/`), or a
//! plain folder. Pure: the files in, the layout out.

use super::source::SourceFile;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutKind {
    Foundry,
    Hardhat,
    Plain,
}

impl LayoutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayoutKind::Foundry => "foundry",
            LayoutKind::Hardhat => "hardhat",
            LayoutKind::Plain => "plain",
        }
    }
}

/// `prefix=target`, optionally only for importers under `context` (`context:prefix=target`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remapping {
    pub context: Option<String>,
    pub prefix: String,
    pub target: String,
}

impl Remapping {
    /// `[context:]prefix=target`, as foundry.toml and remappings.txt write it.
    pub fn parse(line: &str) -> Option<Remapping> {
        let line = line.trim();
        let (head, target) = line.split_once('=')?;
        let (context, prefix) = match head.split_once(':') {
            Some((c, p)) => (Some(c.trim().trim_end_matches('/').to_owned()), p),
            None => (None, head),
        };
        let prefix = prefix.trim();
        let target = target.trim().trim_start_matches("./");
        (!prefix.is_empty()).then(|| Remapping {
            context: context.filter(|c| !c.is_empty()),
            prefix: prefix.to_owned(),
            target: target.to_owned(),
        })
    }
}

/// Where a project keeps its own sources, its tests and its libraries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub kind: LayoutKind,
    /// Folders of the project's own sources (`src`); empty string: the whole folder.
    pub sources: Vec<String>,
    /// Test folders: out of scope.
    pub tests: Vec<String>,
    /// Script folders: out of scope.
    pub scripts: Vec<String>,
    /// Library folders (`lib`, `node_modules`): context, never reported on.
    pub libs: Vec<String>,
    pub remappings: Vec<Remapping>,
}

/// The layout of `files` (paths already relative to the project root).
pub fn detect(files: &[SourceFile]) -> Layout {
    let find = |name: &str| files.iter().find(|f| f.path == name);
    let has_config = |prefix: &str| {
        files
            .iter()
            .any(|f| f.path.starts_with(prefix) && !f.path.contains('/'))
    };
    if let Some(toml) = find("foundry.toml") {
        let mut layout = foundry(&toml.content);
        if let Some(txt) = find("remappings.txt") {
            layout
                .remappings
                .extend(txt.content.lines().filter_map(Remapping::parse));
        }
        layout.remappings.extend(lib_remappings(files, &layout));
        return layout;
    }
    let under = |dir: &str| files.iter().any(|f| f.path.starts_with(dir));
    if has_config("hardhat.config.") || (under("contracts/") && under("node_modules/")) {
        return Layout {
            kind: LayoutKind::Hardhat,
            sources: vec!["contracts".into()],
            tests: vec!["test".into()],
            scripts: vec!["scripts".into()],
            libs: vec!["node_modules".into()],
            remappings: read_remappings(find("remappings.txt")),
        };
    }
    let mut layout = Layout {
        kind: LayoutKind::Plain,
        sources: vec![String::new()],
        tests: vec!["test".into(), "tests".into()],
        scripts: vec!["script".into(), "scripts".into()],
        libs: vec!["lib".into(), "node_modules".into()],
        remappings: read_remappings(find("remappings.txt")),
    };
    layout.remappings.extend(lib_remappings(files, &layout));
    layout
}

fn read_remappings(file: Option<&SourceFile>) -> Vec<Remapping> {
    file.map(|f| f.content.lines().filter_map(Remapping::parse).collect())
        .unwrap_or_default()
}

/// `foundry.toml`'s `[profile.default]` (or top-level) settings, forge's defaults for the
/// rest. A file that is not valid TOML gets the defaults.
fn foundry(text: &str) -> Layout {
    let value: toml::Table = text.parse().unwrap_or_default();
    let profile = value
        .get("profile")
        .and_then(|p| p.get("default"))
        .and_then(|d| d.as_table())
        .cloned()
        .unwrap_or_else(|| value.clone());
    let one = |key: &str, default: &str| {
        profile
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or(default)
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_owned()
    };
    let many = |key: &str| -> Option<Vec<String>> {
        profile.get(key).and_then(|v| v.as_array()).map(|a| {
            a.iter()
                .filter_map(|v| v.as_str())
                .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_owned())
                .collect()
        })
    };
    Layout {
        kind: LayoutKind::Foundry,
        sources: vec![one("src", "src")],
        tests: vec![one("test", "test")],
        scripts: vec![one("script", "script")],
        libs: many("libs").unwrap_or_else(|| vec!["lib".into()]),
        remappings: profile
            .get("remappings")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str())
                    .filter_map(Remapping::parse)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// forge's automatic remappings: `name/=lib/name/src/` for each `lib/name` with a `src`
/// folder, else `name/=lib/name/`; never one a written remapping already names.
fn lib_remappings(files: &[SourceFile], layout: &Layout) -> Vec<Remapping> {
    let mut out: Vec<Remapping> = Vec::new();
    for lib in &layout.libs {
        let prefix = format!("{lib}/");
        let mut names: Vec<&str> = files
            .iter()
            .filter_map(|f| f.path.strip_prefix(&prefix))
            .filter_map(|rest| rest.split_once('/').map(|(name, _)| name))
            .collect();
        names.dedup();
        for name in names {
            let from = format!("{name}/");
            if layout.remappings.iter().any(|r| r.prefix == from)
                || out.iter().any(|r| r.prefix == from)
            {
                continue;
            }
            let src = format!("{lib}/{name}/src/");
            let target = if files.iter().any(|f| f.path.starts_with(&src)) {
                src
            } else {
                format!("{lib}/{name}/")
            };
            out.push(Remapping {
                context: None,
                prefix: from,
                target,
            });
        }
    }
    out
}

/// The folder all files sit in when they share one top folder holding a layout file
/// (`myproject/foundry.toml`): a zipped or dropped folder keeps its own name in every path.
pub fn common_root(files: &[SourceFile]) -> Option<String> {
    let first = files.first()?.path.split_once('/')?.0;
    let all_under = files
        .iter()
        .all(|f| f.path.split_once('/').is_some_and(|(top, _)| top == first));
    let marker = files.iter().any(|f| {
        f.path
            .strip_prefix(first)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| {
                r == "foundry.toml" || r == "remappings.txt" || r.starts_with("hardhat.config.")
            })
    });
    (all_under && marker).then(|| first.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, content: &str) -> SourceFile {
        SourceFile {
            path: path.into(),
            content: content.into(),
        }
    }

    #[test]
    fn foundry_settings_and_remappings() {
        let files = [
            file(
                "foundry.toml",
                "[profile.default]\nsrc = \"contracts\"\nlibs = [\"lib\", \"deps\"]\nremappings = [\"@oz/=lib/openzeppelin-contracts/contracts/\"]\n",
            ),
            file(
                "remappings.txt",
                "forge-std/=lib/forge-std/src/\nctx:@x/=deps/x/\n",
            ),
            file("lib/solmate/src/tokens/ERC20.sol", ""),
            file("lib/forge-std/src/Test.sol", ""),
            file("contracts/A.sol", ""),
        ];
        let l = detect(&files);
        assert_eq!(l.kind, LayoutKind::Foundry);
        assert_eq!(l.sources, ["contracts"]);
        assert_eq!(l.libs, ["lib", "deps"]);
        let r: Vec<(Option<&str>, &str, &str)> = l
            .remappings
            .iter()
            .map(|r| (r.context.as_deref(), r.prefix.as_str(), r.target.as_str()))
            .collect();
        assert_eq!(
            r,
            [
                (None, "@oz/", "lib/openzeppelin-contracts/contracts/"),
                (None, "forge-std/", "lib/forge-std/src/"),
                (Some("ctx"), "@x/", "deps/x/"),
                (None, "solmate/", "lib/solmate/src/"),
            ]
        );
    }

    #[test]
    fn hardhat_and_plain() {
        let hh = [file("hardhat.config.ts", ""), file("contracts/A.sol", "")];
        assert_eq!(detect(&hh).kind, LayoutKind::Hardhat);
        assert_eq!(detect(&hh).sources, ["contracts"]);
        let plain = [file("A.sol", ""), file("B.sol", "")];
        assert_eq!(detect(&plain).kind, LayoutKind::Plain);
    }

    #[test]
    fn a_zipped_folder_keeps_its_name_until_stripped() {
        let files = [file("proj/foundry.toml", ""), file("proj/src/A.sol", "")];
        assert_eq!(common_root(&files).as_deref(), Some("proj"));
        let bare = [file("src/A.sol", ""), file("src/B.sol", "")];
        assert_eq!(common_root(&bare), None);
    }
}
