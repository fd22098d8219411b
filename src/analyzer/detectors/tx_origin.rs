//! `tx-origin` (SWC-115): `tx.origin` used to decide who may do something. A contract the
//! owner is tricked into calling passes the check. Found in every form the decision takes:
//! a condition (`require`, `if`, loops, ternaries) in a function or a modifier, compared with
//! a parameter, a state variable or a constant, or used as a lookup key; a boolean helper
//! that returns such a comparison; a local that carries `tx.origin` into a condition.
//! `tx.origin == msg.sender` (a "no contracts" check) is not authorisation and is not
//! reported.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::syntax::{Node, kind};
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
            hits.push(
                Hit::new(&at, Severity::High, Confidence::High, "Authorization through `tx.origin`")
                    .within(cx.function_name(&at))
                    .explain(
                        format!("`tx.origin` {how} here. It is the account that started the transaction, not the immediate caller: if the authorised account calls a malicious contract, that contract can call this one and pass the check."),
                        "Use `msg.sender` for authorisation.",
                    ),
            );
        }
        hits
    }
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
