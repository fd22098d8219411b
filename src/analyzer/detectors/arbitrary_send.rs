//! `arbitrary-send` (SWC-105): ether leaves the contract to an address the caller picks (the
//! caller, a parameter, or an owner variable anyone can overwrite) from a function anyone can
//! reach, in an amount the caller is not entitled to: the whole balance, an unchecked amount,
//! a recorded balance that is never cleared, or a fixed amount (`msg.sender.transfer(1 ether)`)
//! paid to anyone who asks. Amounts and recipients are followed through locals. Paying back
//! `msg.value`, or paying out a recorded balance of the recipient that is then reduced, is not
//! reported.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions, is_caller};
use crate::analyzer::symbols::{Function, FunctionKind};
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

use super::flow::{definitions, find_source, is_local};
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
    let to_caller = find_source(f, to, &|n| is_caller(n)).is_some();
    let param = (!to_caller)
        .then(|| find_source(f, to, &|n| is_param(f, n)))
        .flatten();
    let to_param = param.is_some();
    let to_open_state = !to_caller
        && !to_param
        && to
            .root_identifier()
            .is_some_and(|v| cx.is_state(&to, v) && writable_by_anyone(cx, f.contract, v));
    if !(to_caller || to_param || to_open_state) || is_zero(f, &amount) {
        return None;
    }
    // Paying back (or on) what the caller sent with this call is theirs to move.
    if find_source(f, amount, &|n| n.is_member("msg", "value")).is_some() {
        return None;
    }
    // Game logic on what the caller supplies or has recorded (`if (guess == answer)`, a
    // price paid, `bets[msg.sender]`) decides who is paid: not an open withdrawal.
    // Conditions on the contract's own state or the clock (`require(!paused)`,
    // `now > start`) stop no one, and neither does comparing the caller with an argument.
    let gated = f.body.is_some_and(|b| {
        conditions(b).iter().any(|c| {
            c.start_byte() < call.node.start_byte()
                && !call.node.within(c)
                && !compares_caller_with_param(f, c)
                && c.descendants().iter().any(|n| {
                    n.is_member("msg", "value")
                        || (!to_open_state
                            && (is_param(f, n)
                                || keyed_by_recipient(n, None)
                                || is_registered_player(cx, f, n)))
                })
        })
    });
    if find_source(f, amount, &|n| mentions_own_balance(n)).is_some() {
        return (!gated).then(|| "the amount is the contract's whole balance".into());
    }
    // A recorded balance of the recipient: fine when it is reduced or cleared.
    let dest = param.map(|p| p.text());
    if let Some(ledger) = find_source(f, amount, &|n| keyed_by_recipient(n, dest))
        .and_then(|n| n.root_identifier())
        .filter(|l| cx.is_state(&amount, l))
    {
        return (!writes(cx, f, ledger, 0)).then(|| {
            format!(
                "`{ledger}` is paid out but never reduced, so it can be withdrawn again and again"
            )
        });
    }
    if let Some(p) = find_source(f, amount, &|n| is_param(f, n)) {
        // An internal helper pays what its callers decide: judge the arguments they pass.
        if !f.is_entry_point()
            && let Some(i) = f.params.iter().position(|(q, _)| *q == p.text())
        {
            let sites = call_sites(cx, f, i);
            if !sites.is_empty()
                && sites.iter().all(|(g, arg)| {
                    find_source(g, *arg, &|n| is_param(g, n)).is_none()
                        && find_source(g, *arg, &|n| keyed_by_recipient(n, None))
                            .and_then(|n| n.root_identifier())
                            .is_some_and(|l| cx.is_state(arg, l) && writes(cx, g, l, 0))
                })
            {
                return None;
            }
        }
        let bounded = f
            .body
            .is_some_and(|b| conditions(b).iter().any(|c| bounds(c, p.text())));
        if bounded || (to_param && gated) {
            return None;
        }
        return Some(format!(
            "the amount `{}` is the caller's to choose and is not checked against what they are owed",
            p.text()
        ));
    }
    if gated {
        return None;
    }
    Some(format!(
        "the amount (`{}`) is paid to whoever calls, as often as they call, with no record of what they are owed",
        short(amount.text())
    ))
}

/// Whether `f`, or an internal function it calls (a few levels deep), writes state `var`.
fn writes<'a>(cx: &Context<'a>, f: &Function<'a>, var: &str, depth: usize) -> bool {
    if cx.state_writes(f).contains(&var) {
        return true;
    }
    depth < 3
        && f.body.is_some_and(|b| {
            b.find_all(kind::CALL)
                .into_iter()
                .filter_map(Call::of)
                .filter(|c| c.target.is_none())
                .flat_map(|c| cx.symbols().callables(f.contract, c.method))
                .filter(|g| g.node != f.node && g.kind == FunctionKind::Function)
                .any(|g| writes(cx, g, var, depth + 1))
        })
}

/// The calls of `f` by name in other functions of the file, with the argument passed for
/// parameter `index`.
fn call_sites<'a>(
    cx: &Context<'a>,
    f: &Function<'a>,
    index: usize,
) -> Vec<(&'a Function<'a>, Node<'a>)> {
    cx.plain_callers(f.name)
        .iter()
        .copied()
        .filter(|g| g.node != f.node)
        .flat_map(|g| {
            g.body
                .map(|b| b.find_all(kind::CALL))
                .unwrap_or_default()
                .into_iter()
                .filter_map(Call::of)
                .filter(|c| c.target.is_none() && c.method == f.name)
                .filter_map(|c| c.arguments().get(index).copied())
                .map(move |arg| (g, arg))
        })
        .collect()
}

/// A state variable that only a paying caller can set to themselves (`player = msg.sender`
/// in a payable function): comparing the caller with it asks "did you pay to play?".
fn is_registered_player(cx: &Context<'_>, f: &Function<'_>, n: &Node<'_>) -> bool {
    if !n.is(kind::IDENTIFIER) || !cx.is_state(n, n.text()) {
        return false;
    }
    let var = n.text();
    let lineage = cx.symbols().lineage(f.contract);
    let setters: Vec<&Function<'_>> = cx
        .symbols()
        .functions()
        .filter(|g| lineage.contains(&g.contract) && cx.state_writes(g).contains(&var))
        .collect();
    !setters.is_empty()
        && setters.iter().all(|g| {
            g.kind == FunctionKind::Constructor
                || (g.mutability == Some("payable")
                    && g.body.is_some_and(|b| {
                        conditions(b)
                            .iter()
                            .any(|c| c.descendants().iter().any(|d| d.is_member("msg", "value")))
                    }))
        })
}

/// `msg.sender == owner_` with `owner_` a parameter of `f`: checks nothing.
fn compares_caller_with_param(f: &Function<'_>, cond: &Node<'_>) -> bool {
    cond.find_all(kind::BINARY).iter().any(|b| {
        matches!(b.operator(), Some("==" | "!="))
            && b.children().iter().any(|s| is_caller(&s.unwrap()))
            && b.children().iter().any(|s| is_param(f, &s.unwrap()))
    })
}

fn is_param(f: &Function<'_>, n: &Node<'_>) -> bool {
    n.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == n.text())
}

/// `balances[msg.sender]`, or `balances[who]` when paying the parameter `who`.
fn keyed_by_recipient(n: &Node<'_>, dest: Option<&str>) -> bool {
    n.is(kind::INDEX)
        && n.field("index").is_some_and(|i| {
            let i = i.unwrap();
            match dest {
                Some(p) => i.is(kind::IDENTIFIER) && i.text() == p,
                None => is_caller(&i),
            }
        })
}

/// `this.balance`, `address(this).balance`.
fn mentions_own_balance(n: &Node<'_>) -> bool {
    n.member().is_some_and(|(o, p)| {
        p == "balance" && (o.text() == "this" || o.text().replace(' ', "") == "address(this)")
    })
}

/// `0`, or a local only ever set to `0`.
fn is_zero(f: &Function<'_>, n: &Node<'_>) -> bool {
    let n = n.unwrap();
    let literal = |n: &Node<'_>| n.unwrap().is(kind::NUMBER) && n.text().trim() == "0";
    if n.is(kind::IDENTIFIER) && is_local(f, n.text()) {
        let defs = definitions(f, n.text());
        return !defs.is_empty() && defs.iter().all(literal);
    }
    literal(&n)
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
