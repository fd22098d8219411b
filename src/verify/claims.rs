//! What a finding claims about the code, read off its fields and its markdown: the
//! function it is in, the names it says exist, the code it quotes, and its class. Pure text
//! work; `check` then holds each claim against the `CodeIndex`.

use crate::report::{Finding, scan};

/// A finding's class, where the code can say whether it is possible there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Reentrancy,
    TxOrigin,
    UncheckedCall,
    Overflow,
    Timestamp,
    Delegatecall,
    Selfdestruct,
    Randomness,
    /// "Missing access control", "anyone can call".
    Unprotected,
    /// A version pragma that allows several compilers.
    FloatingPragma,
}

impl Class {
    /// The class an analyzer rule reports.
    pub fn of_rule(rule: &str) -> Option<Class> {
        Some(match rule {
            "reentrancy" | "reentrancy-gas-limited" => Class::Reentrancy,
            "tx-origin" => Class::TxOrigin,
            "unchecked-call" => Class::UncheckedCall,
            "integer-overflow" => Class::Overflow,
            "timestamp" => Class::Timestamp,
            "delegatecall" => Class::Delegatecall,
            "selfdestruct" => Class::Selfdestruct,
            "weak-randomness" => Class::Randomness,
            "arbitrary-send" => Class::Unprotected,
            "floating-pragma" => Class::FloatingPragma,
            _ => return None,
        })
    }

    /// The class a finding names in its title, rule or SWC id.
    pub fn of_finding(f: &Finding) -> Option<Class> {
        if let Some(c) = f.swc.as_deref().and_then(Class::of_swc) {
            return Some(c);
        }
        let text = format!("{} {}", f.title, f.rule).to_ascii_lowercase();
        let has = |w: &str| text.contains(w);
        Some(
            if (has("floating") || has("unlocked") || has("unpinned")) && has("pragma") {
                Class::FloatingPragma
            } else if has("reentran") || has("re-entran") {
                Class::Reentrancy
            } else if has("tx.origin") || has("tx-origin") || has("txorigin") || has("tx origin") {
                Class::TxOrigin
            } else if has("delegatecall") {
                Class::Delegatecall
            } else if has("selfdestruct") || has("self-destruct") || has("suicide") {
                Class::Selfdestruct
            } else if has("random") {
                Class::Randomness
            } else if has("timestamp") {
                Class::Timestamp
            } else if has("overflow") || has("underflow") {
                Class::Overflow
            } else if (has("unchecked") || has("ignored") || has("unused"))
                && (has("call") || has("return") || has("send") || has("result"))
            {
                Class::UncheckedCall
            } else if [
                "missing access control",
                "lack of access control",
                "no access control",
                "unprotected",
                "anyone can call",
                "anyone can",
                "callable by anyone",
                "lacks access control",
                "missing-access-control",
            ]
            .iter()
            .any(|p| has(p))
            {
                Class::Unprotected
            } else {
                return None;
            },
        )
    }

    fn of_swc(swc: &str) -> Option<Class> {
        Some(match swc {
            "SWC-107" => Class::Reentrancy,
            "SWC-115" => Class::TxOrigin,
            "SWC-104" => Class::UncheckedCall,
            "SWC-101" => Class::Overflow,
            "SWC-116" => Class::Timestamp,
            "SWC-112" => Class::Delegatecall,
            "SWC-106" => Class::Selfdestruct,
            "SWC-120" => Class::Randomness,
            "SWC-105" => Class::Unprotected,
            _ => return None,
        })
    }

    /// In words, for reasons.
    pub fn describe(self) -> &'static str {
        match self {
            Class::Reentrancy => "reentrancy",
            Class::TxOrigin => "tx.origin authentication",
            Class::UncheckedCall => "an unchecked call",
            Class::Overflow => "an integer overflow",
            Class::Timestamp => "timestamp dependence",
            Class::Delegatecall => "a delegatecall issue",
            Class::Selfdestruct => "a selfdestruct issue",
            Class::Randomness => "weak randomness",
            Class::Unprotected => "missing access control",
            Class::FloatingPragma => "a floating pragma",
        }
    }
}

/// Names every contract may use without declaring them: a claim about one is not a claim
/// about this code's declarations.
const BUILTINS: &[&str] = &[
    "require",
    "assert",
    "revert",
    "keccak256",
    "sha256",
    "sha3",
    "ripemd160",
    "ecrecover",
    "abi",
    "msg",
    "block",
    "tx",
    "address",
    "payable",
    "type",
    "gasleft",
    "blockhash",
    "selfdestruct",
    "suicide",
    "call",
    "send",
    "transfer",
    "transferFrom",
    "delegatecall",
    "staticcall",
    "callcode",
    "push",
    "pop",
    "length",
    "emit",
    "this",
    "super",
    "now",
    "approve",
    "safeTransfer",
    "safeTransferFrom",
    "safeApprove",
    "balanceOf",
    "allowance",
    "totalSupply",
    "raw_call",
    "value",
    "sender",
    "origin",
    "timestamp",
    "number",
    "constructor",
    "fallback",
    "receive",
    "modifier",
    "function",
    "mapping",
    "uint256",
    "uint",
    "int",
    "bool",
    "bytes",
    "string",
    "memory",
    "storage",
    "calldata",
    "external",
    "public",
    "internal",
    "private",
    "view",
    "pure",
    "unchecked",
    "assembly",
    "nonReentrant",
    "onlyOwner",
    "owner",
    "initialize",
    "initializer",
    "permit",
    "mint",
    "burn",
];

/// Whether `name` needs no declaration to be mentioned.
pub fn is_builtin(name: &str) -> bool {
    BUILTINS.contains(&name) || name.starts_with("uint") || name.starts_with("int")
}

/// What a finding claims.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    /// The function the finding says it is in.
    pub function: Option<String>,
    /// Names the finding says exist, each with where it said so.
    pub names: Vec<String>,
    /// Code blocks it quotes from the contract (not fixes, not proofs of concept).
    pub quotes: Vec<String>,
}

/// Reads the claims of `finding`, whose markdown is `block` (empty when there is none).
pub fn claims(finding: &Finding, block: &str) -> Claims {
    let mut c = Claims {
        function: finding
            .function
            .as_deref()
            .and_then(function_name)
            .or_else(|| function_in_title(&finding.title)),
        ..Claims::default()
    };
    for name in code_spans(&finding.title)
        .into_iter()
        .flat_map(|s| identifiers(&s))
    {
        push_name(&mut c.names, name);
    }
    for sentence in claim_sentences(&finding.description) {
        for name in called_names(&sentence) {
            push_name(&mut c.names, name);
        }
    }
    if let Some(f) = &c.function {
        push_name(&mut c.names, f.clone());
    }
    c.quotes = quoted_code(block);
    if c.quotes.is_empty() && block.is_empty() {
        c.quotes.extend(finding.snippet.clone());
    }
    c
}

fn push_name(names: &mut Vec<String>, name: String) {
    if !is_builtin(&name) && !names.contains(&name) {
        names.push(name);
    }
}

/// `Vault.withdraw(uint256)`, `` `withdraw()` `` → `withdraw`.
pub fn function_name(text: &str) -> Option<String> {
    let t = text.trim().trim_matches(|c| c == '`' || c == '*');
    let t = t.split('(').next().unwrap_or(t);
    let t = t.rsplit(['.', ':']).next().unwrap_or(t).trim();
    let t = t.strip_prefix("function ").unwrap_or(t).trim();
    is_identifier(t).then(|| t.to_owned())
}

/// The function a title places the finding in: `… in withdraw()`, ``… in `Vault.withdraw` ``,
/// `` `withdraw()` function …``, ``function `withdraw` …``.
fn function_in_title(title: &str) -> Option<String> {
    let words: Vec<&str> = title.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        let lower = w.to_ascii_lowercase();
        let next = words.get(i + 1).copied();
        let candidate = match lower.as_str() {
            "in" | "function" | "via" => next,
            _ if words
                .get(i + 1)
                .is_some_and(|n| n.eq_ignore_ascii_case("function")) =>
            {
                Some(*w)
            }
            _ => None,
        };
        if let Some(name) = candidate
            .filter(|c| c.contains('`') || c.contains('('))
            .and_then(function_name)
            .filter(|n| !is_builtin(n))
        {
            return Some(name);
        }
    }
    None
}

/// The text of each `` `…` `` span.
fn code_spans(text: &str) -> Vec<String> {
    text.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect()
}

/// The declared-looking names in a code span: `Vault.withdraw(amount)` → `Vault`,
/// `withdraw`; arguments and literals are left alone.
fn identifiers(span: &str) -> Vec<String> {
    let head = span.split('(').next().unwrap_or(span);
    if head.contains([
        ' ', '=', '[', '+', '-', '*', '/', '<', '>', '!', '&', '|', ';', '{',
    ]) {
        return Vec::new();
    }
    head.split('.')
        .map(str::trim)
        .filter(|p| is_identifier(p))
        .map(str::to_owned)
        .collect()
}

/// Sentences of the description that state facts about the code: not advice, which names
/// what should exist (`Use OpenZeppelin's \`ReentrancyGuard\``).
fn claim_sentences(description: &str) -> Vec<String> {
    const ADVICE: &[&str] = &[
        "consider",
        "recommend",
        "should",
        "instead",
        "use ",
        "add ",
        "replace",
        "e.g.",
        "such as",
        "like ",
        "could ",
        "would ",
        "suggest",
        "ensure",
        "prefer",
        "adopt",
        "implement",
        "missing",
        "lack",
        "no ",
        "not ",
        "without",
    ];
    description
        .split(['.', '\n'])
        .filter(|s| {
            let l = s.to_ascii_lowercase();
            !ADVICE.iter().any(|a| l.contains(a))
        })
        .map(str::to_owned)
        .collect()
}

/// Backticked calls in a sentence: `` `emergencyWithdraw()` `` → `emergencyWithdraw`.
fn called_names(sentence: &str) -> Vec<String> {
    code_spans(sentence)
        .into_iter()
        .filter(|s| s.trim_end().ends_with(')') && !s.contains(' '))
        .flat_map(|s| identifiers(&s))
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// The code blocks of a finding that quote the contract: under no fix, proof-of-concept or
/// test heading or label, in a contract language (or none); a `diff` gives its removed and
/// context lines.
fn quoted_code(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence: Option<((char, usize), bool, bool)> = None;
    let mut lines: Vec<&str> = Vec::new();
    let mut skipping = false;
    for line in block.lines().skip(1) {
        if let Some((f, keep, diff)) = fence {
            if scan::closes_fence(line, f) {
                fence = None;
                if keep && !lines.is_empty() {
                    out.push(lines.join("\n"));
                }
                lines.clear();
            } else if keep {
                match (diff, line.chars().next()) {
                    (true, Some('+')) => {}
                    (true, Some('-' | ' ')) => lines.push(&line[1..]),
                    _ => lines.push(line),
                }
            }
            continue;
        }
        if let Some(f) = scan::opens_fence(line) {
            let info = line
                .trim()
                .trim_start_matches(f.0)
                .trim()
                .to_ascii_lowercase();
            let lang = info.split_whitespace().next().unwrap_or("");
            let contract_lang = matches!(
                lang,
                "" | "solidity" | "sol" | "vyper" | "vy" | "python" | "diff"
            );
            fence = Some((f, contract_lang && !skipping, lang == "diff"));
            continue;
        }
        let t = line.trim();
        let is_heading = t.starts_with('#');
        let is_label = t.starts_with("**") || t.starts_with("- **") || t.ends_with(':');
        if is_heading || is_label {
            skipping = is_aside(t);
        }
    }
    out
}

/// A heading or label over code that is not a quote of the contract.
fn is_aside(t: &str) -> bool {
    let l = t.to_ascii_lowercase();
    [
        "recommend",
        "mitigation",
        "fix",
        "remediation",
        "solution",
        "suggest",
        "proof of concept",
        "poc",
        "test",
        "exploit",
        "attack",
        "scenario",
        "patch",
        "example",
        "instead",
    ]
    .iter()
    .any(|w| l.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(title: &str, description: &str) -> Finding {
        Finding {
            id: "1".into(),
            title: title.into(),
            severity: crate::report::Severity::High,
            rule: crate::report::slug(title),
            swc: None,
            confidence: None,
            function: None,
            locations: Vec::new(),
            description: description.into(),
            recommendation: String::new(),
            snippet: None,
            complete: true,
            verdict: None,
            reason: None,
            found_by: None,
        }
    }

    #[test]
    fn titles_name_functions_in_the_ways_reports_write_them() {
        for (title, want) in [
            ("Reentrancy in withdraw()", Some("withdraw")),
            ("Reentrancy in `Vault.withdraw(uint256)`", Some("withdraw")),
            ("`sweep()` function lacks access control", Some("sweep")),
            ("Unchecked return value of `send()`", None),
            ("Reentrancy in withdraw", None),
        ] {
            assert_eq!(
                claims(&finding(title, ""), "").function.as_deref(),
                want,
                "{title}"
            );
        }
    }

    #[test]
    fn names_come_from_code_spans_and_factual_sentences_only() {
        let f = finding(
            "Stale price in `oracle.latestAnswer()`",
            "`emergencyWithdraw()` sends ether. Consider using `ReentrancyGuard()` instead.",
        );
        let c = claims(&f, "");
        assert_eq!(c.names, ["oracle", "latestAnswer", "emergencyWithdraw"]);
    }

    #[test]
    fn quotes_skip_fixes_proofs_and_added_diff_lines() {
        let block = "### 1. X\n```solidity\nbalances[msg.sender] = 0;\n```\n\
                     **Recommendation.**\n```solidity\nfixed();\n```\n\
                     ```diff\n- old();\n+ new();\n```\n";
        let c = claims(&finding("X", ""), block);
        assert_eq!(c.quotes, ["balances[msg.sender] = 0;"]);
        let block = "### 1. X\n```diff\n- old();\n+ new();\n  same();\n```\n";
        assert_eq!(
            claims(&finding("X", ""), block).quotes,
            [" old();\n same();"]
        );
    }
}
