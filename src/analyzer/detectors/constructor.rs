//! Misnamed constructors: before Solidity 0.5 a constructor could be a function named like its
//! contract, so a typo (or a renamed contract) left a public function anyone could call to
//! re-initialize the contract and take ownership.

use super::scan::{
    Braces, find_token, ident_at, skip_ws, starts_with_word, statements, strip_control,
};
use super::structure::{assignment, body_statements, functions, state_variables};
use super::version::allows_below;
use super::{Detector, Finding, Language, SOLIDITY, Severity, SourceFile, finding};

/// `constructor-name` (High). In a contract whose pragma allows a compiler before 0.5 and that
/// has no constructor (neither `constructor(…)` nor a function named exactly like the contract),
/// flags a public, non-view function whose name looks like a misspelled constructor: the
/// contract name in another case or within two edits; a name ending in the contract name
/// (`IamMissing` for `Missing`), or containing it and storing `msg.sender` in a state
/// variable; or any capitalized name that unconditionally stores `msg.sender` (a renamed
/// contract's stale constructor, as in Rubixi). Limits: needs a pragma; a stale constructor with an unrelated,
/// lower-case name that does not set `msg.sender` is missed, and a public function that
/// really is meant to differ only in case (`testStorage` in `TestStorage`) is flagged.
pub struct ConstructorName;

impl Detector for ConstructorName {
    fn id(&self) -> &'static str {
        "constructor-name"
    }

    fn languages(&self) -> &'static [Language] {
        SOLIDITY
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        if !src
            .pragma()
            .is_some_and(|p| allows_below(&p.constraint, (0, 5, 0)))
        {
            return Vec::new();
        }
        let code = src.code();
        let stmts = statements(src);
        let state = state_variables(&stmts);
        let fns = functions(src);
        let braces = Braces::new(code);
        let mut out = Vec::new();
        // Contracts cannot nest, so anything inside the previous one is skipped.
        let mut previous_end = 0;
        for st in &stmts {
            let head = st
                .text
                .strip_prefix("abstract")
                .map_or(st.text, str::trim_start);
            let opens_contract = starts_with_word(head, "contract") && st.text.ends_with('{');
            if !opens_contract || st.start < previous_end {
                continue;
            }
            let name = ident_at(head, skip_ws(head, "contract".len()));
            let open = st.start + st.text.len() - 1;
            let Some(close) = braces.close(open) else {
                continue;
            };
            previous_end = close;
            let first = fns.partition_point(|f| f.body.start <= open);
            let members = &fns[first..fns.partition_point(|f| f.body.start < close).max(first)];
            let has_constructor = !find_token(&code[open..close], "constructor").is_empty();
            if name.is_empty() || has_constructor || members.iter().any(|f| f.name == name) {
                continue;
            }
            for f in members {
                let plain = starts_with_word(f.header, "function")
                    && f.external
                    && ["view", "pure", "constant", "returns"]
                        .iter()
                        .all(|w| find_token(f.header, w).is_empty());
                // `x = msg.sender;` into a state variable, and whether it is unconditional.
                let body = body_statements(&stmts, f);
                let top = body.iter().map(|s| s.depth).min();
                let sets_sender = body.iter().find_map(|s| {
                    let a = assignment(s.text).filter(|a| {
                        a.op == "=" && a.rhs == "msg.sender" && state.contains(&a.root)
                    })?;
                    Some((
                        a,
                        Some(s.depth) == top && strip_control(s.text).len() == s.text.len(),
                    ))
                });
                let capitalized = f.name.starts_with(|c: char| c.is_ascii_uppercase());
                let similar = match likeness(f.name, name) {
                    Likeness::Close => true,
                    Likeness::Contains => {
                        sets_sender.is_some()
                            || f.name
                                .to_ascii_lowercase()
                                .ends_with(&name.to_ascii_lowercase())
                    }
                    Likeness::Unrelated => {
                        capitalized && sets_sender.is_some_and(|(_, always)| always)
                    }
                };
                if !plain || !similar {
                    continue;
                }
                let sets = sets_sender.map(|(a, _)| {
                    format!(
                        " It sets `{}` to `msg.sender`, so any caller can take that role.",
                        a.root
                    )
                });
                out.push(finding(
                    src,
                    self.id(),
                    Severity::High,
                    f.line,
                    format!("Function `{}` looks like a misnamed constructor", f.name),
                    format!(
                        "Contract `{name}` has no constructor. Before Solidity 0.5 a function named exactly like \
                         its contract was its constructor, and `{}` (line {}) looks meant to be one, but its name \
                         differs from `{name}`: it is an ordinary public function that anyone can call at any time, \
                         as often as they like.{}",
                        f.name,
                        f.line,
                        sets.unwrap_or_default()
                    ),
                    format!(
                        "Declare it with the `constructor(…)` keyword (Solidity 0.4.22 or later), or on an older \
                         compiler name it exactly `{name}`, so it runs once at deployment and never again."
                    ),
                ));
            }
        }
        out
    }
}

#[derive(Debug, PartialEq)]
enum Likeness {
    /// Same name in another case, or within two edits.
    Close,
    /// The function name contains the contract name (`IamMissing`, but also `proxyCall`).
    Contains,
    Unrelated,
}

/// How much function name `f` looks like contract name `c`.
fn likeness(f: &str, c: &str) -> Likeness {
    let (f, c) = (f.to_ascii_lowercase(), c.to_ascii_lowercase());
    if f == c || c.len() >= 5 && edit_distance(&f, &c) <= 2 {
        Likeness::Close
    } else if c.len() >= 4 && f.contains(&c) {
        Likeness::Contains
    } else {
        Likeness::Unrelated
    }
}

/// Levenshtein distance over bytes (names are ASCII identifiers).
fn edit_distance(a: &str, b: &str) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.bytes().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::super::testing::sol;
    use super::*;

    #[test]
    fn misnamed_constructors_are_flagged() {
        let head = "pragma solidity ^0.4.15;\ncontract Missing {\n address owner;\n";
        assert_eq!(
            sol(
                &ConstructorName,
                &format!("{head} function IamMissing() public {{ owner = msg.sender; }}\n}}")
            ),
            [(4, Severity::High)]
        );
        assert_eq!(
            sol(
                &ConstructorName,
                &format!("{head} function missing() public {{ }}\n}}")
            ),
            [(4, Severity::High)]
        );
        assert_eq!(
            sol(
                &ConstructorName,
                &format!("{head} function Misssing() {{ }}\n}}")
            ),
            [(4, Severity::High)]
        );
        // Rubixi: the contract was renamed, its old constructor was not.
        let stale = "pragma solidity ^0.4.15;\ncontract Rubixi {\n address creator;\n function DynamicPyramid() { creator = msg.sender; }\n}";
        assert_eq!(sol(&ConstructorName, stale), [(4, Severity::High)]);
        // …but a capitalized function that takes ownership only on a condition is a design choice.
        let stake = stale.replace(
            "{ creator = msg.sender; }",
            "payable { if (msg.value > top) { creator = msg.sender; } }",
        );
        assert!(sol(&ConstructorName, &stake).is_empty());
    }

    #[test]
    fn real_constructors_and_modern_code_are_not_flagged() {
        let head = "pragma solidity ^0.4.24;\ncontract Missing {\n address owner;\n";
        assert!(
            sol(
                &ConstructorName,
                &format!("{head} function missingCount() public {{ }}\n}}")
            )
            .is_empty()
        );
        assert!(sol(&ConstructorName, &format!("{head} function Missing() public {{ owner = msg.sender; }}\n function missingCount() view returns (uint) {{ }}\n}}")).is_empty());
        assert!(
            sol(
                &ConstructorName,
                &format!(
                    "{head} constructor() public {{ }}\n function IamMissing() public {{ }}\n}}"
                )
            )
            .is_empty()
        );
        assert!(
            sol(
                &ConstructorName,
                &format!("{head} function IamMissing() internal {{ }}\n}}")
            )
            .is_empty()
        );
        assert!(
            sol(
                &ConstructorName,
                &format!("{head} // function IamMissing() public {{ }}\n}}")
            )
            .is_empty()
        );
        let modern =
            "pragma solidity ^0.8.0;\ncontract Missing {\n function IamMissing() public { }\n}";
        assert!(sol(&ConstructorName, modern).is_empty());
    }

    #[test]
    fn names_like_the_contract() {
        assert_eq!(edit_distance("missing", "misssing"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(likeness("missing", "Missing"), Likeness::Close);
        assert_eq!(likeness("IamMissing", "Missing"), Likeness::Contains);
        assert_eq!(likeness("withdraw", "Missing"), Likeness::Unrelated);
        // `<contract><action>` names are ordinary functions unless they grab ownership.
        let proxy = "pragma solidity ^0.4.24;\ncontract proxy {\n address owner;\n function proxyCall(address t) external { }\n function proxyInit() public { owner = msg.sender; }\n}";
        assert_eq!(sol(&ConstructorName, proxy), [(5, Severity::High)]);
    }
}
