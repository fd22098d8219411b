//! `default-visibility`: before Solidity 0.5 a function without a visibility is public
//! (SWC-100), and a state variable without one is internal (SWC-108). A helper that was meant
//! to be internal (named `_x`, or called by other functions) but is public is a real door and
//! gets its own finding; the rest is hygiene, listed once per contract.

use std::collections::HashSet;

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::{Contract, ContractKind, Function, FunctionKind};
use crate::analyzer::syntax::{Call, kind};
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
        for c in cx.symbols().local_contracts() {
            if c.kind == ContractKind::Interface {
                continue;
            }
            let called = internal_calls(c);
            let implicit: Vec<&Function<'_>> = c
                .functions
                .iter()
                .filter(|f| f.kind == FunctionKind::Function && f.visibility.is_none())
                .collect();
            let (helpers, others): (Vec<_>, Vec<_>) =
                implicit.into_iter().partition(|f| is_helper(&called, f));
            for f in helpers {
                let name = f.node.field("name").unwrap_or(f.node);
                hits.push(
                    Hit::new(&name, Severity::Medium, Confidence::Medium, format!("Helper `{}` has no visibility and is public", f.name))
                        .within(Some(f.name.to_owned()))
                        .explain(
                            format!("`{}` looks internal (its name or its callers say so) but states no visibility, so it defaults to public: anyone can call it directly and skip the checks of the functions that normally call it.", f.name),
                            "Declare it `internal` or `private`; state the visibility of every function.",
                        ),
                );
            }
            if let Some(hit) = listed(
                others.iter().map(|f| (f.name, f.node.line())),
                "Functions without visibility (public by default)",
                "SWC-100",
            ) {
                hits.push(hit);
            }
            let vars = c
                .state
                .iter()
                .filter(|v| v.visibility.is_none() && !v.constant)
                .map(|v| (v.name, v.node.line()));
            if let Some(hit) = listed(vars, "State variables without visibility", "SWC-108") {
                hits.push(hit);
            }
        }
        hits
    }
}

/// Named `_x`, or called by another function of the contract.
fn is_helper(called: &HashSet<&str>, f: &Function<'_>) -> bool {
    f.name.starts_with('_') || called.contains(f.name)
}

/// Names called without a target (`f(…)`) anywhere in the contract, found once.
fn internal_calls<'t>(c: &Contract<'t>) -> HashSet<&'t str> {
    c.functions
        .iter()
        .filter_map(|g| g.body)
        .flat_map(|b| b.find_all(kind::CALL))
        .filter_map(Call::of)
        .filter(|call| call.target.is_none())
        .map(|call| call.method)
        .collect()
}

/// One Info finding listing `(name, line)` items, spanning their lines.
fn listed<'a>(
    items: impl Iterator<Item = (&'a str, usize)>,
    title: &str,
    swc: &'static str,
) -> Option<Hit> {
    let items: Vec<(&str, usize)> = items.collect();
    let first = items.first()?.1;
    let names: Vec<String> = items.iter().map(|(n, _)| format!("`{n}`")).collect();
    Some(
        Hit::at_line(first, Severity::Info, Confidence::High, title)
            .also_at(items[1..].iter().map(|(_, l)| *l))
            .swc(swc)
            .explain(
                format!(
                    "{} state no visibility. Before Solidity 0.5 functions default to public and state variables to internal; stating it makes the intent clear and catches mistakes.",
                    names.join(", ")
                ),
                "Declare `public`, `external`, `internal` or `private` explicitly.",
            ),
    )
}
