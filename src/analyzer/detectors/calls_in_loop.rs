//! `calls-in-loop` (SWC-113): an external call (ether transfer or call to another contract)
//! inside a loop. One failing or reverting recipient blocks everyone after it.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

pub struct CallsInLoop;

impl Detector for CallsInLoop {
    fn id(&self) -> &'static str {
        "calls-in-loop"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-113")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            for call in body.find_all(kind::CALL).into_iter().filter_map(Call::of) {
                let external = (call.is_low_level() && call.method != "staticcall")
                    || super::reentrancy::is_contract_call(cx, f, &call);
                if !external {
                    continue;
                }
                let in_loop = call
                    .node
                    .ancestors()
                    .iter()
                    .take_while(|a| a.id() != body.id())
                    .any(|a| {
                        matches!(a.kind(), kind::FOR | kind::WHILE | kind::DO_WHILE)
                            && a.field("body").is_some_and(|b| call.node.within(&b))
                    });
                if !in_loop {
                    continue;
                }
                hits.push(
                    Hit::new(&call.node, Severity::Medium, Confidence::Medium, format!("External call inside a loop in `{}`", f.display_name()))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("`{}` runs once per iteration. If one recipient reverts (a contract that rejects ether, or runs out of gas), the whole loop fails and nobody after it is served.", super::reentrancy::short(call.node.text())),
                            "Favour pull over push: record what each address is owed and let each withdraw it separately.",
                        ),
                );
            }
        }
        hits
    }
}
