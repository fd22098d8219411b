//! `typo-assignment` (SWC-129): `x =+ 1` (or `=-`) where `x += 1` was meant. It compiles
//! before 0.5 and silently assigns instead of adding.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::kind;
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
        let Some(root) = cx.root() else {
            return Vec::new();
        };
        let mut hits = Vec::new();
        for a in root.find_all(kind::ASSIGNMENT) {
            let Some(right) = a.expr_field("right") else {
                continue;
            };
            let Some(op @ ("+" | "-")) = right.is(kind::UNARY).then(|| right.operator()).flatten()
            else {
                continue;
            };
            let compact: String = a.text().chars().filter(|c| !c.is_whitespace()).collect();
            if !compact.contains(&format!("={op}")) || a.text().contains(&format!("= {op} ")) {
                continue;
            }
            hits.push(
                Hit::new(
                    &a,
                    Severity::Medium,
                    Confidence::Medium,
                    format!("`={op}` where `{op}=` was probably meant"),
                )
                .within(cx.function_name(&a))
                .explain(
                    format!(
                        "`{}` assigns `{op}{}` instead of updating the variable.",
                        a.text(),
                        right.text().trim_start_matches(op).trim()
                    ),
                    format!("Write `{op}=` if the value should be added or subtracted."),
                ),
            );
        }
        hits
    }
}
