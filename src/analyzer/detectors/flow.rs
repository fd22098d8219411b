//! Shared by the value detectors (not a detector): where a local variable's value comes from
//! and where it goes, inside one function. Several classes hinge on a value travelling
//! through a local (`uint t = now; if (t > end)`, `bool ok = a.send(v); require(ok);`), so
//! they ask here instead of each reading only the expression in front of them.
//!
//! Flow-insensitive and by name: every assignment to a local counts, wherever it is. That
//! over-approximates a little and never misses a path.

use std::collections::HashSet;

use crate::analyzer::context::conditions;
use crate::analyzer::symbols::Function;
use crate::analyzer::syntax::{Call, Node, field, kind};

/// How many locals deep a value is followed.
const MAX_HOPS: usize = 6;

/// The expressions assigned to local `name` in `f`: declaration initialisers, assignments
/// (plain and compound), and the right side of a tuple declaration or assignment naming it.
pub fn definitions<'t>(f: &Function<'t>, name: &str) -> Vec<Node<'t>> {
    let Some(body) = f.body else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for n in body.descendants() {
        match n.kind() {
            kind::VARIABLE_DECLARATION_STATEMENT => {
                let declares = n
                    .descendants()
                    .iter()
                    .filter(|d| d.is(kind::VARIABLE_DECLARATION))
                    .any(|d| d.name() == Some(name));
                if declares {
                    out.extend(n.field(field::VALUE).map(Node::unwrap));
                }
            }
            kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => {
                let (Some(left), Some(right)) = (n.field(field::LEFT), n.expr_field(field::RIGHT))
                else {
                    continue;
                };
                let left = left.unwrap();
                let names_it = if left.is(kind::TUPLE) {
                    left.descendants()
                        .iter()
                        .any(|d| d.is(kind::IDENTIFIER) && d.text() == name)
                } else {
                    left.is(kind::IDENTIFIER) && left.text() == name
                };
                if names_it {
                    out.push(right);
                }
            }
            _ => {}
        }
    }
    out
}

/// The first node in `expr`, or in what a local it reads was assigned, that satisfies
/// `hit`. Locals are followed by name through `definitions`, at most `MAX_HOPS` deep.
pub fn find_source<'t>(
    f: &Function<'t>,
    expr: Node<'t>,
    hit: &dyn Fn(&Node<'t>) -> bool,
) -> Option<Node<'t>> {
    let mut seen = HashSet::new();
    find_in(f, expr, hit, &mut seen, 0)
}

fn find_in<'t>(
    f: &Function<'t>,
    expr: Node<'t>,
    hit: &dyn Fn(&Node<'t>) -> bool,
    seen: &mut HashSet<&'t str>,
    depth: usize,
) -> Option<Node<'t>> {
    let nodes = expr.descendants();
    if let Some(n) = nodes.iter().find(|n| hit(n)) {
        return Some(*n);
    }
    if depth >= MAX_HOPS {
        return None;
    }
    for id in nodes.iter().filter(|n| n.is(kind::IDENTIFIER)) {
        let name = id.text();
        if !is_local(f, name) || !seen.insert(name) {
            continue;
        }
        for def in definitions(f, name) {
            if let Some(found) = find_in(f, def, hit, seen, depth + 1) {
                return Some(found);
            }
        }
    }
    None
}

/// Whether `name` is a local of `f` (not a parameter: a parameter's value comes from the
/// caller, whatever the body assigns to it later).
pub fn is_local(f: &Function<'_>, name: &str) -> bool {
    f.locals().contains(name) && !f.params.iter().any(|(p, _)| *p == name)
}

/// The local a value is stored into when `node` is the whole right side of a declaration
/// or assignment (`bool ok = …`, `ok = …`, `(bool ok, ) = …`): the name, and the statement.
pub fn stored_in_local<'t>(f: &Function<'t>, node: &Node<'t>) -> Option<&'t str> {
    let parent = node.outer()?;
    let target = match parent.kind() {
        kind::VARIABLE_DECLARATION_STATEMENT => parent
            .descendants()
            .into_iter()
            .find(|d| d.is(kind::VARIABLE_DECLARATION))
            .and_then(|d| d.name()),
        kind::ASSIGNMENT => {
            let left = parent.field(field::LEFT)?.unwrap();
            if left.is(kind::TUPLE) {
                left.descendants()
                    .into_iter()
                    .find(|d| d.is(kind::IDENTIFIER))
                    .map(|d| d.text())
            } else {
                left.is(kind::IDENTIFIER).then(|| left.text())
            }
        }
        _ => None,
    }?;
    is_local(f, target).then_some(target)
}

/// Reads of local `name` in `f` that are not the left side of an assignment.
pub fn reads<'t>(f: &Function<'t>, name: &str) -> Vec<Node<'t>> {
    let Some(body) = f.body else {
        return Vec::new();
    };
    body.descendants()
        .into_iter()
        .filter(|n| n.is(kind::IDENTIFIER) && n.text() == name)
        .filter(|n| !is_assigned_to(n))
        .collect()
}

fn is_assigned_to(id: &Node<'_>) -> bool {
    id.ancestors()
        .into_iter()
        .take_while(|a| !a.is(kind::STATEMENT) && !a.is(kind::EXPRESSION_STATEMENT))
        .any(|a| {
            matches!(a.kind(), kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT)
                && a.field(field::LEFT).is_some_and(|l| id.within(&l))
        })
}

/// Whether the value of `node` is used to decide something: it sits in a condition
/// (`require`, `assert`, `if`, loops, ternary tests), is returned, or is passed to a
/// function (which then answers for it); or it is stored in a local that is.
pub fn is_checked<'t>(f: &Function<'t>, node: &Node<'t>) -> bool {
    let mut seen = HashSet::new();
    checked_in(f, node, &mut seen, 0)
}

fn checked_in<'t>(
    f: &Function<'t>,
    node: &Node<'t>,
    seen: &mut HashSet<&'t str>,
    depth: usize,
) -> bool {
    let conds = f.body.map(conditions).unwrap_or_default();
    if conds.iter().any(|c| node.within(c)) {
        return true;
    }
    let mut cur = *node;
    while let Some(p) = cur.outer() {
        match p.kind() {
            kind::RETURN => return true,
            kind::CALL if Call::of(p).is_some_and(|c| c.node != *node) => {
                let c = Call::of(p).expect("checked above");
                // `f(x)` hands the value on; `x.send(…).gas(…)` is the same call.
                if !matches!(c.method, "value" | "gas") {
                    return true;
                }
            }
            kind::UNARY | kind::BINARY | kind::TERNARY => {}
            kind::VARIABLE_DECLARATION_STATEMENT | kind::ASSIGNMENT => {
                let Some(local) = stored_in_local(f, &cur) else {
                    // Stored to state: kept for later, not lost.
                    return true;
                };
                if depth >= MAX_HOPS || !seen.insert(local) {
                    return false;
                }
                return reads(f, local)
                    .iter()
                    .any(|r| checked_in(f, r, seen, depth + 1));
            }
            _ => return false,
        }
        cur = p;
    }
    false
}

/// The local whose declaration or assignment has `node` somewhere in its right side
/// (`uint t = now + 1;` for `now`), if the statement stores into one.
pub fn assigned_local<'t>(f: &Function<'t>, node: &Node<'t>) -> Option<&'t str> {
    for a in node.ancestors() {
        match a.kind() {
            kind::VARIABLE_DECLARATION_STATEMENT => {
                let name = a
                    .descendants()
                    .into_iter()
                    .find(|d| d.is(kind::VARIABLE_DECLARATION))
                    .and_then(|d| d.name())?;
                return is_local(f, name).then_some(name);
            }
            kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => {
                let right = a.field(field::RIGHT)?;
                if !node.within(&right) {
                    return None;
                }
                let left = a.field(field::LEFT)?.unwrap();
                return (left.is(kind::IDENTIFIER) && is_local(f, left.text()))
                    .then(|| left.text());
            }
            kind::STATEMENT | kind::EXPRESSION_STATEMENT | kind::BLOCK | kind::FUNCTION => {
                return None;
            }
            _ => {}
        }
    }
    None
}
