//! `unbounded-loop` (SWC-128): a loop over a state array that callers can grow. Once it is
//! long enough, the loop needs more gas than a block holds and the function can never finish.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, kind};
use crate::report::{Confidence, Severity};

pub struct UnboundedLoop;

impl Detector for UnboundedLoop {
    fn id(&self) -> &'static str {
        "unbounded-loop"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-128")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            for lp in body
                .descendants()
                .into_iter()
                .filter(|n| matches!(n.kind(), kind::FOR | kind::WHILE))
            {
                let Some(cond) = lp.field("condition") else {
                    continue;
                };
                let Some(array) = cond.descendants().into_iter().find_map(|n| {
                    let (obj, prop) = n.member()?;
                    let name = obj.root_identifier()?;
                    (prop == "length" && cx.is_state(&n, name)).then_some(name)
                }) else {
                    continue;
                };
                if !grown_by_anyone(cx, f.contract, array) {
                    continue;
                }
                hits.push(
                    Hit::new(&lp, Severity::Medium, Confidence::Medium, format!("Loop over the growing array `{array}`"))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("The loop runs once per element of `{array}`, and any caller can add elements. Past some length the loop needs more gas than a block allows, and `{}` can no longer be executed.", f.display_name()),
                            "Bound the number of iterations per call (process in batches from a stored index), or let each party withdraw on their own.",
                        ),
                );
            }
        }
        // Clearing a storage array costs gas per element too.
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            for a in body.find_all(kind::ASSIGNMENT) {
                let Some(right) = a.expr_field("right") else {
                    continue;
                };
                let Some(array) = a.field("left").and_then(|l| l.root_identifier()) else {
                    continue;
                };
                let cleared = right.text().starts_with("new ") && cx.is_state(&a, array);
                if !cleared || !grown_by_anyone(cx, f.contract, array) {
                    continue;
                }
                hits.push(
                    Hit::new(&a, Severity::Medium, Confidence::Medium, format!("Clearing the growing array `{array}`"))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("Replacing `{array}` deletes every element, which costs gas per element. Any caller can grow `{array}`, so past some length this statement needs more gas than a block holds and `{}` always fails.", f.display_name()),
                            "Cap the array's length, or keep a start index/counter instead of deleting the array.",
                        ),
                );
            }
        }
        hits
    }
}

/// Whether some entry point without a caller check pushes to `array` (or grows its length).
fn grown_by_anyone(cx: &Context<'_>, contract: usize, array: &str) -> bool {
    let s = cx.symbols();
    s.lineage(contract)
        .into_iter()
        .flat_map(|c| s.contracts[c].functions.iter())
        .filter(|g| g.is_entry_point() && !cx.checks_caller(g))
        .filter_map(|g| g.body)
        .any(|b| {
            b.descendants().iter().any(|n| {
                Call::of(*n).is_some_and(|c| {
                    c.method == "push" && c.target.and_then(|t| t.root_identifier()) == Some(array)
                }) || (n.is(kind::ASSIGNMENT)
                    || n.is(kind::AUGMENTED_ASSIGNMENT)
                    || n.is(kind::UPDATE))
                    && n.text().contains(&format!("{array}.length"))
                    && !n.text().contains("--")
            })
        })
}
