//! `reentrancy` (SWC-107): a call that hands control to another contract, followed in the
//! same function (or in an internal function it calls, in this file) by a write to state.
//! The callee can call back in before the write and see the old state. Only writes to state
//! the function read before the call count (what the re-entered code would act on), as in
//! Slither. Quiet when a reentrancy-guard modifier protects the function.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::symbols::{Function, FunctionKind};
use crate::analyzer::syntax::{Call, Node, kind};
use crate::report::{Confidence, Severity};

pub struct Reentrancy;

/// How deep internal calls are followed.
const MAX_DEPTH: usize = 3;

/// One step of a function in execution order.
pub(super) enum Step<'t> {
    /// A call that forwards enough gas to run code and call back.
    ExternalCall {
        call: Call<'t>,
    },
    /// `send`/`transfer`: the callee runs on a 2,300-gas stipend.
    LimitedCall {
        call: Call<'t>,
    },
    StateWrite {
        node: Node<'t>,
        var: &'t str,
    },
    StateRead {
        var: &'t str,
    },
}

/// Whether `f` is worth asking: it can write state, is not a constructor, and no
/// reentrancy guard protects it.
pub(super) fn may_reenter(f: &Function<'_>) -> bool {
    !(f.is_read_only() || f.kind == FunctionKind::Constructor || guarded(f))
}

/// The steps of `f` in execution order: those of the modifiers it uses first (a modifier
/// that calls out before `_` and a function that writes after is the same bug), then its
/// own, following internal calls.
pub(super) fn steps<'t>(cx: &Context<'t>, f: &Function<'t>) -> Vec<Step<'t>> {
    let mut out = Vec::new();
    for m in &f.modifiers {
        for def in cx.symbols().callables(f.contract, m) {
            if def.kind == FunctionKind::Modifier {
                collect(cx, def, 0, &mut vec![def.node.id()], &mut out);
            }
        }
    }
    collect(cx, f, 0, &mut vec![f.node.id()], &mut out);
    out
}

/// The first call (a full-gas one, or with `limited` a `send`/`transfer`) followed by a
/// state write, and that write. With `read_first`, only a write to a variable the function
/// read before the call counts: a callee re-entering then acts on a value about to change.
pub(super) fn write_after<'s, 't>(
    steps: &'s [Step<'t>],
    limited: bool,
    read_first: bool,
) -> Option<(&'s Call<'t>, Node<'t>, &'t str)> {
    let (i, call) = steps.iter().enumerate().find_map(|(i, s)| match s {
        Step::ExternalCall { call } if !limited => Some((i, call)),
        Step::LimitedCall { call } if limited => Some((i, call)),
        _ => None,
    })?;
    let read_before = |v: &str| {
        steps[..i]
            .iter()
            .any(|s| matches!(s, Step::StateRead { var } if *var == v))
    };
    let (node, var) = steps[i + 1..].iter().find_map(|s| match s {
        Step::StateWrite { node, var } if !read_first || read_before(var) => Some((*node, *var)),
        _ => None,
    })?;
    Some((call, node, var))
}

impl Detector for Reentrancy {
    fn id(&self) -> &'static str {
        "reentrancy"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-107")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for f in cx.symbols().functions() {
            if !may_reenter(f) {
                continue;
            }
            let steps = steps(cx, f);
            let Some((call, write, var)) = write_after(&steps, false, true) else {
                continue;
            };
            let with_value = call.value.is_some();
            let (severity, confidence) = if with_value {
                (Severity::High, Confidence::High)
            } else {
                (Severity::Medium, Confidence::Medium)
            };
            let (line, end, also) = span(f, call, &write);
            let name = f.display_name();
            hits.push(
                Hit::at_line(line, severity, confidence, format!("Reentrancy in `{name}`"))
                    .to_line(end)
                    .also_at(also)
                    .within(Some(name.clone()))
                    .explain(
                        format!(
                            "`{name}` makes an external call (`{}`, line {}){} and writes the state variable `{var}` afterwards (line {}). The callee can call back into the contract before `{var}` is updated and act on the stale value, for example withdrawing the same balance again.",
                            short(call.node.text()),
                            call.node.line(),
                            if with_value { " that sends ether" } else { "" },
                            write.line()
                        ),
                        format!("Update `{var}` before the external call (checks-effects-interactions), or protect `{name}` with a reentrancy guard such as OpenZeppelin's `nonReentrant`."),
                    ),
            );
        }
        hits
    }
}

/// Where a finding about `call` and the later `write` in `f` points: from the call to the
/// write when both lie in `f` in that order; otherwise at the call, with the write (and,
/// for a call made in a modifier or helper, `f` itself) as further places.
pub(super) fn span(
    f: &Function<'_>,
    call: &Call<'_>,
    write: &Node<'_>,
) -> (usize, usize, Vec<usize>) {
    let inside = |n: &Node<'_>| n.within(&f.node);
    let at = call.node.line();
    if inside(&call.node) && inside(write) && write.line() >= at {
        return (at, write.line(), Vec::new());
    }
    let mut also = vec![write.line()];
    if !inside(&call.node) {
        also.push(f.node.line());
    }
    also.retain(|&l| l != at);
    (at, at, also)
}

/// External calls and state writes of `f` in source order, following internal calls.
fn collect<'t>(
    cx: &Context<'t>,
    f: &Function<'t>,
    depth: usize,
    visiting: &mut Vec<usize>,
    out: &mut Vec<Step<'t>>,
) {
    let Some(body) = f.body else {
        return;
    };
    // Post-order, so an assignment's right side (a call) comes before the write itself.
    for n in post_order(body) {
        if let Some(call) = Call::of(n) {
            if (call.can_reenter() && call.method != "delegatecall")
                || is_contract_call(cx, f, &call)
            {
                out.push(Step::ExternalCall { call });
                continue;
            }
            if call.target.is_some() && matches!(call.method, "send" | "transfer") {
                out.push(Step::LimitedCall { call });
                continue;
            }
            if call.target.is_none() && depth < MAX_DEPTH {
                for callee in cx.symbols().callables(f.contract, call.method) {
                    if callee.kind == FunctionKind::Function
                        && !visiting.contains(&callee.node.id())
                    {
                        visiting.push(callee.node.id());
                        collect(cx, callee, depth + 1, visiting, out);
                        visiting.pop();
                    }
                }
            }
        }
        if let Some(var) = cx.written_state(&n) {
            out.push(Step::StateWrite { node: n, var });
        } else if n.is(kind::IDENTIFIER) && cx.is_state(&n, n.text()) {
            out.push(Step::StateRead { var: n.text() });
        }
    }
}

/// A call of a function on another contract of a type declared in this file:
/// `Bank(msg.sender).supportsToken()`, `token.transferFrom(…)` with `token` typed `Token`.
pub(super) fn is_contract_call(cx: &Context<'_>, f: &Function<'_>, call: &Call<'_>) -> bool {
    let Some(target) = call.target else {
        return false;
    };
    if call.is_low_level() {
        return false;
    }
    let s = cx.symbols();
    if let Some(cast) = Call::of(target)
        && cast.target.is_none()
    {
        return s.is_contract_type(cast.method);
    }
    if !target.is(kind::IDENTIFIER) {
        return false;
    }
    let name = target.text();
    let declared = f
        .params
        .iter()
        .find(|(p, _)| *p == name)
        .map(|(_, t)| *t)
        .or_else(|| s.state_var(f.contract, name).map(|v| v.type_text));
    declared.is_some_and(|t| s.is_contract_type(t.trim()))
}

fn post_order<'t>(root: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    fn walk<'t>(n: Node<'t>, out: &mut Vec<Node<'t>>) {
        for c in n.children() {
            walk(c, out);
        }
        out.push(n);
    }
    walk(root, &mut out);
    out
}

/// A reentrancy-guard modifier: `nonReentrant`, `noReentrancy`, `lock`, `mutex`, …
fn guarded(f: &Function<'_>) -> bool {
    f.modifiers.iter().any(|m| {
        let m = m.to_ascii_lowercase();
        m.contains("reentr") || m.contains("lock") || m.contains("mutex") || m.contains("guard")
    })
}

/// The first line of a call, shortened for a sentence.
pub(super) fn short(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    if first.chars().count() > 60 {
        format!("{}…", first.chars().take(60).collect::<String>())
    } else {
        first.to_owned()
    }
}
