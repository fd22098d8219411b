//! A typed view of a call expression: what is called, on what, with which ether value and gas.
//! Solidity spells the same call three ways (`a.call.value(v)()`, `a.call{value: v}()`,
//! `a.call.value(v).gas(g)()`), and every call detector needs them read alike.

use super::{Node, field, kind};

/// Members that make a low-level call on an address.
pub const LOW_LEVEL: &[&str] = &[
    "call",
    "send",
    "delegatecall",
    "callcode",
    "staticcall",
    "transfer",
];

/// One call expression, normalised.
#[derive(Clone, Copy, Debug)]
pub struct Call<'t> {
    /// The whole call expression.
    pub node: Node<'t>,
    /// What the call is made on: `a` in `a.call(...)`; `None` for a plain `f(...)`.
    pub target: Option<Node<'t>>,
    /// The called name: `call`, `transfer`, `require`, `withdraw`, …
    pub method: &'t str,
    /// The ether value passed with `.value(v)` or `{value: v}`.
    pub value: Option<Node<'t>>,
    /// The gas passed with `.gas(g)` or `{gas: g}`.
    pub gas: Option<Node<'t>>,
}

/// The grammar binds `.` looser than binary operators, so `a == b.f()` comes out as
/// `(a == b).f()`: the object of the call is the binary's right operand.
fn rightmost(mut object: Node<'_>) -> Node<'_> {
    while object.is(kind::BINARY) {
        match object.expr_field(field::RIGHT) {
            Some(right) => object = right,
            None => break,
        }
    }
    object
}

impl<'t> Call<'t> {
    /// Reads `node` as a call; `None` for anything else.
    pub fn of(node: Node<'t>) -> Option<Call<'t>> {
        let node = node.unwrap();
        if !node.is(kind::CALL) {
            return None;
        }
        let mut callee = node.expr_field(field::FUNCTION)?;
        let (mut value, mut gas) = (None, None);
        loop {
            if callee.is(kind::CALL_OPTIONS) {
                for opt in callee.children_of(kind::CALL_OPTION) {
                    match opt.name() {
                        Some("value") => value = opt.expr_field(field::VALUE),
                        Some("gas") => gas = opt.expr_field(field::VALUE),
                        _ => {}
                    }
                }
                callee = callee.expr_field(field::TYPE)?;
                continue;
            }
            if callee.is(kind::CALL)
                && let Some(inner) = callee.expr_field(field::FUNCTION)
                && let Some((object, prop @ ("value" | "gas"))) = inner.member()
            {
                let arg = Call::arguments_of(callee).into_iter().next();
                if prop == "value" {
                    value = arg;
                } else {
                    gas = arg;
                }
                callee = object;
                continue;
            }
            break;
        }
        let (target, method) = match callee.member() {
            Some((object, prop)) => (Some(rightmost(object)), prop),
            None if callee.is(kind::IDENTIFIER) => (None, callee.text()),
            None => (None, ""),
        };
        Some(Call {
            node,
            target,
            method,
            value,
            gas,
        })
    }

    fn arguments_of(call: Node<'t>) -> Vec<Node<'t>> {
        call.children_of(kind::CALL_ARGUMENT)
            .into_iter()
            .map(Node::unwrap)
            .collect()
    }

    /// The call's own arguments, unwrapped.
    pub fn arguments(&self) -> Vec<Node<'t>> {
        Call::arguments_of(self.node)
    }

    /// A low-level call on an address (`call`, `send`, `transfer`, …).
    pub fn is_low_level(&self) -> bool {
        self.target.is_some() && LOW_LEVEL.contains(&self.method)
    }

    /// Whether the call can move ether: `send`, `transfer`, or a call with a value.
    pub fn sends_ether(&self) -> bool {
        self.target.is_some()
            && (matches!(self.method, "send" | "transfer")
                || (matches!(self.method, "call" | "callcode") && self.value.is_some()))
    }

    /// Whether the callee gets enough gas to run code and call back (`call` without a small
    /// fixed gas; not `send`/`transfer`, which forward 2,300).
    pub fn can_reenter(&self) -> bool {
        self.target.is_some() && matches!(self.method, "call" | "callcode" | "delegatecall")
    }

    /// Whether the call's result is thrown away (the call is a statement of its own).
    pub fn result_discarded(&self) -> bool {
        self.node
            .outer()
            .is_some_and(|p| p.is(kind::EXPRESSION_STATEMENT))
    }
}
