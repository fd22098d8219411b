//! `assert-violation` (SWC-110): an `assert` that can fail. `assert` is for invariants that
//! never break; a failing one signals a bug (and before 0.8 burns all gas). Reported where
//! failure is evident without solving the program: `assert(false)`, and assertions on what
//! another contract returns, which that contract decides.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

use super::reentrancy::is_contract_call;

pub struct AssertViolation;

impl Detector for AssertViolation {
    fn id(&self) -> &'static str {
        "assert-violation"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-110")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for call in cx.nodes_of(kind::CALL).into_iter().filter_map(Call::of) {
            if call.target.is_some() || call.method != "assert" {
                continue;
            }
            let Some(cond) = call.arguments().first().copied() else {
                continue;
            };
            let always_false = cond.text().trim() == "false";
            let external = cx.symbols().enclosing(&call.node).is_some_and(|f| {
                cond.find_all(kind::CALL)
                    .into_iter()
                    .filter_map(Call::of)
                    .any(|c| is_contract_call(cx, f, &c))
            });
            if !(always_false || external) {
                continue;
            }
            let why = if always_false {
                "always fails".to_owned()
            } else {
                "depends on what another contract returns, which that contract decides".to_owned()
            };
            hits.push(
                Hit::new(&call.node, Severity::Medium, Confidence::Medium, "Assertion can fail")
                    .within(cx.function_name(&call.node))
                    .explain(
                        format!("`{}` {why}. `assert` is meant for conditions that can never be false; when it fails the transaction reverts (consuming all gas before 0.8), and the contract's logic has a bug.", call.node.text()),
                        "Use `require` for conditions on inputs and other contracts' answers, and keep `assert` for true invariants.",
                    ),
            );
        }
        hits
    }
}
