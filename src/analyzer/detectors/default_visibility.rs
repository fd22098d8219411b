//! `default-visibility`: before Solidity 0.5 a function without a visibility is public
//! (SWC-100), and a state variable without one is internal (SWC-108). The first lets anyone
//! call what may have been meant as internal; the second hides intent.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::{ContractKind, FunctionKind};
use crate::report::{Confidence, Severity};

pub struct DefaultVisibility;

impl Detector for DefaultVisibility {
    fn id(&self) -> &'static str {
        "default-visibility"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-100")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        if !cx.may_compile_before((0, 5, 0)) {
            return Vec::new();
        }
        let mut hits = Vec::new();
        for c in &cx.symbols().contracts {
            if c.kind == ContractKind::Interface {
                continue;
            }
            for f in &c.functions {
                if f.kind != FunctionKind::Function || f.visibility.is_some() || f.is_read_only() {
                    continue;
                }
                let name = f.node.field("name").unwrap_or(f.node);
                hits.push(
                    Hit::new(&name, Severity::Medium, Confidence::High, format!("`{}` has no visibility and is public", f.name))
                        .within(Some(f.name.to_owned()))
                        .explain(
                            format!("`{}` states no visibility, so it defaults to public: anyone can call it. If it was meant for internal use only, that is an open door.", f.name),
                            "State the visibility of every function; make helpers `internal` or `private`.",
                        ),
                );
            }
            for v in &c.state {
                if v.visibility.is_some() || v.constant {
                    continue;
                }
                hits.push(
                    Hit::new(&v.node, Severity::Info, Confidence::High, format!("State variable `{}` has no visibility", v.name))
                        .swc("SWC-108")
                        .explain(
                            format!("`{}` defaults to internal. Stating the visibility makes the intent clear to readers and reviewers.", v.name),
                            "Declare it `private`, `internal` or `public` explicitly.",
                        ),
                );
            }
        }
        hits
    }
}
