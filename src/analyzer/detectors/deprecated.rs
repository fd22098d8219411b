//! `deprecated` (SWC-111): constructs removed from Solidity or replaced: `suicide`, `sha3`,
//! `throw`, `callcode`, `var`, `block.blockhash`, `msg.gas`, `constant` functions.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

pub struct Deprecated;

impl Detector for Deprecated {
    fn id(&self) -> &'static str {
        "deprecated"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-111")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for &n in &cx.nodes {
            let Some((old, new)) = deprecated(&n) else {
                continue;
            };
            hits.push(
                Hit::new(
                    &n,
                    Severity::Info,
                    Confidence::High,
                    format!("Deprecated `{old}`"),
                )
                .within(cx.function_name(&n))
                .explain(
                    format!("`{old}` is deprecated and rejected by current compilers."),
                    format!("Use {new}."),
                ),
            );
        }
        Hit::fold(hits, "Deprecated constructs")
            .into_iter()
            .collect()
    }
}

fn deprecated(n: &Node<'_>) -> Option<(&'static str, &'static str)> {
    if let Some(call) = Call::of(*n) {
        return match (call.method, call.target.map(|t| t.text())) {
            ("suicide", None) => Some(("suicide", "`selfdestruct`")),
            ("sha3", None) => Some(("sha3", "`keccak256`")),
            ("callcode", Some(_)) => Some(("callcode", "`delegatecall`")),
            ("blockhash", Some("block")) => Some(("block.blockhash", "`blockhash`")),
            _ => None,
        };
    }
    match n.kind() {
        kind::IDENTIFIER if n.text() == "throw" => {
            Some(("throw", "`revert()`, `require()` or `assert()`"))
        }
        kind::MEMBER if n.is_member("msg", "gas") => Some(("msg.gas", "`gasleft()`")),
        kind::PRIMITIVE_TYPE if n.text() == "var" => Some(("var", "an explicit type")),
        kind::MODIFIER_INVOCATION if n.text() == "constant" => Some(("constant", "`view`")),
        _ => None,
    }
}
