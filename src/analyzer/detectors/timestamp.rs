//! `timestamp` (SWC-116): decisions taken on `block.timestamp`/`now` (or `block.number` as a
//! clock): a comparison (in a condition, a `return`, anywhere), the amount of an ether
//! transfer, or a deadline computed from it and stored (`end = now + 1 days`; a plain
//! `last = now` records a time and decides nothing); directly or through a local that carries the
//! value. Validators can shift the timestamp by several seconds, and block times vary.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit, conditions};
use crate::analyzer::syntax::{Call, Node, field, kind};
use crate::report::{Confidence, Severity};

use super::flow::{assigned_local, reads};
use super::weak_randomness::chain_value;

pub struct Timestamp;

/// How many locals deep the value is followed.
const MAX_HOPS: usize = 4;

impl Detector for Timestamp {
    fn id(&self) -> &'static str {
        "timestamp"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-116")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        let cond_calls = OnceCell::new();
        for &n in &cx.nodes {
            let Some(source @ ("now" | "block.timestamp" | "block.number")) = chain_value(&n)
            else {
                continue;
            };
            let Some((at, what)) = decision(cx, n, source, 0) else {
                continue;
            };
            let via = if at.line() == n.line() {
                String::new()
            } else {
                format!(" (read on line {}, carried here in a local)", n.line())
            };
            for site in helper_sites(cx, &at, &cond_calls) {
                let helper = cx.function_name(&at).unwrap_or_default();
                hits.push(
                    Hit::new(&site, Severity::Low, Confidence::Medium, format!("Logic depends on `{source}` through `{helper}()`"))
                        .within(cx.function_name(&site))
                        .explain(
                            format!("`{helper}()` returns a comparison with `{source}` (line {}), and its result decides this condition. Validators can move the block timestamp by several seconds, so the outcome can be steered near the boundary.", at.line()),
                            "Allow for a tolerance of at least a few minutes, and never use block values to decide outcomes worth more than that drift.",
                        ),
                );
            }
            hits.push(
                Hit::new(&at, Severity::Low, Confidence::Medium, format!("Logic depends on `{source}`"))
                    .within(cx.function_name(&at))
                    .explain(
                        format!("`{source}`{via} {what} here. Validators can move the block timestamp by several seconds, and block numbers are only a rough clock, so a deadline, time window or time-based amount can be hit, missed or nudged on purpose."),
                        "Allow for a tolerance of at least a few minutes, and never use block values to decide outcomes worth more than that drift.",
                    ),
            );
        }
        hits
    }
}

/// The plain calls (`f(…)`) that sit in a condition anywhere in the file, by called name,
/// in source order.
type CondCalls<'a> = HashMap<&'a str, Vec<Node<'a>>>;

/// Finds `CondCalls` once per file, on first need: each returned comparison used to walk
/// every condition of the file again, which made one large file quadratic.
fn find_cond_calls<'a>(cx: &Context<'a>) -> CondCalls<'a> {
    let mut by_name: CondCalls<'a> = HashMap::new();
    let mut seen = HashSet::new();
    for cond in cx.root().map(conditions).unwrap_or_default() {
        for n in cond.descendants() {
            if let Some(c) = Call::of(n).filter(|c| n.is(kind::CALL) && c.target.is_none())
                && seen.insert((c.node.start_byte(), c.node.end_byte()))
            {
                by_name.entry(c.method).or_default().push(c.node);
            }
        }
    }
    for calls in by_name.values_mut() {
        calls.sort_by_key(|n| (n.start_byte(), n.end_byte()));
    }
    by_name
}

/// For a comparison returned by a function (`return now >= end;`), the calls of that
/// function that sit in a condition elsewhere in the file.
fn helper_sites<'a>(
    cx: &Context<'a>,
    at: &Node<'a>,
    cond_calls: &OnceCell<CondCalls<'a>>,
) -> Vec<Node<'a>> {
    let returned = at
        .ancestors()
        .into_iter()
        .take_while(|a| !a.is(kind::BLOCK))
        .any(|a| a.is(kind::RETURN));
    let Some(helper) = cx.symbols().enclosing(at).filter(|_| returned) else {
        return Vec::new();
    };
    cond_calls
        .get_or_init(|| find_cond_calls(cx))
        .get(helper.name)
        .into_iter()
        .flatten()
        .filter(|c| !c.within(&helper.node))
        .copied()
        .collect()
}

/// Where and how the value `n` decides something, following locals.
fn decision<'a>(
    cx: &Context<'a>,
    n: Node<'a>,
    source: &str,
    depth: usize,
) -> Option<(Node<'a>, &'static str)> {
    let clock = source != "block.number";
    // `now + 1 days`: a time computed from the clock, as a deadline is.
    let mut computed = false;
    for a in n.ancestors() {
        match a.kind() {
            kind::BINARY => match a.operator() {
                Some("<" | ">" | "<=" | ">=" | "==" | "!=") if clock => {
                    return Some((n, "decides a comparison"));
                }
                Some("<" | ">" | "<=" | ">=" | "==" | "!=") => return None,
                Some("+" | "-") => computed = true,
                _ => continue,
            },
            kind::CALL => {
                let Some(call) = Call::of(a) else { continue };
                if matches!(call.method, "keccak256" | "sha3" | "sha256") {
                    return None;
                }
                let amount = match call.method {
                    "send" | "transfer" if call.target.is_some() => {
                        call.arguments().first().copied()
                    }
                    _ => call.value,
                };
                if clock && amount.is_some_and(|v| n.within(&v)) {
                    return Some((n, "sets the amount of ether sent"));
                }
                // `_expired(block.timestamp)`: judged where the helper uses its parameter.
                if call.target.is_none()
                    && depth < MAX_HOPS
                    && let Some(contract) = cx.symbols().contract_at(&call.node)
                    && !cx.symbols().callables(contract, call.method).is_empty()
                {
                    let i = call.arguments().iter().position(|arg| n.within(arg));
                    return i
                        .filter(|&i| decided_in_callee(cx, &call, i, source, depth))
                        .map(|_| (n, "is passed to a function that compares it"));
                }
            }
            kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => {
                let right = a.field(field::RIGHT)?;
                if !n.within(&right) {
                    return None;
                }
                if cx.written_state(&a).is_some() || writes_immutable(cx, &a) {
                    return computed.then_some((n, "sets a deadline kept in state"));
                }
                return through_local(cx, n, source, depth);
            }
            kind::VARIABLE_DECLARATION_STATEMENT => return through_local(cx, n, source, depth),
            kind::STATE_VARIABLE => {
                return (clock && computed).then_some((n, "sets a deadline kept in state"));
            }
            kind::STATEMENT | kind::EXPRESSION_STATEMENT | kind::FUNCTION => return None,
            _ => {}
        }
    }
    None
}

/// `endsAt = block.timestamp + 3 days;` in a constructor, `endsAt` immutable: state all the
/// same, though `written_state` leaves constants out.
fn writes_immutable(cx: &Context<'_>, assignment: &Node<'_>) -> bool {
    let s = cx.symbols();
    let Some(name) = assignment
        .field(field::LEFT)
        .and_then(|l| l.root_identifier())
    else {
        return false;
    };
    s.contract_at(assignment)
        .and_then(|c| s.state_var(c, name))
        .is_some_and(|v| v.constant)
        && s.enclosing(assignment)
            .is_some_and(|f| !f.locals().contains(name))
}

/// Whether internal function `call.method`, given the clock as argument `index`, lets that
/// parameter decide something.
fn decided_in_callee<'a>(
    cx: &Context<'a>,
    call: &Call<'a>,
    index: usize,
    source: &str,
    depth: usize,
) -> bool {
    let s = cx.symbols();
    let Some(contract) = s.contract_at(&call.node) else {
        return false;
    };
    s.callables(contract, call.method).iter().any(|g| {
        let Some((param, _)) = g.params.get(index) else {
            return false;
        };
        reads(g, param)
            .into_iter()
            .any(|r| decision(cx, r, source, depth + 1).is_some())
    })
}

/// `uint t = now; if (t > end)` → the read of `t` that decides.
fn through_local<'a>(
    cx: &Context<'a>,
    n: Node<'a>,
    source: &str,
    depth: usize,
) -> Option<(Node<'a>, &'static str)> {
    if depth >= MAX_HOPS {
        return None;
    }
    let f = cx.symbols().enclosing(&n)?;
    let local = assigned_local(f, &n)?;
    reads(f, local)
        .into_iter()
        .filter(|r| r.start_byte() > n.start_byte())
        .find_map(|r| decision(cx, r, source, depth + 1))
}
