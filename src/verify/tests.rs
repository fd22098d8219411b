//! The checks over one small contract: each kind of false reference and impossible class is
//! caught with a reason naming it, and true findings hold.

use std::sync::Arc;

use super::*;
use crate::report::{Location, parse_finished_report};

const VAULT: &str = "\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Vault {
    mapping(address => uint256) public balances;
    address public owner;

    modifier onlyOwner() {
        require(msg.sender == owner, \"not owner\");
        _;
    }

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    /// Sends the caller's balance.
    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}(\"\");
        require(ok, \"send failed\");
        balances[msg.sender] = 0;
    }

    function setOwner(address next) external onlyOwner {
        owner = next;
    }

    function bump(uint256 x) external pure returns (uint256) {
        unchecked { return x + 1; }
    }
}
";

fn index() -> Arc<CodeIndex> {
    Arc::new(CodeIndex::build(&[Source {
        path: Some("src/Vault.sol".into()),
        text: VAULT.into(),
    }]))
}

/// The verdict and reason of the only finding of a one-finding report.
fn judge(block: &str) -> (Verdict, String) {
    let md = format!("# Report\n\n## Findings\n\n{block}\n");
    let (report, checks) = verify_report(&md, index());
    let f = report
        .findings
        .iter()
        .find(|f| f.found_by != Some(FoundBy::Analyzer))
        .expect("the finding");
    assert_eq!(checks.iter().filter(|c| c.report_line.is_some()).count(), 1);
    (
        f.verdict.expect("checked"),
        f.reason.clone().unwrap_or_default(),
    )
}

#[test]
fn a_true_reentrancy_is_confirmed_by_the_analyzer_and_found_by_both() {
    let (v, reason) = judge(
        "### 1. Reentrancy in `withdraw()`\n- **Severity:** High\n- **Line:** 20\n\n\
         ```solidity\n(bool ok, ) = msg.sender.call{value: amount}(\"\");\n// ...\nbalances[msg.sender] = 0;\n```\n",
    );
    assert_eq!(v, Verdict::Confirmed, "{reason}");
    assert!(reason.contains("reentrancy"), "{reason}");
}

#[test]
fn each_false_reference_is_unverified_with_its_reason() {
    let cases = [
        (
            "### 1. Drain in `emergencyWithdraw()`\n- **Severity:** High\n- **Line:** 21\n",
            "no function `emergencyWithdraw`",
        ),
        (
            "### 1. Bad math\n- **Severity:** High\n- **Line:** 240\n",
            "past the end of src/Vault.sol (32 lines)",
        ),
        (
            "### 1. Bad thing\n- **Severity:** High\n- **Line:** 1\n",
            "line 1 of src/Vault.sol is a comment",
        ),
        (
            "### 1. Bad thing\n- **Severity:** High\n- **Line:** 3\n",
            "is blank",
        ),
        (
            "### 1. Issue in `deposit()`\n- **Severity:** High\n- **Line:** 21\n",
            "line 21 of src/Vault.sol is in `withdraw`, not in `deposit`",
        ),
        (
            "### 1. Bad thing\n- **Severity:** High\n- **Line:** 21\n\n```solidity\nrequire(tx.origin == admin);\n```\n",
            "the quoted code `require(tx.origin == admin);` is not in",
        ),
        (
            "### 1. Bad thing\n- **Severity:** High\n- **Location:** src/Oracle.sol:12\n",
            "the finding points into src/Oracle.sol, but the audited file is src/Vault.sol",
        ),
        (
            "### 1. Stale price from `oracle.latestAnswer()`\n- **Severity:** High\n- **Line:** 21\n",
            "`oracle` appears nowhere",
        ),
        (
            "### 1. Something is off\n- **Severity:** High\n\nNo place is given.\n",
            "no line or function",
        ),
    ];
    for (block, want) in cases {
        let (v, reason) = judge(block);
        assert_eq!(v, Verdict::Unverified, "{block}: {reason}");
        assert!(reason.contains(want), "{block}: {reason:?} lacks {want:?}");
    }
}

#[test]
fn classes_the_code_cannot_have_are_contradicted() {
    let cases = [
        (
            "### 1. Reentrancy in `deposit()`\n- **Severity:** High\n- **Line:** 14\n",
            "`deposit` makes no external call, so it cannot have reentrancy",
        ),
        (
            "### 1. `tx.origin` used for authentication in `setOwner()`\n- **Severity:** High\n- **Line:** 26\n",
            "never reads `tx.origin`",
        ),
        (
            "### 1. Integer overflow in `deposit()`\n- **Severity:** High\n- **Line:** 14\n",
            "0.8 or later",
        ),
        (
            "### 1. Missing access control in `setOwner()`\n- **Severity:** High\n- **Line:** 26\n",
            "restricted",
        ),
        (
            "### 1. Timestamp dependence in `withdraw()`\n- **Severity:** Low\n- **Line:** 20\n",
            "never reads `block.timestamp`",
        ),
    ];
    for (block, want) in cases {
        let (v, reason) = judge(block);
        assert_eq!(v, Verdict::Contradicted, "{block}: {reason}");
        assert!(reason.contains(want), "{block}: {reason:?} lacks {want:?}");
    }
}

#[test]
fn true_findings_without_an_analyzer_match_are_consistent() {
    for block in [
        // Overflow is possible inside `unchecked`.
        "### 1. Integer overflow in `bump()`\n- **Severity:** Low\n- **Line:** 30\n",
        // A function named, no line: the function exists.
        "### 1. Centralisation: `setOwner()` hands over everything\n- **Severity:** Low\n- **Function:** setOwner\n",
        // Quotes with line numbers, reflowed, and the reporter's annotations.
        "### 1. Balance zeroed late in `withdraw()`\n- **Severity:** Medium\n- **Location:** Vault.sol#L21-L22\n\n```solidity\nFile: src/Vault.sol\n21:         require(ok, \"send failed\");   // <-- after the call\n22:         balances[msg.sender] = 0;\n```\n",
    ] {
        let (v, reason) = judge(block);
        assert!(v.holds(), "{block}: {v:?} {reason}");
    }
}

#[test]
fn analyzer_findings_the_model_missed_join_the_report() {
    let md = "# Report\n\n## Findings\n\n### 1. Owner can be anyone\n- **Severity:** Low\n- **Line:** 26\n";
    let (report, checks) = verify_report(md, index());
    let joined: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.found_by == Some(FoundBy::Analyzer))
        .collect();
    assert!(
        joined.iter().any(|f| f.rule == "reentrancy"),
        "{:#?}",
        report.findings
    );
    assert!(joined.iter().all(|f| f.severity <= JOIN_FROM));
    assert_eq!(checks.len(), report.findings.len());
}

#[test]
fn checks_stream_as_blocks_complete_and_match_the_whole_report() {
    let md = "## Findings\n\n### 1. Reentrancy in `deposit()`\n- **Severity:** High\n- **Line:** 14\n\n\
              ### 2. Reentrancy in `withdraw()`\n- **Severity:** High\n- **Line:** 21\n";
    let mut joiner = Joiner::new(index());
    let mut streamed = Vec::new();
    let mut first_at = None;
    for (i, ch) in md.char_indices() {
        let got = joiner.push(&md[i..i + ch.len_utf8()]);
        if !got.is_empty() && first_at.is_none() {
            first_at = Some(i);
        }
        streamed.extend(got);
    }
    // The first block's check leaves as soon as the second heading ends it.
    assert_eq!(
        first_at,
        md.find("### 2.")
            .map(|i| i + "### 2. Reentrancy in `withdraw()`".len())
    );
    streamed.extend(joiner.finish(true));
    let (_, whole) = verify_report(md, index());
    assert_eq!(streamed, whole);
    assert_eq!(streamed[0].verdict, Verdict::Contradicted);
    assert_eq!(streamed[1].verdict, Verdict::Confirmed);
}

#[test]
fn a_location_naming_no_file_in_a_project_finds_the_function_s_file() {
    let index = CodeIndex::build(&[
        Source {
            path: Some("src/A.sol".into()),
            text: "pragma solidity ^0.8.0;\ncontract A {\n    function a() external {}\n}\n".into(),
        },
        Source {
            path: Some("src/Vault.sol".into()),
            text: VAULT.into(),
        },
    ]);
    let f = &parse_finished_report(
        "## Findings\n### 1. Reentrancy in `withdraw()`\n- **Severity:** High\n- **Line:** 21\n",
    )
    .findings[0];
    assert_eq!(
        f.locations,
        [Location {
            line: 21,
            ..Location::default()
        }]
    );
    let o = verify(f, "", &index);
    assert_eq!(o.verdict, Verdict::Confirmed, "{}", o.reason);
}
