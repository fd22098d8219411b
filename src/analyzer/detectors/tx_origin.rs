//! `tx-origin` (SWC-115): `tx.origin` used to decide who may do something. A contract the
//! owner is tricked into calling passes the check. Found in every form the decision takes:
//! a condition (`require`, `if`, loops, ternaries) in a function or a modifier, compared with
//! a parameter, a state variable or a constant, or used as a lookup key; a boolean helper
//! that returns such a comparison; a local that carries `tx.origin` into a condition.
//! High where the check guards effects, Medium in a `view` that only answers.
//! `tx.origin == msg.sender` (a "no contracts" check) is not authorisation and is not
//! reported.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::symbols::FunctionKind;
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

use super::flow::{reads, stored_in_local};

pub struct TxOrigin;

impl Detector for TxOrigin {
    fn id(&self) -> &'static str {
        "tx-origin"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-115")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let Some(root) = cx.root() else {
            return Vec::new();
        };
        let conds = conditions(root);
        let in_condition = |n: &Node<'_>| conds.iter().any(|c| n.within(c));
        let mut hits = Vec::new();
        for origin in cx.nodes.iter().filter(|n| n.is_member("tx", "origin")) {
            if compared_with_sender(origin) {
                continue;
            }
            let how = if in_condition(origin) {
                Some((*origin, "decides a condition"))
            } else if returned_comparison(origin) {
                Some((*origin, "is compared in a boolean helper's result"))
            } else {
                carried_into_condition(cx, origin, &in_condition)
                    .map(|c| (c, "is copied to a local that decides a condition"))
            };
            let Some((at, how)) = how else { continue };
            let (severity, stake) = if guards_effects(cx, &at) {
                (
                    Severity::High,
                    "The check guards what the function (or its callers) can change or send",
                )
            } else {
                (
                    Severity::Medium,
                    "Here it only decides what a read-only function answers, so nothing is taken through this check alone, but whoever relies on the answer is fooled the same way",
                )
            };
            hits.push(
                Hit::new(&at, severity, Confidence::High, "Authorization through `tx.origin`")
                    .within(cx.function_name(&at))
                    .explain(
                        format!("`tx.origin` {how} here. It is the account that started the transaction, not the immediate caller: if the authorised account calls a malicious contract, that contract can call this one and pass the check. {stake}."),
                        "Use `msg.sender` for authorisation.",
                    ),
            );
        }
        hits
    }
}

/// Whether the decision at `at` protects effects: it sits in a modifier, in a function that
/// can write state or send ether, or in a read-only helper other functions call (an
/// `isOwner()` behind a `require`). A `view` entry point that only answers does not.
fn guards_effects(cx: &Context<'_>, at: &Node<'_>) -> bool {
    let Some(f) = cx.symbols().enclosing(at) else {
        return true;
    };
    if f.kind == FunctionKind::Modifier || !f.is_read_only() {
        return true;
    }
    cx.nodes_of(kind::CALL)
        .into_iter()
        .filter_map(Call::of)
        .any(|c| c.target.is_none() && c.method == f.name && !c.node.within(&f.node))
}

/// `tx.origin == msg.sender` / `msg.sender != tx.origin`.
fn compared_with_sender(origin: &Node<'_>) -> bool {
    comparison_of(origin).is_some_and(|p| {
        p.children()
            .iter()
            .any(|side| side.unwrap().is_member("msg", "sender"))
    })
}

/// The `==`/`!=` comparison `origin` is a side of.
fn comparison_of<'t>(origin: &Node<'t>) -> Option<Node<'t>> {
    let p = origin.outer()?;
    (p.is(kind::BINARY) && matches!(p.operator(), Some("==" | "!="))).then_some(p)
}

/// `return tx.origin == owner;`
fn returned_comparison(origin: &Node<'_>) -> bool {
    comparison_of(origin).is_some_and(|c| {
        c.ancestors()
            .into_iter()
            .take_while(|a| !a.is(kind::BLOCK))
            .any(|a| a.is(kind::RETURN))
    })
}

/// `address o = tx.origin; require(o == owner);` → the read of `o` in the condition.
fn carried_into_condition<'t>(
    cx: &Context<'t>,
    origin: &Node<'t>,
    in_condition: &dyn Fn(&Node<'_>) -> bool,
) -> Option<Node<'t>> {
    let f = cx.symbols().enclosing(origin)?;
    let local = stored_in_local(f, origin)?;
    reads(f, local).into_iter().find(|r| {
        in_condition(r)
            && !comparison_of(r).is_some_and(|p| {
                p.children()
                    .iter()
                    .any(|side| side.unwrap().is_member("msg", "sender"))
            })
    })
}
