//! `uninitialized-storage` (SWC-109): before Solidity 0.5 a local struct, array or mapping
//! declared without `memory` is a storage pointer, and without an initial value it points at
//! slot 0: writing through it overwrites the contract's first state variables.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::kind;
use crate::report::{Confidence, Severity};

pub struct UninitializedStorage;

impl Detector for UninitializedStorage {
    fn id(&self) -> &'static str {
        "uninitialized-storage"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-109")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        if !cx.may_compile_before((0, 5, 0)) {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            for stmt in body.find_all(kind::VARIABLE_DECLARATION_STATEMENT) {
                if stmt.field("value").is_some() {
                    continue;
                }
                let Some(decl) = stmt
                    .children_of(kind::VARIABLE_DECLARATION)
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                let location = decl.field("location").map(|l| l.text());
                if matches!(location, Some("memory" | "calldata")) {
                    continue;
                }
                let ty = decl.field("type").map(|t| t.text()).unwrap_or("");
                let pointer = cx.symbols().is_struct(ty.trim())
                    || ty.contains('[')
                    || ty.starts_with("mapping");
                if !pointer {
                    continue;
                }
                let name = decl.name().unwrap_or("");
                hits.push(
                    Hit::new(&stmt, Severity::High, Confidence::High, format!("Uninitialised storage pointer `{name}`"))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("`{name}` has type `{ty}` and no data location, so (before Solidity 0.5) it is a storage pointer to slot 0. Writing its fields overwrites the contract's first state variables, such as the owner."),
                            "Declare it `memory`, or initialise it to point at a real storage element.",
                        ),
                );
            }
        }
        hits
    }
}
