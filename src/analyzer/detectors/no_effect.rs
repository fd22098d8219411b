//! `no-effect` (SWC-135): a statement that does nothing: a comparison written where an
//! assignment or a `require` was meant, or `a.call.value(x)` missing its final `()`.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::kind;
use crate::report::{Confidence, Severity};

pub struct NoEffect;

impl Detector for NoEffect {
    fn id(&self) -> &'static str {
        "no-effect"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-135")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for stmt in cx.nodes_of(kind::EXPRESSION_STATEMENT) {
            // A `for` header's condition is an expression statement too.
            if stmt.parent().is_some_and(|p| p.is(kind::FOR)) {
                continue;
            }
            let Some(e) = stmt.children().first().map(|c| c.unwrap()) else {
                continue;
            };
            let useless = match e.kind() {
                kind::BINARY => matches!(e.operator(), Some("==" | "!=" | "<" | ">" | "<=" | ">=")),
                kind::MEMBER => true,
                kind::CALL => e.expr_field("function").is_some_and(|f| {
                    f.member()
                        .is_some_and(|(_, p)| matches!(p, "value" | "gas"))
                }),
                _ => false,
            };
            if !useless {
                continue;
            }
            hits.push(
                Hit::new(&stmt, Severity::Medium, Confidence::High, "Statement has no effect")
                    .within(cx.function_name(&stmt))
                    .explain(
                        format!("`{}` computes a value and throws it away; whatever it was meant to do (an assignment, a check, a call) does not happen.", stmt.text().trim_end_matches(';')),
                        "Write the intended assignment, wrap the condition in `require(…)`, or complete the call with `()`.",
                    ),
            );
        }
        hits
    }
}
