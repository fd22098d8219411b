//! `array-length-write` (SWC-124): writing a dynamic array's `length` (possible before 0.6).
//! Shrinking an empty array wraps the length to 2^256-1, after which an index chosen by the
//! caller reaches any storage slot; the index write that uses it is reported too.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Node, kind};
use crate::report::{Confidence, Severity};

pub struct ArrayLengthWrite;

impl Detector for ArrayLengthWrite {
    fn id(&self) -> &'static str {
        "array-length-write"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-124")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        let mut shrunk: Vec<&str> = Vec::new();
        for &n in &cx.nodes {
            let Some(target) = written(&n) else { continue };
            let Some((obj, "length")) = target.member() else {
                continue;
            };
            let Some(array) = obj.root_identifier() else {
                continue;
            };
            shrunk.push(array);
            hits.push(
                Hit::new(&n, Severity::High, Confidence::High, format!("Write to `{array}.length`"))
                    .within(cx.function_name(&n))
                    .explain(
                        format!("Setting `{array}.length` directly can wrap it (decrementing an empty array gives 2^256-1). The array then covers all of storage, and a write at a caller-chosen index overwrites any state variable."),
                        "Use `push()`/`pop()` (Solidity 0.6+), and check the length before shrinking.",
                    ),
            );
        }
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            for a in body.find_all(kind::ASSIGNMENT) {
                let Some(left) = a.expr_field("left") else {
                    continue;
                };
                if !left.is(kind::INDEX) {
                    continue;
                }
                let (Some(base), Some(index)) = (left.expr_field("base"), left.expr_field("index"))
                else {
                    continue;
                };
                let Some(array) = base.root_identifier() else {
                    continue;
                };
                let dynamic = cx
                    .symbols()
                    .state_var(f.contract, array)
                    .is_some_and(|v| v.type_text.ends_with("[]"));
                let param =
                    index.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == index.text());
                // A bounds check does not help once the length itself has wrapped.
                if dynamic && param && shrunk.contains(&array) {
                    // The write is where the damage lands; it replaces the length finding.
                    hits.retain(|h: &Hit| {
                        !h.title.starts_with(&format!("Write to `{array}.length`"))
                    });
                    hits.push(
                        Hit::new(&a, Severity::High, Confidence::Medium, format!("Write to `{array}` at a caller-chosen index"))
                            .within(Some(f.display_name()))
                            .explain(
                                format!("The caller chooses the index into `{array}`, whose length can be made to wrap. The write can then land on any storage slot, including the owner."),
                                format!("Check `{} < {array}.length` and never let the length wrap.", index.text()),
                            ),
                    );
                }
            }
        }
        hits
    }
}

/// The target of an assignment, compound assignment or `++`/`--`.
fn written<'t>(n: &Node<'t>) -> Option<Node<'t>> {
    match n.kind() {
        kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => n.expr_field("left"),
        kind::UPDATE => n.expr_field("argument"),
        _ => None,
    }
}
