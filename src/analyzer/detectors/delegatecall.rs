//! `delegatecall` (Vyper: `raw_call(…, is_delegate_call=True)`): another contract's code run
//! with this contract's storage and balance, worst when a caller picks the target.

use super::scan::{find_token, has_kwarg, ident_at, ident_before, raw_calls, skip_ws, statements};
use super::structure::{function_at, functions, has_caller_check};
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, finding};

/// `delegatecall` (High; Critical when the target is a parameter of a function callable from
/// outside that shows no caller check). Flags every `.delegatecall` (Vyper: `raw_call` with
/// `is_delegate_call=True`).
/// Limits: only a target that is literally a parameter counts as caller-supplied; one read
/// from storage that a caller can set, or passed through a local variable, stays High.
pub struct Delegatecall;

impl Detector for Delegatecall {
    fn id(&self) -> &'static str {
        "delegatecall"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let code = src.code();
        // (offset of the call, plain identifier the call targets, if any)
        let mut sites: Vec<(usize, Option<&str>)> = Vec::new();
        match src.language() {
            Language::Solidity => {
                for at in find_token(code, ".delegatecall") {
                    let target = ident_before(code, at)
                        .filter(|&(s, _)| s == 0 || code.as_bytes()[s - 1] != b'.')
                        .map(|(_, name)| name);
                    sites.push((at + 1, target));
                }
            }
            Language::Vyper => {
                for st in statements(src) {
                    for (at, args) in raw_calls(st.text) {
                        if has_kwarg(args, "is_delegate_call", "True") {
                            let from = skip_ws(args, 1);
                            let first = ident_at(args, from);
                            let plain = args[skip_ws(args, from + first.len())..].starts_with(',');
                            sites.push((
                                st.start + at,
                                Some(first).filter(|f| plain && !f.is_empty()),
                            ));
                        }
                    }
                }
            }
        }
        let fns = functions(src);
        sites
            .into_iter()
            .map(|(at, target)| {
                let line = src.line_of(at);
                let f = function_at(&fns, at);
                let supplied = f.filter(|f| f.external && target.is_some_and(|t| f.params.contains(&t)));
                let checked = supplied.is_some_and(|f| has_caller_check(code, f));
                let (severity, title, what) = match (supplied, target) {
                    (Some(f), Some(t)) if checked => (
                        Severity::High,
                        "delegatecall to a caller-supplied address",
                        format!(
                            "`{}` delegatecalls its parameter `{t}`. It appears to check its caller, but whoever \
                             passes that check (or holds a stolen key) can run code of their choosing with this \
                             contract's storage and balance.",
                            f.name
                        ),
                    ),
                    (Some(f), Some(t)) => (
                        Severity::Critical,
                        "delegatecall to a caller-supplied address",
                        format!(
                            "`{}` can be called from outside and delegatecalls its parameter `{t}`, so any caller \
                             can run code of their choosing with this contract's storage and balance: overwrite the \
                             owner, drain funds or destroy it.",
                            f.name
                        ),
                    ),
                    (_, target) => (
                        Severity::High,
                        "Use of delegatecall",
                        format!(
                            "If {} can ever point to untrusted or replaceable code, or code whose storage layout \
                             differs from this contract's, it can corrupt state or take the contract over.",
                            target.map_or("the target".to_owned(), |t| format!("`{t}`"))
                        ),
                    ),
                };
                finding(
                    src,
                    self.id(),
                    severity,
                    line,
                    title,
                    format!(
                        "Line {line} uses delegatecall, which runs another contract's code in this contract's context \
                         (its storage, balance and `msg.sender`). {what}"
                    ),
                    "Only delegatecall a fixed, trusted implementation (an immutable address, or an upgrade slot \
                     behind access control such as EIP-1967), never an address a caller chooses; check the \
                     result and keep storage layouts compatible.",
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, sol};
    use super::*;

    #[test]
    fn delegatecall_to_a_parameter_is_critical() {
        let proxy = "contract P {\n function forward(address callee, bytes _data) public {\n  require(callee.delegatecall(_data));\n }\n}";
        assert_eq!(sol(&Delegatecall, proxy), [(3, Severity::Critical)]);
        let owned = proxy.replace(") public {", ") public onlyOwner {");
        assert_eq!(sol(&Delegatecall, &owned), [(3, Severity::High)]);
        let fixed = "contract P {\n address impl;\n function f(bytes d) public { impl.delegatecall(d); }\n function g(address a) internal { a.delegatecall(\"\"); }\n}";
        assert_eq!(
            sol(&Delegatecall, fixed),
            [(3, Severity::High), (4, Severity::High)]
        );
        let vy = "@external\ndef f(t: address, d: Bytes[100]):\n    raw_call(\n        t, d, is_delegate_call=True)\n";
        assert_eq!(
            run(&Delegatecall, vy, Language::Vyper),
            [(3, Severity::Critical)]
        );
    }

    #[test]
    fn delegatecall_in_comments_strings_and_names_is_ignored() {
        assert!(
            sol(
                &Delegatecall,
                "// a.delegatecall(x)\ns = \"a.delegatecall(x)\";\nx.delegatecallCount = 1;"
            )
            .is_empty()
        );
        let vy = "@external\ndef f(t: address):\n    raw_call(t, b\"\", is_delegate_call=False)  # is_delegate_call=True\n";
        assert!(run(&Delegatecall, vy, Language::Vyper).is_empty());
    }
}
