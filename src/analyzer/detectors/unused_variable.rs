//! `unused-variable` (SWC-131): a parameter, local or private/internal state variable that is
//! never read. It costs gas and often means the code does not do what was intended.

use std::collections::HashMap;

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::{ContractKind, FunctionKind};
use crate::analyzer::syntax::{Node, kind};
use crate::report::{Confidence, Severity};

pub struct UnusedVariable;

impl Detector for UnusedVariable {
    fn id(&self) -> &'static str {
        "unused-variable"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-131")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let Some(root) = cx.root() else {
            return Vec::new();
        };
        let s = cx.symbols();
        let mut hits = Vec::new();
        // Every identifier in the file by name, with its start bytes sorted, built once;
        // a question is then two binary searches (a scan over every use of a common name
        // made one large file quadratic).
        let mut uses: HashMap<&str, Vec<usize>> = HashMap::new();
        for u in cx.nodes_of(kind::IDENTIFIER) {
            uses.entry(u.text()).or_default().push(u.start_byte());
        }
        for at in uses.values_mut() {
            at.sort_unstable();
        }
        let used_outside = |name: &str, decl: &Node<'_>, scope: &Node<'_>| {
            uses.get(name).is_some_and(|at| {
                let count = |from: usize, to: usize| {
                    at.partition_point(|&b| b < to) - at.partition_point(|&b| b < from)
                };
                let in_scope = count(scope.start_byte(), scope.end_byte());
                // The declaration's own span, clipped to the scope.
                let (from, to) = (
                    decl.start_byte().max(scope.start_byte()),
                    decl.end_byte().min(scope.end_byte()),
                );
                in_scope > if from < to { count(from, to) } else { 0 }
            })
        };
        for c in s.local_contracts() {
            if c.kind == ContractKind::Interface {
                continue;
            }
            for v in &c.state {
                let private = matches!(v.visibility, None | Some("private") | Some("internal"));
                if private && !used_outside(v.name, &v.node, &root) {
                    hits.push(unused(&v.node, v.name, "state variable", None));
                }
            }
            for f in &c.functions {
                let Some(body) = f.body else { continue };
                if f.kind == FunctionKind::Modifier {
                    continue;
                }
                for d in f
                    .node
                    .children_of(kind::PARAMETER)
                    .into_iter()
                    .chain(body.find_all(kind::VARIABLE_DECLARATION))
                {
                    let Some(name) = d.name() else { continue };
                    if !used_outside(name, &d, &f.node) {
                        hits.push(unused(&d, name, "variable", Some(f.display_name())));
                    }
                }
            }
        }
        Hit::fold(hits, "Unused variables").into_iter().collect()
    }
}

fn unused(node: &Node<'_>, name: &str, what: &str, function: Option<String>) -> Hit {
    Hit::new(node, Severity::Info, Confidence::Medium, format!("Unused {what} `{name}`"))
        .within(function)
        .explain(
            format!("`{name}` is declared but never read. It costs gas or storage, and often means a computation or check was forgotten."),
            "Remove it, or use it where it was meant to be used.",
        )
}
