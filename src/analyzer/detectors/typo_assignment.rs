//! `typo-assignment` (SWC-129): `x =+ 1` (or `=-`) where `x += 1` was meant. It compiles
//! before 0.5 and silently assigns instead of adding.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Node, kind};
use crate::report::{Confidence, Severity};

pub struct TypoAssignment;

impl Detector for TypoAssignment {
    fn id(&self) -> &'static str {
        "typo-assignment"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-129")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        // Before 0.5 `x =+ 1` compiles as `x = +1`; the grammar reads it as `x + 1` with a
        // stray `=`. Both shapes are the same typo.
        for b in cx.nodes_of(kind::BINARY) {
            let Some(op @ ("+" | "-")) = b.operator() else {
                continue;
            };
            let stray = b
                .children()
                .iter()
                .any(|c| c.is(kind::ERROR) && c.text().trim() == "=");
            if stray {
                hits.push(typo(cx, &b, op));
            }
        }
        for a in cx.nodes_of(kind::ASSIGNMENT) {
            let Some(right) = a.expr_field("right") else {
                continue;
            };
            let Some(op @ ("+" | "-")) = right.is(kind::UNARY).then(|| right.operator()).flatten()
            else {
                continue;
            };
            let compact: String = a.text().chars().filter(|c| !c.is_whitespace()).collect();
            if !compact.contains(&format!("={op}")) || a.text().contains(&format!("= {op}")) {
                continue;
            }
            hits.push(typo(cx, &a, op));
        }
        hits
    }
}

fn typo(cx: &Context<'_>, n: &Node<'_>, op: &str) -> Hit {
    Hit::new(
        n,
        Severity::Medium,
        Confidence::Medium,
        format!("`={op}` where `{op}=` was probably meant"),
    )
    .within(cx.function_name(n))
    .explain(
        format!(
            "`{}` assigns the value instead of updating the variable: `={op}` reads as `= {op}…`.",
            n.text()
        ),
        format!("Write `{op}=` if the value should be added or subtracted."),
    )
}
