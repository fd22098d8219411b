//! Shared by the access detectors (not a detector): can anyone reach this function, and does
//! its caller check really hold? A check against a state variable that any caller can
//! overwrite (a mistyped constructor that sets `owner`, an unguarded `setOwner`) does not.

use crate::analyzer::context::{Context, conditions, is_caller, is_caller_check};
use crate::analyzer::symbols::{Function, FunctionKind};
use crate::analyzer::syntax::kind;

/// How many internal calls deep callers are searched.
const MAX_DEPTH: usize = 4;

/// The name of an entry point anyone can call that reaches `f` with no effective caller
/// check on the way, or `None`.
pub fn open_entry<'a>(cx: &Context<'a>, f: &Function<'a>) -> Option<String> {
    open_entry_at(cx, f, 0)
}

fn open_entry_at<'a>(cx: &Context<'a>, f: &Function<'a>, depth: usize) -> Option<String> {
    if f.kind == FunctionKind::Constructor || f.kind == FunctionKind::Modifier {
        return None;
    }
    if effectively_checks_caller(cx, f) {
        return None;
    }
    if f.is_entry_point() {
        return Some(f.display_name());
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    callers(cx, f)
        .into_iter()
        .find_map(|c| open_entry_at(cx, c, depth + 1))
}

/// Functions in this file that call `f` by name.
fn callers<'a>(cx: &Context<'a>, f: &Function<'_>) -> Vec<&'a Function<'a>> {
    cx.plain_callers(f.name)
        .iter()
        .copied()
        .filter(|g| g.node != f.node)
        .collect()
}

/// `checks_caller`, unless every state variable the check relies on can be set by anyone.
pub fn effectively_checks_caller<'a>(cx: &Context<'a>, f: &Function<'a>) -> bool {
    if !cx.checks_caller(f) || only_against_parameters(f) {
        return false;
    }
    let vars = guard_state(cx, f);
    vars.is_empty() || !vars.iter().all(|v| writable_by_anyone(cx, f.contract, v))
}

/// Whether every caller check in `f`'s own body compares the caller with one of `f`'s
/// parameters (`require(tx.origin == owner_)` with `owner_` an argument): the caller
/// passes whatever they like, so that is no check. `false` when the body has none (the
/// check sits in a modifier or helper).
fn only_against_parameters(f: &Function<'_>) -> bool {
    let Some(body) = f.body else {
        return false;
    };
    let checks: Vec<_> = conditions(body)
        .into_iter()
        .filter(is_caller_check)
        .collect();
    !checks.is_empty()
        && f.modifiers.is_empty()
        && checks.iter().all(|c| {
            let comparisons: Vec<_> = c
                .find_all(kind::BINARY)
                .into_iter()
                .filter(|b| matches!(b.operator(), Some("==" | "!=")))
                .filter(|b| b.children().iter().any(|s| is_caller(&s.unwrap())))
                .collect();
            !comparisons.is_empty()
                && comparisons.iter().all(|b| {
                    b.children().iter().any(|s| {
                        let s = s.unwrap();
                        s.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == s.text())
                    })
                })
        })
}

/// State variables read by the caller checks of `f` and its modifiers.
fn guard_state<'a>(cx: &Context<'a>, f: &Function<'a>) -> Vec<&'a str> {
    let s = cx.symbols();
    let mut bodies: Vec<_> = f.body.into_iter().collect();
    for m in &f.modifiers {
        bodies.extend(s.callables(f.contract, m).iter().filter_map(|d| d.body));
    }
    let mut vars = Vec::new();
    for b in bodies {
        for c in conditions(b).into_iter().filter(is_caller_check) {
            for id in c.find_all(kind::IDENTIFIER) {
                if cx.is_state(&id, id.text()) && !vars.contains(&id.text()) {
                    vars.push(id.text());
                }
            }
        }
    }
    vars
}

/// Whether some entry point with no caller check writes state variable `var`.
pub fn writable_by_anyone(cx: &Context<'_>, contract: usize, var: &str) -> bool {
    let s = cx.symbols();
    s.lineage(contract)
        .into_iter()
        .flat_map(|c| s.contracts[c].functions.iter())
        .filter(|g| g.is_entry_point() && !g.is_read_only() && !cx.checks_caller(g))
        .any(|g| cx.state_writes(g).contains(&var))
}
