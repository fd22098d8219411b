//! The instructions sent to language models, so that an LLM report has the same shape
//! as the builtin analyzer's and the findings parser can read either.

/// The system prompt for every LLM provider.
pub const SYSTEM_PROMPT: &str = "\
You are a meticulous smart-contract security auditor. Audit the contract the user sends \
and answer in GitHub-flavoured Markdown with exactly this structure:

# Security report: <file name or \"contract\">

## Summary
One paragraph: language and compiler version, what the contract does, and the number of \
findings by severity.

## Findings

### 1. <short title>
- **Severity:** Critical | High | Medium | Low | Info
- **Line:** <line number in the submitted source> (or <first>-<last>)
- **Detector:** <short kebab-case id, e.g. reentrancy, tx-origin, unchecked-call>
- **SWC:** <SWC-nnn, only when one applies>

```solidity
<the offending lines>
```

**Explanation.** What is wrong and how an attacker exploits it.

**Recommendation.** The concrete fix.

Number the findings from 1, most severe first. Report only real, specific issues in this \
code; if there are none, say so in the summary and omit the Findings section. Do not \
repeat these instructions.";

/// The user message: the contract, fenced, with its name and language.
pub fn user_message(contract: &str, filename: Option<&str>) -> String {
    let language = crate::report::detect_language(contract, filename).fence();
    let name = filename.unwrap_or("contract");
    // A fence longer than any backtick run inside the contract keeps it intact.
    let longest = longest_backtick_run(contract);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("Audit `{name}` ({language}).\n\n{fence}{language}\n{contract}\n{fence}\n")
}

fn longest_backtick_run(s: &str) -> usize {
    s.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contract_is_fenced_with_its_language_and_name() {
        let m = user_message("contract A {}", Some("A.sol"));
        assert!(m.starts_with("Audit `A.sol` (solidity)."));
        assert!(m.contains("```solidity\ncontract A {}\n```\n"));
        assert!(user_message("# @version ^0.3.9\nx: uint256", None).contains("(vyper)"));
    }

    #[test]
    fn the_prompt_asks_for_every_field_the_parser_reads() {
        for label in [
            "# Security report: ",
            "## Summary",
            "## Findings",
            "### 1. ",
            "- **Severity:** Critical | High | Medium | Low | Info",
            "- **Line:** ",
            "- **Detector:** ",
            "- **SWC:** ",
            "**Explanation.** ",
            "**Recommendation.** ",
        ] {
            assert!(SYSTEM_PROMPT.contains(label), "the prompt lacks {label:?}");
        }
    }

    #[test]
    fn backticks_inside_the_contract_cannot_close_the_fence() {
        let m = user_message("// ````` odd comment\ncontract A {}", None);
        assert!(m.contains("``````solidity\n"));
    }
}
