//! `tx-origin` (SWC-115): `tx.origin` used to decide who may do something. A contract the
//! owner is tricked into calling passes the check. `tx.origin == msg.sender` (a "no contracts"
//! check) is not authorisation and is not reported.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::syntax::{Node, kind};
use crate::report::{Confidence, Severity};

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
        let mut hits = Vec::new();
        for cond in conditions(root) {
            for origin in cond
                .descendants()
                .into_iter()
                .filter(|n| n.is_member("tx", "origin"))
            {
                if compared_with_sender(&origin) {
                    continue;
                }
                hits.push(
                    Hit::new(&origin, Severity::High, Confidence::High, "Authorization through `tx.origin`")
                        .within(cx.function_name(&origin))
                        .explain(
                            "`tx.origin` is the account that started the transaction, not the immediate caller. If the authorised account calls a malicious contract, that contract can call this one and pass the check.",
                            "Use `msg.sender` for authorisation.",
                        ),
                );
            }
        }
        hits
    }
}

/// `tx.origin == msg.sender` / `msg.sender != tx.origin`.
fn compared_with_sender(origin: &Node<'_>) -> bool {
    let Some(p) = origin.outer() else {
        return false;
    };
    if !p.is(kind::BINARY) {
        return false;
    }
    p.children()
        .iter()
        .any(|side| side.unwrap().is_member("msg", "sender"))
}
