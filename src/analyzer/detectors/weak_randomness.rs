//! `weak-randomness` (SWC-120): randomness taken from chain values (`blockhash`,
//! `block.difficulty`/`prevrandao`, or `block.timestamp`/`now`/`block.number` hashed, taken
//! modulo, or stored as a seed). Miners and other contracts can predict or steer them.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

pub struct WeakRandomness;

impl Detector for WeakRandomness {
    fn id(&self) -> &'static str {
        "weak-randomness"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-120")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for &n in &cx.nodes {
            let Some(source) = chain_value(&n) else {
                continue;
            };
            let always = matches!(
                source,
                "blockhash" | "block.difficulty" | "block.prevrandao"
            );
            if !(always || randomness_use(&n)) {
                continue;
            }
            hits.push(
                Hit::new(&n, Severity::High, Confidence::Medium, format!("Weak randomness from `{source}`"))
                    .within(cx.function_name(&n))
                    .explain(
                        format!("`{source}` is known to miners and validators, and to any contract calling in the same block, so a number derived from it can be predicted or chosen by whoever profits from the outcome."),
                        "Use a verifiable randomness source (a VRF oracle) or a commit-reveal scheme.",
                    ),
            );
        }
        hits
    }
}

/// The chain value `n` reads, if it is one.
pub(super) fn chain_value(n: &Node<'_>) -> Option<&'static str> {
    if n.is(kind::IDENTIFIER) && n.text() == "now" && !n.outer().is_some_and(|p| p.is(kind::MEMBER))
    {
        return Some("now");
    }
    if let Some(call) = Call::of(*n)
        && call.method == "blockhash"
        && (call.target.is_none() || call.target.is_some_and(|t| t.text() == "block"))
    {
        return Some("blockhash");
    }
    for (prop, name) in [
        ("timestamp", "block.timestamp"),
        ("number", "block.number"),
        ("difficulty", "block.difficulty"),
        ("prevrandao", "block.prevrandao"),
        ("coinbase", "block.coinbase"),
    ] {
        if n.is_member("block", prop) && !n.outer().is_some_and(|p| p.is(kind::CALL)) {
            return Some(name);
        }
    }
    None
}

/// Whether a chain value is used as randomness: hashed, taken modulo, or stored in a
/// variable that names itself a seed or random number.
fn randomness_use(n: &Node<'_>) -> bool {
    for a in n.ancestors() {
        match a.kind() {
            kind::CALL => {
                if let Some(call) = Call::of(a)
                    && matches!(call.method, "keccak256" | "sha3" | "sha256" | "ripemd160")
                {
                    return true;
                }
            }
            kind::BINARY if a.operator() == Some("%") => return true,
            kind::VARIABLE_DECLARATION_STATEMENT | kind::STATE_VARIABLE | kind::ASSIGNMENT => {
                let name = match a.kind() {
                    kind::ASSIGNMENT => a.field("left").and_then(|l| l.root_identifier()),
                    kind::STATE_VARIABLE => a.name(),
                    _ => a
                        .children_of(kind::VARIABLE_DECLARATION)
                        .first()
                        .and_then(|d| d.name()),
                };
                return name.is_some_and(random_name);
            }
            kind::STATEMENT | kind::FUNCTION => return false,
            _ => {}
        }
    }
    false
}

fn random_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "rand", "seed", "salt", "entropy", "lucky", "lottery", "winner", "dice",
    ]
    .iter()
    .any(|w| n.contains(w))
}
