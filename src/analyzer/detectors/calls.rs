//! Unchecked low-level calls: `.call`, `.send`, `.delegatecall` (Vyper `raw_call`) whose
//! success flag is thrown away.

use super::scan::{
    find_token, has_kwarg, ident_before, is_ident_byte, matching_open, raw_calls, skip_ws,
    statements, strip_control,
};
use super::version::all_below;
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, code_span, finding};

/// A low-level call that is a whole statement: `to.call{value: v}(data);`.
#[derive(Debug, PartialEq)]
struct BareCall<'a> {
    /// Offset of the member name (`call`, `send`, `delegatecall`).
    at: usize,
    kind: &'a str,
    receiver: &'a str,
    /// Sends ether: `.send`, `{value: …}` or the old `.value(…)`.
    value: bool,
}

/// Matches a statement (control prefixes already stripped) that is nothing but a low-level
/// call: no assignment, no `require(…)` around it, no `return`, `bool ok =` or `(bool ok, ) =`.
fn bare_call(s: &str) -> Option<BareCall<'_>> {
    let s = s.trim_end().strip_suffix(';')?.trim_end();
    if !s.ends_with(')') {
        return None;
    }
    let mut rest = &s[..matching_open(s, s.len() - 1)?];
    let mut value = false;
    loop {
        rest = rest.trim_end();
        if rest.ends_with('}') {
            let open = matching_open(rest, rest.len() - 1)?;
            value |= !find_token(&rest[open..], "value").is_empty();
            rest = &rest[..open];
        } else if rest.ends_with(')') {
            // The pre-0.7 `.value(v)` / `.gas(g)` modifiers.
            let open = matching_open(rest, rest.len() - 1)?;
            let (start, member) = ident_before(rest, open)?;
            if member != "value" && member != "gas" {
                return None;
            }
            value |= member == "value";
            rest = rest[..start].trim_end().strip_suffix('.')?;
        } else {
            let (at, kind) = ident_before(rest, rest.len())?;
            if !matches!(kind, "call" | "send" | "delegatecall") {
                return None;
            }
            let receiver = rest[..at].trim_end().strip_suffix('.')?.trim();
            return is_plain_chain(receiver).then_some(BareCall {
                at,
                kind,
                receiver,
                value: value || kind == "send",
            });
        }
    }
}

/// Whether `s` is a bare member/call chain like `payable(owner)` or `users[i].wallet`, and not
/// `return x`, `bool ok = x` or anything with an operator outside brackets.
fn is_plain_chain(s: &str) -> bool {
    let (mut depth, mut last, mut gap) = (0usize, b'.', false);
    for b in s.bytes() {
        if depth > 0 {
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
            continue;
        }
        match b {
            b if b.is_ascii_whitespace() => {
                gap = true;
                continue;
            }
            b'.' => last = b'.',
            b'(' | b'[' if !(gap && is_ident_byte(last)) => {
                depth += 1;
                last = b')';
            }
            b if is_ident_byte(b) && !(gap && (is_ident_byte(last) || last == b')')) => last = b,
            _ => return false,
        }
        gap = false;
    }
    depth == 0 && !s.is_empty()
}

/// `unchecked-call` (High when ether moves, else Medium). Flags a statement that is only a
/// low-level `.call(…)`, `.call{value: …}(…)`, `.call.value(…)(…)`, `.send(…)` or
/// `.delegatecall(…)`, after any `if (…)`/`else` prefix, even across lines. Vyper: a bare
/// `raw_call(…, revert_on_failure=False)`. Limits: a result assigned to a variable that is
/// then never checked is missed (that needs data flow), and so is a call inside a larger
/// expression such as `a.send(x) || b.send(x);`.
pub struct UncheckedCall;

impl Detector for UncheckedCall {
    fn id(&self) -> &'static str {
        "unchecked-call"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let mut out = Vec::new();
        for st in statements(src) {
            let (at, what, value, fix) = match src.language() {
                Language::Solidity => {
                    let rest = strip_control(st.text);
                    let Some(call) = bare_call(rest) else {
                        continue;
                    };
                    let what = code_span(&format!("{}.{}(…)", call.receiver, call.kind));
                    let r = call.receiver;
                    // Before 0.5, low-level calls return a bare `bool`.
                    let legacy = src
                        .pragma()
                        .is_some_and(|p| all_below(&p.constraint, (0, 5, 0)));
                    let fix = match (legacy, call.kind, call.value) {
                        (true, kind, _) => format!("`require({r}.{kind}(…));`"),
                        (false, "delegatecall", _) => {
                            format!(
                                "`(bool ok, ) = {r}.delegatecall(data); require(ok, \"delegatecall failed\");`"
                            )
                        }
                        (false, _, true) => format!(
                            "`(bool ok, ) = {r}.call{{value: amount}}(\"\"); require(ok, \"transfer failed\");`"
                        ),
                        (false, _, false) => {
                            format!("`(bool ok, ) = {r}.call(data); require(ok, \"call failed\");`")
                        }
                    };
                    let library =
                        " (OpenZeppelin's `Address` library wraps this and reverts on failure)";
                    let fix = if legacy { fix } else { fix + library };
                    (st.text.len() - rest.len() + call.at, what, call.value, fix)
                }
                Language::Vyper => {
                    let Some((at, args)) = raw_calls(st.text).into_iter().next() else {
                        continue;
                    };
                    let end = skip_ws(st.text, at + "raw_call".len()) + args.len();
                    let whole = at == 0 && st.text[end..].trim().is_empty();
                    if !whole || !has_kwarg(args, "revert_on_failure", "False") {
                        continue;
                    }
                    let fix = "keep the default `revert_on_failure=True`, or write `success: bool = raw_call(…, \
                               revert_on_failure=False)` and `assert success`"
                        .to_owned();
                    (
                        at,
                        "`raw_call(…, revert_on_failure=False)`".to_owned(),
                        has_kwarg(args, "value", ""),
                        fix,
                    )
                }
            };
            let line = src.line_of(st.start + at);
            let (severity, effect) = if value {
                (
                    Severity::High,
                    "ether may not have been sent while the contract carries on as if it had",
                )
            } else {
                (
                    Severity::Medium,
                    "a failed call goes unnoticed and later logic runs on a wrong assumption",
                )
            };
            out.push(finding(
                src,
                self.id(),
                severity,
                line,
                "Unchecked low-level call",
                format!(
                    "The success flag returned by {what} on line {line} is discarded. Low-level calls do not revert \
                     when the callee fails; they return `false`, so {effect}."
                ),
                format!("Check the result: {fix}."),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, sol};
    use super::*;

    #[test]
    fn bare_calls_are_recognized() {
        let b = |s| bare_call(s).map(|c| (c.kind, c.receiver, c.value));
        assert_eq!(b("callee.call();"), Some(("call", "callee", false)));
        assert_eq!(
            b("msg.sender.call.value(amount)();"),
            Some(("call", "msg.sender", true))
        );
        assert_eq!(
            b("payable(to)\n    .call{value: x, gas: 5000}(\"\");"),
            Some(("call", "payable(to)", true))
        );
        assert_eq!(
            b("users[i].wallet.send(1);"),
            Some(("send", "users[i].wallet", true))
        );
        for used in [
            "require(callee.call());",
            "(bool ok, ) = to.call{value: 1}(\"\");",
            "bool ok = to.send(1);",
            "ok = to.send(1);",
            "return to.send(1);",
            "to.transfer(1);",
            "emit Sent(to.send(1));",
            "a.send(1) || b.send(1);",
        ] {
            assert_eq!(b(used), None, "{used}");
        }
    }

    #[test]
    fn unchecked_calls_are_flagged_across_lines_and_branches() {
        let text = "function f() {\n  if (x) to.send(1);\n  to\n    .call{value: 1}(\"\");\n  lib.call(data);\n  require(to.send(2));\n}";
        assert_eq!(
            sol(&UncheckedCall, text),
            [
                (2, Severity::High),
                (4, Severity::High),
                (5, Severity::Medium)
            ]
        );
        let vy = "@external\ndef f(t: address):\n    raw_call(t, b\"\", value=1, revert_on_failure=False)\n    ok: bool = raw_call(t, b\"\", revert_on_failure=False)\n    raw_call(t, b\"\")\n";
        assert_eq!(
            run(&UncheckedCall, vy, Language::Vyper),
            [(3, Severity::High)]
        );
    }

    #[test]
    fn unchecked_call_fixes_match_the_compiler_version() {
        let fix = |text: &str| {
            UncheckedCall.check(&SourceFile::with_language(text, Language::Solidity))[0]
                .recommendation
                .clone()
        };
        let old = fix("pragma solidity 0.4.25;\nfunction f() { callee.call(); }");
        assert!(old.contains("`require(callee.call(…));`"), "{old}");
        let plain = fix("pragma solidity ^0.8.0;\nfunction f() { lib.call(d); }");
        assert!(
            plain.contains("`(bool ok, ) = lib.call(data); require(ok, \"call failed\");`"),
            "{plain}"
        );
        let value = fix("function f() { to.send(1); }");
        assert!(value.contains("to.call{value: amount}"), "{value}");
    }

    #[test]
    fn unchecked_calls_in_comments_and_strings_are_ignored() {
        assert!(
            sol(
                &UncheckedCall,
                "// to.send(1);\n/* lib.call(d); */\nlog(\"a.call();\");"
            )
            .is_empty()
        );
        assert!(
            run(
                &UncheckedCall,
                "# raw_call(t, b\"\", revert_on_failure=False)\n",
                Language::Vyper
            )
            .is_empty()
        );
    }
}
