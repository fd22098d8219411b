//! `integer-overflow` (SWC-101): `+`, `-`, `*` (and `+=`, `-=`, `*=`) that can wrap, because
//! the compiler is older than 0.8 or the code sits in `unchecked {}`, and whose result reaches
//! state or an ether transfer. Quiet when an earlier condition guards the operation
//! (`require(b <= a)` before `a - b`, `require(a + b >= a)`), for counters bumped by a
//! constant, and for time arithmetic.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::symbols::{ContractKind, Function, FunctionKind};
use crate::analyzer::syntax::{Call, Node, field, kind};
use crate::report::{Confidence, Severity};

use super::flow::{definitions, find_source};

pub struct IntegerOverflow;

impl Detector for IntegerOverflow {
    fn id(&self) -> &'static str {
        "integer-overflow"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-101")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let old = cx.compiled_before((0, 8, 0));
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            if cx.symbols().contracts[f.contract].kind == ContractKind::Library
                || f.is_read_only()
                || f.kind == FunctionKind::Constructor
            {
                continue;
            }
            let Some(body) = f.body else { continue };
            let conds = conditions(body);
            let mut tainted: Vec<&str> = Vec::new();
            for n in body.descendants() {
                let (op, lhs, rhs) = match arithmetic(&n) {
                    Some(parts) => parts,
                    None => continue,
                };
                if !(old || in_unchecked(&n)) || benign(op, &lhs, &rhs) {
                    continue;
                }
                // `uint before = m[k]; m[k] = before - x;`: the guard names `m[k]`.
                let alias = lhs
                    .unwrap()
                    .is(kind::IDENTIFIER)
                    .then(|| definitions(f, lhs.unwrap().text()))
                    .filter(|d| d.len() == 1)
                    .and_then(|d| d.first().copied());
                let guarded = conds.iter().any(|c| {
                    c.start_byte() < n.start_byte()
                        && (guards(c, op, &lhs, &rhs, &n)
                            || alias.is_some_and(|a| guards(c, op, &a, &rhs, &n)))
                });
                if guarded || removes_a_share(cx, f, op, &lhs, &rhs) {
                    continue;
                }
                let reaches = if n.is(kind::AUGMENTED_ASSIGNMENT) {
                    cx.written_state(&n).is_some()
                } else {
                    let sink = reaches_sink(cx, &n);
                    if !sink && let Some(local) = assigned_local(&n) {
                        tainted.push(local);
                    }
                    sink || (op == "*" && operand_is_param(f, &lhs, &rhs))
                };
                let via_local = !reaches && local_flows(cx, body, &n, &tainted);
                if !(reaches || via_local) {
                    continue;
                }
                let what = match op {
                    "-" | "-=" => "underflow",
                    _ => "overflow",
                };
                hits.push(
                    Hit::new(&n, Severity::High, Confidence::Medium, format!("Integer {what} in `{}`", f.display_name()))
                        .within(Some(f.display_name()))
                        .explain(
                            format!("`{}` can {what} and wrap around silently ({}), and the result is stored or sent. An attacker picks values that wrap to a huge balance or a tiny price.", short(n.text()), if old { "the compiler is older than 0.8, which does not check arithmetic" } else { "it is inside `unchecked`" }),
                            "Check the operands first (`require(b <= a)` before `a - b`), use SafeMath's `add`/`sub`/`mul`, or compile with Solidity 0.8 or later outside `unchecked`.",
                        ),
                );
            }
        }
        hits
    }
}

/// `(operator, left, right)` of an arithmetic node that can wrap.
fn arithmetic<'t>(n: &Node<'t>) -> Option<(&'static str, Node<'t>, Node<'t>)> {
    if !(n.is(kind::BINARY) || n.is(kind::AUGMENTED_ASSIGNMENT)) {
        return None;
    }
    let op = n.operator()?;
    if !matches!(op, "+" | "-" | "*" | "+=" | "-=" | "*=") {
        return None;
    }
    Some((op, n.expr_field(field::LEFT)?, n.expr_field(field::RIGHT)?))
}

/// Constant increments, string concatenation and time arithmetic do not realistically wrap.
fn benign(op: &str, lhs: &Node<'_>, rhs: &Node<'_>) -> bool {
    let literal = |n: &Node<'_>| n.is(kind::NUMBER) || n.is(kind::STRING);
    let time = |n: &Node<'_>| {
        n.descendants().iter().any(|d| {
            (d.is(kind::IDENTIFIER) && d.text() == "now")
                || d.is_member("block", "timestamp")
                || d.is_member("block", "number")
        })
    };
    // Ether amounts are bounded by the ether supply, far below 2^256.
    let ether = |n: &Node<'_>| n.descendants().iter().any(|d| d.is_member("msg", "value"));
    (matches!(op, "+" | "+=" | "*") && (ether(lhs) || ether(rhs)))
        // `block.number - 1`: the chain is far past any small constant.
        || (matches!(op, "-") && time(lhs) && literal(rhs))
        || (matches!(op, "+" | "+=") && (literal(rhs) || literal(lhs) || time(lhs) || time(rhs)))
        || (literal(lhs) && literal(rhs))
}

fn in_unchecked(n: &Node<'_>) -> bool {
    n.ancestors()
        .iter()
        .any(|a| a.is(kind::BLOCK) && a.children().first().is_some_and(|c| c.is(kind::UNCHECKED)))
}

/// An earlier condition that rules the wrap out.
fn guards(cond: &Node<'_>, op: &str, lhs: &Node<'_>, rhs: &Node<'_>, n: &Node<'_>) -> bool {
    let (a, b) = (lhs.text(), rhs.text());
    match op {
        "-" | "-=" if bounded_by_text(cond, a, b) || positive_for(cond, a, rhs) => true,
        "-" | "-=" => cond.find_all(kind::BINARY).iter().any(|c| {
            let (Some(l), Some(r)) = (c.expr_field(field::LEFT), c.expr_field(field::RIGHT)) else {
                return false;
            };
            match c.operator() {
                Some(">=" | ">") => l.text() == a && r.text() == b,
                Some("<=" | "<") => l.text() == b && r.text() == a,
                _ => false,
            }
        }),
        _ => {
            let text = cond.text();
            let sum = n.text();
            text.contains(sum)
                || (text.contains(a)
                    && text.contains(b)
                    && (text.contains('/') || text.contains(">=") || text.contains('>')))
        }
    }
}

/// `total -= s` with `s` read from a ledger `shares[k]` that grows with `total` (some
/// function adds to both with `+=`): `total` is the sum of the ledger, so taking one share
/// out cannot wrap.
fn removes_a_share<'a>(
    cx: &Context<'a>,
    f: &Function<'a>,
    op: &str,
    lhs: &Node<'a>,
    rhs: &Node<'a>,
) -> bool {
    if !matches!(op, "-" | "-=") || !lhs.unwrap().is(kind::IDENTIFIER) {
        return false;
    }
    let total = lhs.unwrap().text();
    if !cx.is_state(lhs, total) {
        return false;
    }
    let Some(ledger) = find_source(f, *rhs, &|n| n.is(kind::INDEX))
        .and_then(|n| n.root_identifier())
        .filter(|l| cx.is_state(rhs, l))
    else {
        return false;
    };
    let grows = |g: &Function<'a>, var: &str| {
        g.body.is_some_and(|b| {
            b.find_all(kind::AUGMENTED_ASSIGNMENT)
                .iter()
                .any(|a| a.operator() == Some("+=") && cx.written_state(a) == Some(var))
        })
    };
    let lineage = cx.symbols().lineage(f.contract);
    cx.symbols()
        .functions()
        .filter(|g| lineage.contains(&g.contract))
        .any(|g| grows(g, total) && grows(g, ledger))
}

/// `require(a > 0)` (or `a != 0`, `a >= 1`) before `a -= 1`.
fn positive_for(cond: &Node<'_>, a: &str, rhs: &Node<'_>) -> bool {
    if !(rhs.unwrap().is(kind::NUMBER) && rhs.text().trim() == "1") {
        return false;
    }
    let flat = |t: &str| t.split_whitespace().collect::<String>();
    let (text, a) = (flat(cond.text()), flat(a));
    [
        format!("{a}>0"),
        format!("{a}!=0"),
        format!("{a}>=1"),
        format!("0<{a}"),
    ]
    .iter()
    .any(|s| text.contains(s.as_str()))
}

/// `b <= a`, `b < a`, `a >= b` or `a > b` in the condition's text, spaces ignored: the
/// grammar reads `b <= m[k]` as `(b <= m)[k]`, so the tree alone misses these.
fn bounded_by_text(cond: &Node<'_>, a: &str, b: &str) -> bool {
    let flat = |t: &str| t.split_whitespace().collect::<String>();
    let (text, a, b) = (flat(cond.text()), flat(a), flat(b));
    [
        format!("{b}<={a}"),
        format!("{b}<{a}"),
        format!("{a}>={b}"),
        format!("{a}>{b}"),
    ]
    .iter()
    .any(|s| text.contains(s.as_str()))
}

/// Whether the value of `n` is written to state or sent: the right side of a state write,
/// an argument of `send`/`transfer`, or a call's ether value.
fn reaches_sink<'a>(cx: &Context<'a>, n: &Node<'a>) -> bool {
    for a in n.ancestors() {
        match a.kind() {
            kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => {
                return a.field(field::RIGHT).is_some_and(|r| n.within(&r))
                    && cx.written_state(&a).is_some();
            }
            kind::CALL => {
                if let Some(call) = Call::of(a)
                    && (call.sends_ether() || call.value.is_some_and(|v| n.within(&v)))
                {
                    return true;
                }
            }
            kind::STATEMENT | kind::EXPRESSION_STATEMENT | kind::VARIABLE_DECLARATION_STATEMENT => {
                return false;
            }
            _ => {}
        }
    }
    false
}

/// `uint x = a * b;` / `x = a * b;` with `x` local: the local's name.
fn assigned_local<'t>(n: &Node<'t>) -> Option<&'t str> {
    let decl = n
        .ancestors()
        .into_iter()
        .find(|a| a.is(kind::VARIABLE_DECLARATION_STATEMENT))?;
    decl.children_of(kind::VARIABLE_DECLARATION).first()?.name()
}

/// Whether a tainted local computed by `n` is later stored or sent.
fn local_flows<'a>(cx: &Context<'a>, body: Node<'a>, n: &Node<'a>, tainted: &[&str]) -> bool {
    let Some(local) = assigned_local(n) else {
        return false;
    };
    if !tainted.contains(&local) {
        return false;
    }
    body.find_all(kind::IDENTIFIER)
        .iter()
        .filter(|i| i.text() == local && i.start_byte() > n.start_byte())
        .any(|i| reaches_sink(cx, i))
}

fn operand_is_param(f: &Function<'_>, lhs: &Node<'_>, rhs: &Node<'_>) -> bool {
    [lhs, rhs]
        .iter()
        .any(|o| o.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == o.text()))
}

fn short(text: &str) -> String {
    super::reentrancy::short(text)
}
