//! `constructor-name` (SWC-118): before Solidity 0.5 a constructor was the function named
//! exactly like the contract. A typo or a case difference makes it an ordinary public
//! function that anyone can call later, typically to make themselves owner.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::{ContractKind, FunctionKind};
use crate::analyzer::syntax::kind;
use crate::report::{Confidence, Severity};

pub struct ConstructorName;

impl Detector for ConstructorName {
    fn id(&self) -> &'static str {
        "constructor-name"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-118")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        if !cx.may_compile_before((0, 5, 0)) {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for c in cx.symbols().local_contracts() {
            if c.kind != ContractKind::Contract
                || c.functions
                    .iter()
                    .any(|f| f.kind == FunctionKind::Constructor)
            {
                continue;
            }
            for f in &c.functions {
                if f.kind != FunctionKind::Function || !f.is_entry_point() || f.is_read_only() {
                    continue;
                }
                let Some(reason) = looks_like_constructor(
                    c.name,
                    f.name,
                    f.node
                        .find_all(kind::ASSIGNMENT)
                        .iter()
                        .any(|a| a.text().contains("msg.sender")),
                ) else {
                    continue;
                };
                let name_node = f.node.field("name").unwrap_or(f.node);
                hits.push(
                    Hit::new(&name_node, Severity::High, Confidence::Medium, format!("`{}` was meant to be the constructor of `{}`", f.name, c.name))
                        .within(Some(f.name.to_owned()))
                        .explain(
                            format!("{reason} Before Solidity 0.5 only a function named exactly `{}` is a constructor, so `{}` is an ordinary public function: anyone can call it at any time and redo the initialisation, for example to become the owner.", c.name, f.name),
                            "Use the `constructor` keyword (Solidity 0.4.22 and later) or rename the function to match the contract exactly.",
                        ),
                );
            }
        }
        hits
    }
}

/// Why `function` looks like a misnamed constructor of `contract`, if it does.
fn looks_like_constructor(contract: &str, function: &str, sets_sender: bool) -> Option<String> {
    if function.eq_ignore_ascii_case(contract) {
        return Some(format!(
            "`{function}` differs from the contract name `{contract}` only in case."
        ));
    }
    let distance = edit_distance(
        &function.to_ascii_lowercase(),
        &contract.to_ascii_lowercase(),
    );
    if contract.len() >= 4 && distance <= 2 {
        return Some(format!(
            "`{function}` is a near-miss of the contract name `{contract}`."
        ));
    }
    if function.eq_ignore_ascii_case("constructor")
        || (sets_sender && function.eq_ignore_ascii_case("_constructor"))
    {
        return Some(format!(
            "`{function}` is named like a constructor, but the contract `{contract}` has none."
        ));
    }
    None
}

/// Levenshtein distance; names are short, so the quadratic table is fine.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_and_case_but_not_unrelated_names() {
        assert!(looks_like_constructor("Rubixi", "DynamicPyramid", true).is_none());
        assert!(looks_like_constructor("Missing", "missing", false).is_some());
        assert!(looks_like_constructor("Owned", "Ownd", false).is_some());
        assert!(looks_like_constructor("Token", "transfer", false).is_none());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
