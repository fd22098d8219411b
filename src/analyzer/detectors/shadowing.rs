//! `shadowing` (SWC-119): a name that hides a state variable. A derived contract redeclaring a
//! base's state variable gets a second, separate slot (the base keeps using its own); a local
//! or return value named like a state variable makes the function read the wrong one.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::FunctionKind;
use crate::analyzer::syntax::kind;
use crate::report::{Confidence, Severity};

pub struct Shadowing;

impl Detector for Shadowing {
    fn id(&self) -> &'static str {
        "shadowing"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-119")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let s = cx.symbols();
        let mut hits = Vec::new();
        for (ci, c) in s.local_contracts().iter().enumerate() {
            let bases = &s.lineage(ci)[1..];
            for v in &c.state {
                let Some(base) = bases
                    .iter()
                    .find(|b| s.contracts[**b].state.iter().any(|bv| bv.name == v.name))
                else {
                    continue;
                };
                hits.push(
                    Hit::new(&v.node, Severity::Medium, Confidence::High, format!("`{}` shadows a state variable of `{}`", v.name, s.contracts[*base].name))
                        .explain(
                            format!("`{}` is declared again in `{}`. The two are separate storage slots: code in `{}` keeps reading its own copy, so setting one does not change the other.", v.name, c.name, s.contracts[*base].name),
                            "Remove the redeclaration and set the inherited variable (for example in the constructor).",
                        ),
                );
            }
            for f in &c.functions {
                if matches!(f.kind, FunctionKind::Constructor | FunctionKind::Modifier) {
                    continue;
                }
                let decls = f
                    .node
                    .find_all(kind::PARAMETER)
                    .into_iter()
                    .chain(f.node.find_all(kind::VARIABLE_DECLARATION));
                for d in decls {
                    let Some(name) = d.name() else { continue };
                    if s.state_var(ci, name).is_none() {
                        continue;
                    }
                    hits.push(
                        Hit::new(&d, Severity::Low, Confidence::High, format!("`{name}` shadows a state variable"))
                            .within(Some(f.display_name()))
                            .explain(
                                format!("Inside `{}`, `{name}` refers to the local declaration, not the state variable of the same name; reads and writes meant for state go to the local.", f.display_name()),
                                "Rename the local, parameter or return value (e.g. with a leading underscore).",
                            ),
                    );
                }
            }
        }
        hits
    }
}
