//! `timestamp` (SWC-116): decisions taken on `block.timestamp`/`now` (or `block.number` as a
//! clock). Validators can shift the timestamp by several seconds, and block times vary.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Node, kind};
use crate::report::{Confidence, Severity};

use super::weak_randomness::chain_value;

pub struct Timestamp;

impl Detector for Timestamp {
    fn id(&self) -> &'static str {
        "timestamp"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-116")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for &n in &cx.nodes {
            let Some(source @ ("now" | "block.timestamp" | "block.number")) = chain_value(&n)
            else {
                continue;
            };
            if !decides(cx, &n, source) {
                continue;
            }
            hits.push(
                Hit::new(&n, Severity::Low, Confidence::Medium, format!("Logic depends on `{source}`"))
                    .within(cx.function_name(&n))
                    .explain(
                        format!("`{source}` decides control flow or a stored deadline here. Validators can move the block timestamp by several seconds, and block numbers are only a rough clock, so a deadline or time window can be hit or missed on purpose."),
                        "Allow for a tolerance of at least a few minutes, and never use block values to decide outcomes worth more than that drift.",
                    ),
            );
        }
        hits
    }
}

/// A comparison with the value, or (for `block.number`) arithmetic stored to state.
fn decides<'a>(cx: &Context<'a>, n: &Node<'a>, source: &str) -> bool {
    for a in n.ancestors() {
        match a.kind() {
            kind::BINARY => match a.operator() {
                Some("<" | ">" | "<=" | ">=" | "==" | "!=") => return source != "block.number",
                Some("%") => return false,
                Some("+" | "-" | "*" | "/") => continue,
                _ => continue,
            },
            kind::CALL => {
                if let Some(call) = crate::analyzer::syntax::Call::of(a)
                    && matches!(call.method, "keccak256" | "sha3" | "sha256")
                {
                    return false;
                }
            }
            kind::ASSIGNMENT => {
                return source == "block.number"
                    && cx.written_state(&a).is_some()
                    && a.text().contains('+');
            }
            kind::STATEMENT | kind::FUNCTION | kind::STATE_VARIABLE => return false,
            _ => {}
        }
    }
    false
}
