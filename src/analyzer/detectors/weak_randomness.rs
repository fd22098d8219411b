//! `weak-randomness` (SWC-120): randomness taken from chain values (`blockhash`,
//! `block.difficulty`/`prevrandao`, or `block.timestamp`/`now`/`block.number` hashed, taken
//! modulo, or stored as a seed), directly or through a local that carries the value. Miners
//! and other contracts can predict or steer them; a `view` that only returns such a number
//! is the same bug, since whoever acts on it can compute it first.

use crate::analyzer::Detector;
use crate::analyzer::context::{Context, Hit};
use crate::analyzer::syntax::{Call, Node, field, kind};
use crate::report::{Confidence, Severity};

use super::flow::{assigned_local, reads};

pub struct WeakRandomness;

/// How many locals deep a chain value is followed.
const MAX_HOPS: usize = 4;

impl Detector for WeakRandomness {
    fn id(&self) -> &'static str {
        "weak-randomness"
    }

    fn swc(&self) -> Option<&'static str> {
        Some("SWC-120")
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Hit> {
        let mut hits = Vec::new();
        for &n in &cx.nodes {
            let Some(source) = chain_value(&n) else {
                continue;
            };
            let always = matches!(
                source,
                "blockhash" | "block.difficulty" | "block.prevrandao"
            );
            // A value stored in a local is reported where the local is hashed or taken
            // modulo; one stored under a name like `seed` with no such use, where it is stored.
            let at = if randomness_use(&n, false) {
                Some(n)
            } else if always {
                // `bytes32 answer = blockhash(b); … if (guess == answer)`: where it decides.
                Some(first_use(cx, n).unwrap_or(n))
            } else {
                through_local(cx, n, 0).or_else(|| randomness_use(&n, true).then_some(n))
            };
            let Some(at) = at else { continue };
            let carried = at.line() != n.line();
            let via = if !carried {
                String::new()
            } else {
                format!(" (read on line {} and carried here in a local)", n.line())
            };
            hits.push(
                Hit::new(&at, Severity::High, Confidence::Medium, format!("Weak randomness from `{source}`"))
                    .also_at(carried.then_some(n.line()))
                    .within(cx.function_name(&at))
                    .explain(
                        format!("A number is derived from `{source}`{via}. That value is known to miners and validators, and to any contract calling in the same block, so the number can be predicted or chosen by whoever profits from the outcome."),
                        "Use a verifiable randomness source (a VRF oracle) or a commit-reveal scheme.",
                    ),
            );
        }
        hits
    }
}

/// `uint seed = block.timestamp; … seed % 10` → the read of `seed` that is hashed or
/// taken modulo.
fn through_local<'t>(cx: &Context<'t>, n: Node<'t>, depth: usize) -> Option<Node<'t>> {
    if depth >= MAX_HOPS {
        return None;
    }
    let f = cx.symbols().enclosing(&n)?;
    let local = assigned_local(f, &n)?;
    reads(f, local)
        .into_iter()
        .filter(|r| r.start_byte() > n.start_byte())
        .find_map(|r| {
            if randomness_use(&r, false) {
                Some(r)
            } else {
                through_local(cx, r, depth + 1)
            }
        })
}

/// The first later read of the local that `n` is stored in.
fn first_use<'t>(cx: &Context<'t>, n: Node<'t>) -> Option<Node<'t>> {
    let f = cx.symbols().enclosing(&n)?;
    let local = assigned_local(f, &n)?;
    reads(f, local)
        .into_iter()
        .find(|r| r.start_byte() > n.start_byte())
}

/// The chain value `n` reads, if it is one.
pub(super) fn chain_value(n: &Node<'_>) -> Option<&'static str> {
    if n.is(kind::IDENTIFIER) && n.text() == "now" && !n.outer().is_some_and(|p| p.is(kind::MEMBER))
    {
        return Some("now");
    }
    if let Some(call) = Call::of(*n)
        && call.method == "blockhash"
        && (call.target.is_none() || call.target.is_some_and(|t| t.text() == "block"))
    {
        return Some("blockhash");
    }
    for (prop, name) in [
        ("timestamp", "block.timestamp"),
        ("number", "block.number"),
        ("difficulty", "block.difficulty"),
        ("prevrandao", "block.prevrandao"),
        ("coinbase", "block.coinbase"),
    ] {
        if n.is_member("block", prop) && !is_callee(n) {
            return Some(name);
        }
    }
    None
}

/// Whether `n` is what a call calls (`block.blockhash` in `block.blockhash(x)`), not an
/// argument.
fn is_callee(n: &Node<'_>) -> bool {
    n.outer().is_some_and(|p| {
        p.is(kind::CALL)
            && p.expr_field(field::FUNCTION)
                .is_some_and(|callee| n.unwrap() == callee)
    })
}

/// Whether a chain value is used as randomness: hashed, taken modulo, or (with `by_name`)
/// stored in a variable that names itself a seed or random number.
fn randomness_use(n: &Node<'_>, by_name: bool) -> bool {
    // A hash of a chain value is a random number once it is used as one: converted to an
    // integer, compared, taken modulo. As a key (`id = sha3(msg.data, block.number)`) it is not.
    let mut hashed = false;
    for a in n.ancestors() {
        match a.kind() {
            kind::CALL => {
                if let Some(call) = Call::of(a) {
                    if matches!(call.method, "keccak256" | "sha3" | "sha256" | "ripemd160") {
                        hashed = true;
                    } else if hashed && call.target.is_none() && is_integer_type(call.method) {
                        return true;
                    }
                }
            }
            kind::BINARY if a.operator() == Some("%") => return true,
            kind::BINARY
                if hashed
                    && matches!(a.operator(), Some("==" | "!=" | "<" | ">" | "<=" | ">=")) =>
            {
                return true;
            }
            kind::RETURN if hashed => return true,
            kind::VARIABLE_DECLARATION_STATEMENT | kind::STATE_VARIABLE | kind::ASSIGNMENT => {
                let name = match a.kind() {
                    kind::ASSIGNMENT => a.field("left").and_then(|l| l.root_identifier()),
                    kind::STATE_VARIABLE => a.name(),
                    _ => a
                        .children_of(kind::VARIABLE_DECLARATION)
                        .first()
                        .and_then(|d| d.name()),
                };
                return (hashed || by_name) && name.is_some_and(random_name);
            }
            kind::STATEMENT | kind::FUNCTION => return false,
            _ => {}
        }
    }
    false
}

/// `uint`, `uint8` … `uint256`, `int…`: a conversion to a number.
fn is_integer_type(name: &str) -> bool {
    let digits = name
        .strip_prefix("uint")
        .or_else(|| name.strip_prefix("int"));
    digits.is_some_and(|d| d.chars().all(|c| c.is_ascii_digit()))
}

fn random_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "rand", "seed", "salt", "entropy", "lucky", "lottery", "winner", "dice",
    ]
    .iter()
    .any(|w| n.contains(w))
}
