//! `arbitrary-send` (SWC-105): ether leaves the contract to an address the caller picks (the
//! caller, a parameter, or an owner variable anyone can overwrite) from a function anyone can
//! reach, in an amount the caller is not entitled to: the whole balance, an unchecked amount,
//! or a recorded balance that is never cleared.

use crate::analyzer::Detector;
use crate::analyzer::context::{
    Context, Hit, caller_controlled, conditions, is_caller, is_caller_check,
};
use crate::analyzer::symbols::Function;
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

use super::reach::{open_entry, writable_by_anyone};

pub struct ArbitrarySend;

impl Detector for ArbitrarySend {
    fn id(&self) -> &'static str {
        "arbitrary-send"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-105")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            let Some(body) = f.body else { continue };
            let sends: Vec<Call<'_>> = body
                .find_all(kind::CALL)
                .into_iter()
                .filter_map(Call::of)
                .filter(|c| c.sends_ether())
                .collect();
            if sends.is_empty() {
                continue;
            }
            let Some(entry) = open_entry(cx, f) else {
                continue;
            };
            for call in sends {
                let Some(reason) = unentitled(cx, f, &call) else {
                    continue;
                };
                hits.push(
                    Hit::new(&call.node, Severity::High, Confidence::Medium, format!("Unprotected ether withdrawal in `{}`", f.display_name()))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("Anyone can call `{entry}` and reach `{}`, which sends ether to an address the caller chooses; {reason}.", short(call.node.text())),
                            "Restrict who can withdraw (check `msg.sender` against an owner set only in the constructor), and send at most what the caller is owed, clearing their balance before the transfer.",
                        ),
                );
            }
        }
        hits
    }
}

/// Why the caller is not entitled to what `call` sends, or `None` when they appear to be.
fn unentitled<'a>(cx: &Context<'a>, f: &Function<'a>, call: &Call<'a>) -> Option<String> {
    let to = call.target?;
    let amount = match call.method {
        "send" | "transfer" => *call.arguments().first()?,
        _ => call.value?,
    };
    let to_caller = to.descendants().iter().any(is_caller);
    let to_param = !to_caller && caller_controlled(f, &to);
    let to_open_state = !to_caller
        && !to_param
        && to
            .root_identifier()
            .is_some_and(|v| cx.is_state(&to, v) && writable_by_anyone(cx, f.contract, v));
    if !(to_caller || to_param || to_open_state) {
        return None;
    }
    // Game logic (`if (guess == answer)`) decides who is paid: not an open withdrawal.
    let gated = !to_open_state
        && f.body.is_some_and(|b| {
            conditions(b)
                .iter()
                .any(|c| c.start_byte() < call.node.start_byte() && !is_caller_check(c))
        });
    if mentions_own_balance(&amount) {
        if gated {
            return None;
        }
        return Some("the amount is the contract's whole balance".into());
    }
    if to_param && gated {
        return None;
    }
    if to_param || to_open_state {
        return (!is_zero(&amount)).then(|| "nothing checks who the caller is".into());
    }
    // To the caller: fine when bounded by what they are owed.
    if let Some(p) = amount
        .descendants()
        .into_iter()
        .find(|n| n.is(kind::IDENTIFIER) && f.params.iter().any(|(q, _)| *q == n.text()))
    {
        let bounded = f
            .body
            .is_some_and(|b| conditions(b).iter().any(|c| bounds(c, p.text())));
        return (!bounded).then(|| {
            format!(
                "the amount `{}` is not checked against what the caller is owed",
                p.text()
            )
        });
    }
    if let Some(ledger) = sender_ledger(&amount)
        && cx.is_state(&amount, ledger)
    {
        let cleared = f.body.is_some_and(|b| {
            b.descendants()
                .iter()
                .any(|n| cx.written_state(n) == Some(ledger))
        });
        return (!cleared).then(|| {
            format!(
                "`{ledger}` is paid out but never reduced, so it can be withdrawn again and again"
            )
        });
    }
    None
}

/// `this.balance`, `address(this).balance`.
fn mentions_own_balance(amount: &Node<'_>) -> bool {
    amount.descendants().iter().any(|n| {
        n.member().is_some_and(|(o, p)| {
            p == "balance" && (o.text() == "this" || o.text().replace(' ', "") == "address(this)")
        })
    })
}

fn is_zero(n: &Node<'_>) -> bool {
    n.unwrap().is(kind::NUMBER) && n.text().trim() == "0"
}

/// `balances[msg.sender]` → `balances`.
fn sender_ledger<'t>(amount: &Node<'t>) -> Option<&'t str> {
    amount
        .descendants()
        .into_iter()
        .find(|n| n.is(kind::INDEX) && n.field("index").is_some_and(|i| is_caller(&i.unwrap())))
        .and_then(|n| n.root_identifier())
}

/// A condition that caps `param` from above: `param <= x`, `x >= param`, `param < x`, `x > param`.
fn bounds(cond: &Node<'_>, param: &str) -> bool {
    cond.find_all(kind::BINARY).iter().any(|b| {
        let (Some(l), Some(r)) = (b.expr_field("left"), b.expr_field("right")) else {
            return false;
        };
        match b.operator() {
            Some("<=" | "<") => l.text() == param,
            Some(">=" | ">") => r.text() == param,
            _ => false,
        }
    })
}

fn short(text: &str) -> String {
    super::reentrancy::short(text)
}
