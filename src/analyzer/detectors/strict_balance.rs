//! `strict-balance` (SWC-132): a strict equality on an ether balance. Anyone can force ether
//! into a contract (`selfdestruct`, mining rewards), so `balance == x` can be made false
//! forever.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::kind;
use crate::report::{Confidence, Severity};

pub struct StrictBalance;

impl Detector for StrictBalance {
    fn id(&self) -> &'static str {
        "strict-balance"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-132")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for b in cx.nodes_of(kind::BINARY) {
            if !matches!(b.operator(), Some("==" | "!=")) {
                continue;
            }
            let on_balance = ["left", "right"]
                .iter()
                .filter_map(|s| b.expr_field(s))
                .any(|side| side.member().is_some_and(|(_, p)| p == "balance"));
            if !on_balance {
                continue;
            }
            hits.push(
                Hit::new(&b, Severity::Medium, Confidence::Medium, "Strict equality on an ether balance")
                    .within(cx.function_name(&b))
                    .explain(
                        format!("`{}` assumes the balance is exactly known, but ether can be forced into any address without its code running, so the condition can be broken on purpose.", b.text()),
                        "Compare with `>=`/`<=`, or track deposits in a state variable instead of reading the balance.",
                    ),
            );
        }
        hits
    }
}
