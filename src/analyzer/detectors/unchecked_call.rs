//! `unchecked-call` (SWC-104): the boolean result of a low-level `call`, `send`,
//! `delegatecall` or `callcode` is thrown away, so a failed call goes unnoticed and the
//! function carries on as if the ether or the message had arrived.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

pub struct UncheckedCall;

impl Detector for UncheckedCall {
    fn id(&self) -> &'static str {
        "unchecked-call"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-104")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for call in cx.nodes_of(kind::CALL).into_iter().filter_map(Call::of) {
            if call.target.is_none()
                || !matches!(call.method, "call" | "send" | "delegatecall" | "callcode")
                || !call.result_discarded()
            {
                continue;
            }
            let severity = if call.sends_ether() || call.method == "delegatecall" {
                Severity::Medium
            } else {
                Severity::Low
            };
            let method = call.method;
            hits.push(
                Hit::new(&call.node, severity, Confidence::High, format!("Unchecked return value of `{method}`"))
                    .within(cx.function_name(&call.node))
                    .explain(
                        format!("The low-level `{method}` returns `false` instead of reverting when it fails, and its result is discarded here, so execution continues as if it had succeeded."),
                        format!("Check the result: `(bool ok, ) = …; require(ok);` (or `require(x.{method}(…))` on old compilers), or use `transfer` / a high-level call that reverts."),
                    ),
            );
        }
        hits
    }
}
