//! `unchecked-call` (SWC-104): the boolean result of a low-level `call`, `send`,
//! `delegatecall` or `callcode` never decides anything, so a failed call goes unnoticed and
//! the function carries on as if the ether or the message had arrived. Whatever the statement
//! form: a bare call, a result stored in a local nobody reads, one side of a discarded `&&`.
//! A result that reaches a condition, a `return` or another call (directly or through
//! locals) counts as checked. `x.call.value(v)` with no argument list is reported too: that
//! call is never made at all.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

use super::flow::is_checked;

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
            if let Some(hit) = never_made(cx, &call) {
                hits.push(hit);
                continue;
            }
            if call.target.is_none()
                || !matches!(call.method, "call" | "send" | "delegatecall" | "callcode")
            {
                continue;
            }
            let checked = match cx.symbols().enclosing(&call.node) {
                Some(f) => is_checked(f, &call.node),
                None => !call.result_discarded(),
            };
            if checked {
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
                        format!("The low-level `{method}` returns `false` instead of reverting when it fails, and nothing here looks at that result (it is discarded, or stored in a local no condition reads), so execution continues as if it had succeeded.{}", if severity == Severity::Medium { " Ether or control is lost silently." } else { "" }),
                        format!("Check the result: `(bool ok, ) = …; require(ok);` (or `require(x.{method}(…))` on old compilers), or use `transfer` / a high-level call that reverts."),
                    ),
            );
        }
        hits
    }
}

/// `a.call.value(v);` as a statement: the options are set but the call never happens.
fn never_made(cx: &Context<'_>, call: &Call<'_>) -> Option<Hit> {
    if !matches!(call.method, "value" | "gas") || !call.result_discarded() {
        return None;
    }
    let (_, inner) = call.target?.member()?;
    if !matches!(inner, "call" | "delegatecall" | "callcode") {
        return None;
    }
    Some(
        Hit::new(&call.node, Severity::Medium, Confidence::High, format!("Low-level `{inner}` is never made"))
            .within(cx.function_name(&call.node))
            .explain(
                format!("`{}` only sets the call's options: without an argument list (`(\"\")`) no call happens and no ether moves, and nothing reports it.", call.node.text()),
                format!("Make the call and check its result: `(bool ok, ) = x.{inner}.value(v)(\"\"); require(ok);`."),
            ),
    )
}
