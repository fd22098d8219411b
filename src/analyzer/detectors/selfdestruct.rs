//! `selfdestruct` (SWC-106): `selfdestruct`/`suicide` reachable by anyone, directly or
//! through internal functions, with no check of who is calling. Anyone can then destroy the
//! contract and take its ether.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

use super::reach::open_entry;

pub struct Selfdestruct;

impl Detector for Selfdestruct {
    fn id(&self) -> &'static str {
        "selfdestruct"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-106")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for call in cx.nodes_of(kind::CALL).into_iter().filter_map(Call::of) {
            if call.target.is_some() || !matches!(call.method, "selfdestruct" | "suicide") {
                continue;
            }
            let Some(f) = cx.symbols().enclosing(&call.node) else {
                continue;
            };
            let Some(entry) = open_entry(cx, f) else {
                continue;
            };
            let fname = f.display_name();
            hits.push(
                Hit::new(&call.node, Severity::High, Confidence::Medium, format!("Anyone can destroy the contract through `{entry}`"))
                    .within(Some(fname))
                    .explain(
                        format!("`{}` is reachable from `{entry}`, which anyone can call, and nothing checks the caller first. A caller destroys the contract and receives its ether.", call.method),
                        "Restrict the function to an owner (a checked `msg.sender` or an `onlyOwner` modifier), or remove the self-destruct.",
                    ),
            );
        }
        hits
    }
}
