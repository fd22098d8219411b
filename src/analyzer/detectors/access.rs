//! Access-control checks: `tx.origin` used for authorization, and `selfdestruct`.

use std::collections::HashMap;

use super::scan::{
    callees_at, find_token, ident_before, is_ident_byte, skip_ws, starts_with_word, statements,
};
use super::structure::{function_at, functions, has_caller_check};
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, finding};

/// `tx-origin` (High). Flags `tx.origin` compared with `==`/`!=`, or inside the parentheses of
/// `require`/`assert`/`if`/`while` (Vyper: also in an `assert`/`if`/`elif`/`while` statement).
/// `tx.origin == msg.sender` is the "no contracts" idiom, not authorization: reported as Low.
/// Limits: `tx.origin` copied into a variable and compared later is missed; any use inside a
/// `require(…)`, even one that is not an access decision, is flagged.
pub struct TxOrigin;

impl Detector for TxOrigin {
    fn id(&self) -> &'static str {
        "tx-origin"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let mut out = Vec::new();
        for st in statements(src) {
            let vyper_condition = src.language() == Language::Vyper
                && ["assert", "if", "elif", "while"]
                    .iter()
                    .any(|k| starts_with_word(st.text, k));
            let positions = find_token(st.text, "tx.origin");
            if positions.is_empty() {
                continue;
            }
            let stacks = callees_at(st.text, &positions);
            for (at, callees) in positions.into_iter().zip(stacks) {
                let other = compared_with(st.text, at, at + "tx.origin".len());
                let in_check = callees
                    .iter()
                    .any(|c| matches!(*c, "require" | "assert" | "if" | "while"));
                if other.is_none() && !in_check && !vyper_condition {
                    continue;
                }
                let line = src.line_of(st.start + at);
                out.push(if other == Some("msg.sender") {
                    finding(
                        src,
                        self.id(),
                        Severity::Low,
                        line,
                        "tx.origin == msg.sender used to keep contracts out",
                        "This compares `tx.origin` with `msg.sender`, which only admits calls made directly by an \
                         externally owned account. That is a filter, not authorization: it locks out smart-contract \
                         wallets, and since EIP-7702 an account that signs its own transaction can run code, so it \
                         no longer proves the caller is not a contract.",
                        "Do not rely on it for security: use a reentrancy guard or explicit access control for what \
                         it is meant to prevent, and confirm that excluding contract wallets is intended.",
                    )
                } else {
                    let against = other.filter(|o| !o.is_empty()).map(|o| format!(" (compared with `{o}`)"));
                    let fix = match src.language() {
                        Language::Solidity => "require(msg.sender == owner)",
                        Language::Vyper => "assert msg.sender == self.owner",
                    };
                    finding(
                        src,
                        self.id(),
                        Severity::High,
                        line,
                        "Authorization with tx.origin",
                        format!(
                            "Line {line} makes an access decision on `tx.origin`{}. `tx.origin` is the account that \
                             started the transaction, not the immediate caller, so if an authorized user is lured \
                             into calling a malicious contract, that contract can call this one and pass the check \
                             on the user's behalf.",
                            against.unwrap_or_default()
                        ),
                        format!(
                            "Authorize the immediate caller with `msg.sender` instead, e.g. `{fix}`, or use a \
                             tested access-control pattern (Ownable, role-based access)."
                        ),
                    )
                });
                break;
            }
        }
        out
    }
}

/// The other operand when `tx.origin` at `at..end` is compared with `==` or `!=`.
fn compared_with(s: &str, at: usize, end: usize) -> Option<&str> {
    let operand_byte = |b: &u8| is_ident_byte(*b) || *b == b'.';
    let after = s[end..].trim_start();
    if let Some(rest) = after
        .strip_prefix("==")
        .or_else(|| after.strip_prefix("!="))
    {
        let rest = rest.trim_start();
        return Some(&rest[..rest.bytes().take_while(operand_byte).count()]);
    }
    let before = s[..at].trim_end();
    let before = before
        .strip_suffix("==")
        .or_else(|| before.strip_suffix("!="))?
        .trim_end();
    Some(&before[before.len() - before.bytes().rev().take_while(operand_byte).count()..])
}

/// `selfdestruct` (High). Any call of `selfdestruct(…)`, or the pre-0.5 alias `suicide(…)`. The
/// explanation says whether the enclosing function shows a caller check (see
/// `has_caller_check`). Limits: that check is a guess from names; a modifier called
/// otherwise looks unprotected, and a `msg.sender` test that is wrong looks protected.
pub struct Selfdestruct;

impl Detector for Selfdestruct {
    fn id(&self) -> &'static str {
        "selfdestruct"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        let code = src.code();
        let fns = functions(src);
        let keywords: &[&str] = match src.language() {
            Language::Solidity => &["selfdestruct", "suicide"],
            Language::Vyper => &["selfdestruct"],
        };
        let mut out = Vec::new();
        // Whether each function (by body start) checks its caller, worked out once.
        let mut caller_checked: HashMap<usize, bool> = HashMap::new();
        for &kw in keywords {
            for at in find_token(code, kw) {
                let is_call = code[skip_ws(code, at + kw.len())..].starts_with('(');
                let is_definition =
                    ident_before(code, at).is_some_and(|(_, w)| w == "function" || w == "def");
                if !is_call || is_definition {
                    continue;
                }
                let line = src.line_of(at);
                let function = function_at(&fns, at).map(|f| {
                    let checked = *caller_checked
                        .entry(f.body.start)
                        .or_insert_with(|| has_caller_check(src.code(), f));
                    (f, checked)
                });
                let context = match function {
                    Some((f, true)) => format!(
                        "`{}` appears to restrict its caller, but one compromised or careless owner key is then \
                         enough to disable the contract and take its balance.",
                        f.name
                    ),
                    Some((f, false)) => format!(
                        "`{}` shows no caller check (no `only…` modifier and no `msg.sender` test), so anyone \
                         may be able to call it and take the balance.",
                        f.name
                    ),
                    None => "Check who can reach this call.".to_owned(),
                };
                let title = if kw == "suicide" {
                    "Use of suicide (legacy selfdestruct)"
                } else {
                    "Use of selfdestruct"
                };
                out.push(finding(
                    src,
                    self.id(),
                    Severity::High,
                    line,
                    title,
                    format!(
                        "Line {line} calls `{kw}`, which sends the contract's whole ether balance to the given \
                         address and, before EIP-6780 (or still within the creating transaction), deletes its \
                         code for good. {context}"
                    ),
                    "Remove it if you can (selfdestruct is deprecated, EIP-6049); otherwise restrict it to a \
                     trusted role such as a multisig or timelock and send funds to a fixed, known address.",
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, sol};
    use super::*;

    #[test]
    fn tx_origin_authorization_is_high() {
        assert_eq!(
            sol(
                &TxOrigin,
                "function f() {\n  require(tx.origin == owner);\n}"
            ),
            [(2, Severity::High)]
        );
        assert_eq!(
            sol(&TxOrigin, "if (owner != tx.origin) { revert(); }"),
            [(1, Severity::High)]
        );
        assert_eq!(
            sol(&TxOrigin, "require(\n  isAllowed(tx.origin),\n  \"no\");"),
            [(2, Severity::High)]
        );
        assert_eq!(
            sol(&TxOrigin, "bool ok = tx.origin == admin;"),
            [(1, Severity::High)]
        );
        let f = &TxOrigin.check(&SourceFile::with_language(
            "require(tx.origin == owner);",
            Language::Solidity,
        ))[0];
        assert!(
            f.explanation.contains("(compared with `owner`)"),
            "{}",
            f.explanation
        );
        let vy = "@external\ndef f():\n    assert tx.origin in self.admins\n";
        assert_eq!(run(&TxOrigin, vy, Language::Vyper), [(3, Severity::High)]);
    }

    #[test]
    fn tx_origin_logging_comments_and_eoa_checks() {
        assert!(sol(&TxOrigin, "emit Called(tx.origin);\nlast = tx.origin;").is_empty());
        assert!(
            sol(
                &TxOrigin,
                "// require(tx.origin == owner);\nstring s = \"tx.origin == owner\";"
            )
            .is_empty()
        );
        assert!(sol(&TxOrigin, "if (x) { log(tx.origin); }").is_empty());
        assert_eq!(
            sol(&TxOrigin, "require(tx.origin == msg.sender);"),
            [(1, Severity::Low)]
        );
        assert!(
            run(
                &TxOrigin,
                "# assert tx.origin == self.owner\nlog Called(tx.origin)\n",
                Language::Vyper
            )
            .is_empty()
        );
    }

    #[test]
    fn selfdestruct_calls_are_flagged_with_context() {
        let text = "contract A {\n function kill() public {\n  selfdestruct(msg.sender);\n }\n function k2() public onlyOwner { suicide(o); }\n}";
        assert_eq!(
            sol(&Selfdestruct, text),
            [(3, Severity::High), (5, Severity::High)]
        );
        let found = Selfdestruct.check(&SourceFile::with_language(text, Language::Solidity));
        assert!(
            found[0].explanation.contains("appears to restrict"),
            "msg.sender is mentioned"
        );
        assert!(found[1].title.contains("suicide"));
        let open = Selfdestruct.check(&SourceFile::with_language(
            "function k(address a) public { selfdestruct(a); }",
            Language::Solidity,
        ));
        assert!(open[0].explanation.contains("shows no caller check"));
        let vy = "@external\ndef kill():\n    selfdestruct(self.owner)\n";
        assert_eq!(
            run(&Selfdestruct, vy, Language::Vyper),
            [(3, Severity::High)]
        );
    }

    #[test]
    fn selfdestruct_in_comments_strings_and_names_is_ignored() {
        let text = "// selfdestruct(a);\n/* suicide(a) */ string s = \"selfdestruct(x)\";\nfunction suicide() {}\nuint selfdestructed;";
        assert!(sol(&Selfdestruct, text).is_empty());
        assert!(
            run(
                &Selfdestruct,
                "# selfdestruct(x)\n\"\"\"selfdestruct(x)\"\"\"\n",
                Language::Vyper
            )
            .is_empty()
        );
    }
}
