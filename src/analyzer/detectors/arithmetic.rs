//! Integer overflow and underflow: arithmetic on state variables in contracts compiled before
//! Solidity 0.8, where arithmetic wraps instead of reverting.

use super::scan::{
    find_token, ident_before, is_ident_byte, starts_with_word, statements, strip_control,
};
use super::structure::{assignment, body_statements, functions, state_variables};
use std::collections::HashSet;

use super::version::all_below;
use super::{Detector, Finding, Language, SOLIDITY, Severity, SourceFile, code_span, finding};

/// `integer-overflow` (High when the operand comes from a caller of an external function,
/// else Medium). Only when the pragma admits nothing from 0.8 on. Flags updates of a state
/// variable with `+=`, `-=`, `*=`, `++`, `--`, or `= a + b` (binary `+ - *` outside brackets,
/// with a state variable or parameter among the operands); and, in external functions, a
/// product involving a parameter assigned to anything (`amount = cnt * _value`, the BEC
/// batchOverflow). Skipped: increments by a constant (`x++`, `x += 1`, `x = x + 1`: types
/// are unknown, and a uint256 counter cannot wrap in practice), `x += msg.value` (the ether
/// supply cannot overflow uint256), a parameter's `.length` as the only operand, and
/// updates after an earlier `require`/`assert`/`if`/`while` in the same function that
/// compares the target or the parameter. Limits: types are unknown, so the maths may be on a
/// type where wrapping is harmless or impossible in practice; a guard in a helper or
/// modifier, or one that comes later, is not seen; additions into locals are not checked.
pub struct IntegerOverflow;

/// One risky update.
struct Hit<'a> {
    /// The variable that receives the wrapped value.
    target: &'a str,
    /// A subtraction (underflow) rather than an addition or product.
    under: bool,
    /// A function parameter among the operands.
    param: Option<&'a str>,
    /// The target is a state variable.
    state: bool,
    /// The operand after the operator, for the suggested check.
    rhs: &'a str,
}

impl Detector for IntegerOverflow {
    fn id(&self) -> &'static str {
        "integer-overflow"
    }

    fn languages(&self) -> &'static [Language] {
        SOLIDITY
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let Some(pragma) = src.pragma().filter(|p| all_below(&p.constraint, (0, 8, 0))) else {
            return Vec::new();
        };
        let stmts = statements(src);
        let state = state_variables(&stmts);
        let mut out = Vec::new();
        for f in functions(src) {
            let from_caller = f.external && f.name != "constructor";
            // Names compared in an earlier `require`/`if`/… condition of this function.
            let mut checked: HashSet<&str> = HashSet::new();
            for st in body_statements(&stmts, &f) {
                let rest = strip_control(st.text);
                let local = || local_product(rest, &f.params).filter(|_| from_caller);
                let hit = state_update(rest, &state, &f.params).or_else(local);
                checked.extend(compared_names(st.text));
                let Some(hit) = hit else { continue };
                let guarded = |name: &str| checked.contains(name);
                if guarded(hit.target) || hit.param.is_some_and(guarded) {
                    continue;
                }
                let line = src.line_of(st.start + st.text.len() - rest.len());
                let (severity, source) = match hit.param.filter(|_| from_caller) {
                    Some(p) => (
                        Severity::High,
                        format!(
                            " The operand `{p}` comes straight from the caller of `{}`.",
                            f.name
                        ),
                    ),
                    None => (Severity::Medium, String::new()),
                };
                let (what, direction) = if hit.under {
                    ("underflow", "below zero")
                } else {
                    ("overflow", "past its maximum")
                };
                let stored = if hit.state {
                    format!(
                        "the wrapped value is stored in the state variable `{}`",
                        hit.target
                    )
                } else {
                    format!(
                        "the rest of `{}` then trusts the wrapped `{}`",
                        f.name, hit.target
                    )
                };
                let simple_rhs =
                    !hit.rhs.is_empty() && hit.rhs.bytes().all(|b| is_ident_byte(b) || b == b'.');
                let check = match (hit.under, simple_rhs) {
                    (true, true) => format!(
                        ", e.g. `require({} >= {})` before subtracting",
                        hit.target, hit.rhs
                    ),
                    _ => String::new(),
                };
                out.push(finding(
                    src,
                    self.id(),
                    severity,
                    line,
                    format!("Integer {what} in `{}`", hit.target),
                    format!(
                        "The pragma `{}` means a compiler before 0.8, whose arithmetic wraps silently. {} can {what} \
                         {direction}, and {stored}.{source}",
                        pragma.constraint,
                        code_span(rest.trim_end_matches(';')),
                    ),
                    format!(
                        "Compile with Solidity 0.8 or later (checked arithmetic by default), or use SafeMath \
                         (`add`, `sub`, `mul`) for this update and validate the inputs first{check}."
                    ),
                ));
            }
        }
        out
    }
}

/// Arithmetic stored into a state variable.
fn state_update<'a>(stmt: &'a str, state: &HashSet<&str>, params: &[&'a str]) -> Option<Hit<'a>> {
    let a = assignment(stmt).filter(|a| state.contains(a.root))?;
    let mut names = a.rhs.split(|c: char| !is_ident_byte(c as u8));
    let ops = binary_ops(a.rhs);
    let risky = match a.op {
        "+=" => a.rhs != "msg.value" && !is_number(a.rhs),
        "-=" | "*=" | "--" => true,
        "=" => {
            !ops.is_empty()
                && (names.any(|n| state.contains(n)) || caller_operand(a.rhs, params).is_some())
                && !is_increment(a.lhs, a.rhs)
        }
        _ => false,
    };
    risky.then(|| Hit {
        target: a.root,
        under: matches!(a.op, "-=" | "--") || a.op == "=" && ops.contains(&b'-'),
        param: caller_operand(a.rhs, params),
        state: true,
        rhs: a.rhs,
    })
}

/// A product involving a parameter, assigned to anything: `uint256 amount = uint256(cnt) * _value;`.
fn local_product<'a>(stmt: &'a str, params: &[&'a str]) -> Option<Hit<'a>> {
    let s = stmt.trim_end_matches(';').trim_end();
    let b = s.as_bytes();
    let mut depth = 0usize;
    let eq = (0..b.len()).find(|&i| {
        match b[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        let prev = if i > 0 { b[i - 1] } else { b' ' };
        depth == 0
            && b[i] == b'='
            && !b"=!<>+-*/%|&^".contains(&prev)
            && !matches!(b.get(i + 1), Some(b'=' | b'>'))
    })?;
    let (lhs, rhs) = (&s[..eq], s[eq + 1..].trim());
    if !binary_ops(rhs).contains(&b'*') {
        return None;
    }
    let param = caller_operand(rhs, params)?;
    let (_, target) = ident_before(lhs, lhs.len())?;
    Some(Hit {
        target,
        under: false,
        param: Some(param),
        state: false,
        rhs,
    })
}

/// A parameter used as a value in `expr` (its `.length` alone is not caller-sized data).
fn caller_operand<'a>(expr: &str, params: &[&'a str]) -> Option<&'a str> {
    params.iter().copied().find(|p| {
        find_token(expr, p)
            .into_iter()
            .any(|at| !expr[at + p.len()..].trim_start().starts_with(".length"))
    })
}

/// A numeric literal: `1`, `20`, `1e18`, `0xff`.
fn is_number(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_digit()) && s.bytes().all(|b| is_ident_byte(b) || b == b'.')
}

/// `x = x + 1`: the target plus constants. A uint256 counter cannot wrap in practice.
fn is_increment(lhs: &str, rhs: &str) -> bool {
    let flat = |s: &str| s.split_whitespace().collect::<String>();
    let ops = binary_ops(rhs);
    let parts: Vec<String> = rhs.split('+').map(flat).collect();
    ops.iter().all(|&op| op == b'+')
        && parts.len() == ops.len() + 1
        && parts.iter().any(|p| *p == flat(lhs))
        && parts.iter().all(|p| *p == flat(lhs) || is_number(p))
}

/// The binary `+`, `-`, `*` operators of an expression outside any brackets (a sign or the
/// second `*` of `**` is not one).
fn binary_ops(expr: &str) -> Vec<u8> {
    let mut depth = 0usize;
    let mut last = b' ';
    let mut ops = Vec::new();
    for b in expr.bytes() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*'
                if depth == 0 && (is_ident_byte(last) || last == b')' || last == b']') =>
            {
                ops.push(b)
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            last = b;
        }
    }
    ops
}

/// The names inside the condition of a `require`/`assert`/`if`/`while` statement that makes
/// a comparison (`require(count >= input)` gives `count`, `input`); empty for anything else.
fn compared_names(text: &str) -> Vec<&str> {
    let t = text.strip_prefix("else").map_or(text, str::trim_start);
    let check = ["require", "assert", "if", "while"]
        .iter()
        .any(|k| starts_with_word(t, k));
    let flat = t.replace("=>", "").replace("<<", "").replace(">>", "");
    let Some(open) = t.find('(').filter(|_| check && flat.contains(['<', '>'])) else {
        return Vec::new();
    };
    t[open..]
        .split(|c: char| !is_ident_byte(c as u8))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(usize, Severity)> {
        IntegerOverflow
            .check(&SourceFile::with_language(text, Language::Solidity))
            .iter()
            .map(|f| (f.line, f.severity))
            .collect()
    }

    const MINIMAL: &str = "pragma solidity ^0.4.19;\ncontract C {\n  uint public count = 1;\n  function run(uint256 input) public {\n    count -= input;\n  }\n}";

    #[test]
    fn unchecked_state_arithmetic_before_0_8_is_flagged() {
        assert_eq!(found(MINIMAL), [(5, Severity::High)]);
        let f = &IntegerOverflow.check(&SourceFile::with_language(MINIMAL, Language::Solidity))[0];
        assert_eq!(f.title, "Integer underflow in `count`");
        assert!(
            f.explanation
                .contains("`input` comes straight from the caller of `run`"),
            "{}",
            f.explanation
        );
        assert!(
            f.recommendation.contains("`require(count >= input)`"),
            "{}",
            f.recommendation
        );
        // BEC's batchOverflow: a product of caller input in a local.
        let bec = MINIMAL.replace(
            "count -= input;",
            "uint256 amount = uint256(cnt) * input;\n    require(input > 0);",
        );
        assert_eq!(found(&bec), [(5, Severity::High)]);
        let ctor = MINIMAL.replace(
            "function run(uint256 input) public",
            "constructor(uint256 input) public",
        );
        assert_eq!(found(&ctor), [(5, Severity::Medium)]);
        let more = MINIMAL.replace(
            "count -= input;",
            "count--;\n    count = count * 2;\n    if (x) total += count;",
        );
        assert_eq!(
            found(&more.replace("uint public count = 1;", "uint count; uint total;")),
            [
                (5, Severity::Medium),
                (6, Severity::Medium),
                (7, Severity::Medium)
            ]
        );
    }

    #[test]
    fn checked_safe_or_modern_arithmetic_is_not_flagged() {
        assert!(found(&MINIMAL.replace("^0.4.19", "^0.8.0")).is_empty());
        assert!(found(&MINIMAL.replace("^0.4.19", ">=0.4.19")).is_empty());
        assert!(
            found(&MINIMAL.replace(
                "count -= input;",
                "require(count >= input);\n    count -= input;"
            ))
            .is_empty()
        );
        assert!(found(&MINIMAL.replace("count -= input;", "count = count.sub(input);")).is_empty());
        assert!(found(&MINIMAL.replace("count -= input;", "uint local = input - 1;")).is_empty());
        assert!(found(&MINIMAL.replace("count -= input;", "// count -= input;")).is_empty());
        assert!(found(&MINIMAL.replace("count -= input;", "count += msg.value;")).is_empty());
        assert!(
            found(&MINIMAL.replace("count -= input;", "count =+ 1;")).is_empty(),
            "unary plus"
        );
        assert!(
            found(&MINIMAL.replace(
                "count -= input;",
                "count++;\n count += 1;\n count = count + 1;"
            ))
            .is_empty()
        );
        assert!(
            found(
                &MINIMAL
                    .replace("uint256 input", "uint[] input")
                    .replace("count -= input;", "count = input.length + 1;")
            )
            .is_empty()
        );
        assert!(found(&MINIMAL.replace("count -= input;", "count = block.number + 1;")).is_empty());
        assert!(found(&MINIMAL.replace("count -= input;", "count = f(count - 1);")).is_empty());
        assert!(
            found(&MINIMAL.replace("count -= input;", "uint256 amount = 2 * count;")).is_empty()
        );
        assert!(
            found(
                &MINIMAL
                    .replace("public {", "internal {")
                    .replace("count -= input;", "uint a = input * 2;")
            )
            .is_empty()
        );
        assert!(found(&MINIMAL.replace("pragma solidity ^0.4.19;\n", "")).is_empty());
    }
}
