//! `delegatecall` (SWC-112): `delegatecall` (or `callcode`) to an address the caller supplies,
//! from a function anyone can reach. The callee's code then runs with this contract's storage
//! and balance.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, caller_controlled};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

use super::reach::{open_entry, writable_by_anyone};

pub struct Delegatecall;

impl Detector for Delegatecall {
    fn id(&self) -> &'static str {
        "delegatecall"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-112")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for call in cx.nodes_of(kind::CALL).into_iter().filter_map(Call::of) {
            if !matches!(call.method, "delegatecall" | "callcode") {
                continue;
            }
            let (Some(target), Some(f)) = (call.target, cx.symbols().enclosing(&call.node)) else {
                continue;
            };
            let open_state = target
                .root_identifier()
                .is_some_and(|v| cx.is_state(&target, v) && writable_by_anyone(cx, f.contract, v));
            if !(caller_controlled(f, &target) || open_state) {
                continue;
            }
            let Some(entry) = open_entry(cx, f) else {
                continue;
            };
            hits.push(
                Hit::new(&call.node, Severity::Critical, Confidence::High, "Delegatecall to a caller-chosen contract")
                    .within(Some(f.display_name()))
                    .explain(
                        format!("`{entry}` lets any caller choose the target of `{}` (`{}`). The target's code runs in this contract's context and can overwrite its storage (including the owner) or destroy it.", call.method, target.text()),
                        "Delegate only to a fixed, trusted implementation address that only an owner can change, or to an allow-list.",
                    ),
            );
        }
        hits
    }
}
