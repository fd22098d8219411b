//! Reentrancy: contract state written after an external call that sends ether, inside the same
//! function (the checks-effects-interactions order broken).

use std::collections::HashSet;
use std::ops::Range;

use super::scan::{
    MAX_SITES, find_token, has_kwarg, ident_at, is_ident_byte, matching_close, matching_open,
    skip_ws, statements,
};
use super::structure::{assignment, body_statements, functions, state_variables};
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, code_span, finding};

/// `reentrancy` (High). In one function, a call that forwards all gas and sends ether
/// (`.call{value: …}(…)`, `.call.value(…)(…)`; Vyper `raw_call(…, value=…)`) followed, later in
/// the source, by a write to a state variable (Solidity: declared at contract level in this
/// file; Vyper: `self.x`). Functions with a guard (`nonReentrant`, `lock`, `@nonreentrant`,
/// Vyper's `#pragma nonreentrancy on`) are skipped. Limits: order is textual, so a write in
/// another branch counts and a loop back to an earlier write does not; calls without value
/// (token hooks, arbitrary external calls) and cross-function reentrancy are not checked.
pub struct Reentrancy;

impl Detector for Reentrancy {
    fn id(&self) -> &'static str {
        "reentrancy"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let language = src.language();
        let global_guard = src.lines().any(|(_, l)| {
            l.trim()
                .strip_prefix('#')
                .is_some_and(|c| c.split_whitespace().eq(["pragma", "nonreentrancy", "on"]))
        });
        if language == Language::Vyper && global_guard {
            return Vec::new();
        }
        let stmts = statements(src);
        let state = state_variables(&stmts);
        let mut out = Vec::new();
        for f in functions(src) {
            let header = f.header.to_ascii_lowercase();
            if header.contains("reentran") || !find_token(&header, "lock").is_empty() {
                continue;
            }
            let body = body_statements(&stmts, &f);
            let Some((k, call_at, call)) = body.iter().enumerate().find_map(|(k, s)| {
                let (at, r) = value_call(s.text, language)?;
                Some((k, s.start + at, s.start + r.start..s.start + r.end))
            }) else {
                continue;
            };
            let writes: Vec<(&str, usize)> = body[k + 1..]
                .iter()
                .filter_map(|s| {
                    state_write(s.text, &state, language).map(|name| (name, src.line_of(s.start)))
                })
                .collect();
            if writes.is_empty() {
                continue;
            }
            let call_line = src.line_of(call_at);
            let mut listed: Vec<String> = writes
                .iter()
                .take(3)
                .map(|(name, line)| format!("`{name}` (line {line})"))
                .collect();
            if writes.len() > 3 {
                listed.push(format!("{} more", writes.len() - 3));
            }
            let first = writes[0].0;
            let guard = match language {
                Language::Solidity => "a reentrancy guard such as OpenZeppelin's `nonReentrant`",
                Language::Vyper => "the `@nonreentrant` decorator",
            };
            out.push(finding(
                src,
                self.id(),
                Severity::High,
                call_line,
                "Reentrancy: state written after an external call",
                format!(
                    "`{}` sends ether with {} on line {call_line} and only afterwards writes {}. The recipient's code \
                     runs during that call and can call `{}` again while the old state is still in place, e.g. to \
                     withdraw the same balance repeatedly (the DAO attack).",
                    f.name,
                    code_span(src.text().get(call).unwrap_or_default()),
                    listed.join(", "),
                    f.name,
                ),
                format!(
                    "Follow checks-effects-interactions: update `{first}` before the external call, and add {guard}. \
                     Pull payments (users withdraw) narrow the attack surface further."
                ),
            ));
        }
        out
    }
}

/// An ether-sending external call in a statement: the offset of `call`/`raw_call` and the
/// range of the whole call expression.
fn value_call(text: &str, language: Language) -> Option<(usize, Range<usize>)> {
    match language {
        Language::Solidity => find_token(text, ".call")
            .into_iter()
            .take(MAX_SITES)
            .find_map(|at| {
                let mut i = skip_ws(text, at + ".call".len());
                if text[i..].starts_with('{') {
                    let close = matching_close(text, i)?;
                    let sends = !find_token(&text[i..close], "value").is_empty();
                    return sends.then(|| (at + 1, call_text(text, at, close + 1)));
                }
                // The pre-0.7 form: `.call.gas(g).value(v)(…)`.
                while text[i..].starts_with('.') {
                    let m = skip_ws(text, i + 1);
                    let member = ident_at(text, m);
                    let open = skip_ws(text, m + member.len());
                    if !matches!(member, "value" | "gas") || !text[open..].starts_with('(') {
                        return None;
                    }
                    let close = matching_close(text, open)?;
                    if member == "value" {
                        return Some((at + 1, call_text(text, at, close + 1)));
                    }
                    i = skip_ws(text, close + 1);
                }
                None
            }),
        Language::Vyper => find_token(text, "raw_call")
            .into_iter()
            .take(MAX_SITES)
            .find_map(|at| {
                let open = skip_ws(text, at + "raw_call".len());
                let close = text[open..]
                    .starts_with('(')
                    .then(|| matching_close(text, open))??;
                has_kwarg(&text[open..=close], "value", "").then(|| (at, at..close + 1))
            }),
    }
}

/// The call expression's range: from its receiver through `end` and the argument list after.
fn call_text(text: &str, dot: usize, end: usize) -> Range<usize> {
    let start = receiver_start(text, dot);
    let args = skip_ws(text, end);
    let end = match text[args..].starts_with('(') {
        true => matching_close(text, args).map_or(end, |c| c + 1),
        false => end,
    };
    start..end
}

/// Where the receiver of the member access at `dot` starts: back over identifiers, `.`,
/// whitespace and bracketed groups, so `payable(msg.sender)\n    .call` is taken whole.
fn receiver_start(text: &str, dot: usize) -> usize {
    let b = text.as_bytes();
    let mut dot = dot;
    loop {
        let mut j = dot;
        while j > 0 && b[j - 1].is_ascii_whitespace() {
            j -= 1;
        }
        while j > 0 && matches!(b[j - 1], b')' | b']') {
            match matching_open(text, j - 1) {
                Some(open) => j = open,
                None => return dot,
            }
        }
        while j > 0 && is_ident_byte(b[j - 1]) {
            j -= 1;
        }
        let mut k = j;
        while k > 0 && b[k - 1].is_ascii_whitespace() {
            k -= 1;
        }
        if k == 0 || b[k - 1] != b'.' {
            return j;
        }
        dot = k - 1;
    }
}

/// The state variable a statement writes, if any.
fn state_write<'a>(text: &'a str, state: &HashSet<&str>, language: Language) -> Option<&'a str> {
    let a = assignment(text)?;
    match language {
        Language::Solidity => state.contains(a.root).then_some(a.root),
        Language::Vyper => {
            let member = a.lhs.strip_prefix("self")?.trim_start().strip_prefix('.')?;
            Some(ident_at(member, skip_ws(member, 0))).filter(|m| !m.is_empty())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, language: Language) -> Vec<usize> {
        Reentrancy
            .check(&SourceFile::with_language(text, language))
            .iter()
            .map(|f| f.line)
            .collect()
    }

    const DAO: &str = "contract D {\n  mapping (address => uint) credit;\n  function withdraw(uint amount) public {\n    if (credit[msg.sender] >= amount) {\n      require(msg.sender.call.value(amount)());\n      credit[msg.sender] -= amount;\n    }\n  }\n}";

    #[test]
    fn state_write_after_value_call_is_flagged() {
        assert_eq!(lines(DAO, Language::Solidity), [5]);
        let f = &Reentrancy.check(&SourceFile::with_language(DAO, Language::Solidity))[0];
        assert!(
            f.explanation.contains("`credit` (line 6)"),
            "{}",
            f.explanation
        );
        assert!(
            f.explanation.contains("`msg.sender.call.value(amount)()`"),
            "{}",
            f.explanation
        );
        let modern = "contract V {\n uint total;\n function w() external {\n  (bool ok, ) = payable(msg.sender)\n    .call{value: 1}(\"\");\n  require(ok);\n  total = 0;\n }\n}";
        assert_eq!(lines(modern, Language::Solidity), [5]);
        let f = &Reentrancy.check(&SourceFile::with_language(modern, Language::Solidity))[0];
        assert!(
            f.explanation
                .contains("`payable(msg.sender).call{value: 1}(\"\")`"),
            "{}",
            f.explanation
        );
    }

    #[test]
    fn effects_before_interactions_guards_and_comments_are_not_flagged() {
        let ordered = "contract V {\n uint total;\n function w() external {\n  total = 0;\n  (bool ok, ) = msg.sender.call{value: 1}(\"\");\n  require(ok);\n  uint local = 1;\n }\n}";
        assert!(lines(ordered, Language::Solidity).is_empty());
        let guarded = DAO.replace("public {", "public nonReentrant {");
        assert!(lines(&guarded, Language::Solidity).is_empty());
        let commented = DAO.replace("require(msg.sender", "// require(msg.sender");
        assert!(lines(&commented, Language::Solidity).is_empty());
        let no_value = DAO.replace(".call.value(amount)()", ".call(\"value\")");
        assert!(lines(&no_value, Language::Solidity).is_empty());
    }

    #[test]
    fn vyper_raw_call_with_value_then_self_write() {
        let vy = "balances: HashMap[address, uint256]\n\n@external\ndef withdraw():\n    raw_call(msg.sender, b\"\", value=self.balances[msg.sender])\n    self.balances[msg.sender] = 0\n";
        assert_eq!(lines(vy, Language::Vyper), [5]);
        let guarded = vy.replace("@external", "@external\n@nonreentrant");
        assert!(lines(&guarded, Language::Vyper).is_empty());
        assert!(lines(&format!("#pragma nonreentrancy on\n{vy}"), Language::Vyper).is_empty());
        let ordered = "@external\ndef withdraw():\n    self.balances[msg.sender] = 0\n    raw_call(msg.sender, b\"\", value=1)\n";
        assert!(lines(ordered, Language::Vyper).is_empty());
    }
}
