//! The SARIF export against Microsoft's SARIF Multitool with GitHub's rules: several files,
//! findings with no location and with a line outside the file, must validate with zero
//! errors. The Multitool comes from npm (`scripts/install.sh --test` installs it into
//! `tools/node_modules`); set `AUDITSTREAM_SKIP_SARIF_VALIDATION=1` to skip it.

mod sarif_tool;

use sarif_tool::{multitool, validate};

use auditstream::report::export::{SarifInput, SarifTool, to_sarif_string, to_sarif_string_in};
use auditstream::report::{Report, check_lines, parse_finished_report};

const VAULT: &str = "\
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

contract Vault {
    mapping(address => uint256) public balances;

    function deposit() external payable {
        balances[msg.sender] += msg.value;
    }

    function withdraw() external {
        uint256 amount = balances[msg.sender];
        (bool ok, ) = msg.sender.call{value: amount}(\"\");
        require(ok);
        balances[msg.sender] = 0;
    }
}
";

const VAULT_REPORT: &str = "\
# Security report: Vault.sol

## Summary

Solidity vault. 4 findings.

## Findings

### 1. Reentrancy in `withdraw()`
- **Severity:** High
- **Line:** 13-15
- **Detector:** reentrancy
- **SWC:** SWC-107

```solidity
(bool ok, ) = msg.sender.call{value: amount}(\"\");
```

**Explanation.** The balance is cleared after the call.

**Recommendation.** Clear it first.

### 2. Floating pragma
- **Severity:** Low
- **Line:** 2
- **Detector:** floating-pragma

**Explanation.** Any 0.8 compiler may build it

**Recommendation.** Pin the version.

### 3. Missing events
- **Severity:** Info
- **Detector:** missing-events

**Explanation.** Deposits emit nothing, so indexers cannot follow them.

### 4. Hallucinated line
- **Severity:** Medium
- **Line:** 400
- **Detector:** reentrancy

**Explanation.** A model pointed past the end of the file.
";

const TOKEN_REPORT: &str = "\
# Token Audit

## High Risk Findings

## [H-01] Anyone can mint

### Lines of code

https://github.com/acme/token/blob/0abc/contracts/Token.sol#L3-L4

### Vulnerability details

`mint` has no access control.

### Recommended Mitigation Steps

Add `onlyOwner`.

## [G-01] Cache storage reads

Read `totalSupply` once (Token.sol:4).
";

const TOKEN: &str = "pragma solidity 0.8.20;\ncontract Token {\n    function mint(address to, uint256 a) external {\n        balanceOf[to] += a; totalSupply += a;\n    }\n}\n";

fn reports() -> (Report, Report) {
    let mut vault = parse_finished_report(VAULT_REPORT);
    check_lines(&mut vault, VAULT, Some("contracts/Vault.sol"));
    let mut token = parse_finished_report(TOKEN_REPORT);
    check_lines(&mut token, TOKEN, Some("contracts/Token.sol"));
    (vault, token)
}

#[test]
fn the_export_maps_findings_as_github_reads_them() {
    let (vault, token) = reports();
    assert_eq!(vault.findings.len(), 4);
    assert!(vault.findings[3].locations[0].out_of_range);
    let inputs = [
        SarifInput {
            path: "contracts/Vault.sol",
            report: &vault,
            source: Some(VAULT),
        },
        SarifInput {
            path: "contracts/Token.sol",
            report: &token,
            source: None,
        },
    ];
    let sarif: serde_json::Value =
        serde_json::from_str(&to_sarif_string(&inputs, &SarifTool::default())).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "auditstream");
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "reentrancy",
            "floating-pragma",
            "missing-events",
            "anyone-can-mint",
            "cache-storage-reads"
        ]
    );
    assert_eq!(rules[0]["properties"]["security-severity"], "8.0");
    assert_eq!(rules[0]["help"]["text"], "Clear it first.");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 6);
    let r0 = &results[0];
    assert_eq!(r0["ruleId"], "reentrancy");
    assert_eq!(r0["ruleIndex"], 0);
    assert_eq!(r0["level"], "error");
    assert_eq!(r0["properties"]["security-severity"], "8.0");
    let loc = &r0["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "contracts/Vault.sol");
    assert_eq!(loc["region"]["startLine"], 13);
    assert_eq!(loc["region"]["endLine"], 15);
    assert_eq!(
        loc["region"]["snippet"]["text"],
        "        (bool ok, ) = msg.sender.call{value: amount}(\"\");\n        require(ok);\n        balances[msg.sender] = 0;"
    );
    // No line: line 1 and a note. A line outside the file: line 1, the same rule, a note.
    let none = &results[2];
    assert_eq!(
        none["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert!(
        none["message"]["text"]
            .as_str()
            .unwrap()
            .contains("gives no line")
    );
    let outside = &results[3];
    assert_eq!(outside["ruleIndex"], 0);
    assert_eq!(outside["level"], "warning");
    assert_eq!(
        outside["locations"][0]["physicalLocation"]["region"]["startLine"],
        1
    );
    assert!(
        outside["message"]["text"]
            .as_str()
            .unwrap()
            .contains("line 400")
    );
    // The second file's results point into it; Gas is a note.
    let token_result = &results[4]["locations"][0]["physicalLocation"];
    assert_eq!(
        token_result["artifactLocation"]["uri"],
        "contracts/Token.sol"
    );
    assert_eq!(token_result["region"]["startLine"], 3);
    assert_eq!(results[5]["level"], "note");
    // Fingerprints are distinct.
    let mut prints: Vec<String> = results
        .iter()
        .map(|r| r["partialFingerprints"].to_string())
        .collect();
    prints.sort();
    prints.dedup();
    assert_eq!(prints.len(), results.len());
}

#[test]
fn the_multitool_reports_zero_errors_with_github_rules() {
    let Some(tool) = multitool() else {
        if std::env::var("AUDITSTREAM_SKIP_SARIF_VALIDATION").as_deref() == Ok("1") {
            eprintln!("SARIF validation skipped (AUDITSTREAM_SKIP_SARIF_VALIDATION=1)");
            return;
        }
        panic!(
            "Microsoft's SARIF Multitool is not installed: run `scripts/install.sh --test` \
             (or `cd tools && npm ci`), or set AUDITSTREAM_SKIP_SARIF_VALIDATION=1 to skip"
        );
    };
    let (vault, token) = reports();
    let empty = Report::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let with_uri = SarifTool {
        information_uri: Some("https://example.org/auditstream".into()),
        ..SarifTool::default()
    };
    for tool_info in [SarifTool::default(), with_uri] {
        let inputs = [
            SarifInput {
                path: "contracts/Vault.sol",
                report: &vault,
                source: Some(VAULT),
            },
            SarifInput {
                path: "contracts/Token.sol",
                report: &token,
                source: Some(TOKEN),
            },
            SarifInput {
                path: "contracts/Empty.sol",
                report: &empty,
                source: None,
            },
        ];
        let findings = validate(&tool, dir.path(), &to_sarif_string(&inputs, &tool_info));
        for f in &findings {
            eprintln!("multitool ({:?}): {f:?}", tool_info.information_uri);
        }
        let errors: Vec<_> = findings
            .iter()
            .filter(|(level, ..)| level == "error")
            .collect();
        assert!(errors.is_empty(), "the Multitool found errors: {errors:#?}");
    }
}

#[test]
fn project_paths_are_relative_to_a_base_id_and_absolute_ones_are_file_uris() {
    let (vault, token) = reports();
    let inputs = [
        SarifInput {
            path: "src/Vault.sol",
            report: &vault,
            source: Some(VAULT),
        },
        SarifInput {
            path: "/elsewhere/My Token.sol",
            report: &token,
            source: Some(TOKEN),
        },
    ];
    let text = to_sarif_string_in(&inputs, &SarifTool::default(), Some("/home/ci/my proj"));
    let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
    let run = &sarif["runs"][0];
    assert_eq!(
        run["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///home/ci/my%20proj/"
    );
    let artifacts = run["artifacts"].as_array().unwrap();
    assert_eq!(artifacts.len(), 2);
    assert_eq!(artifacts[0]["location"]["uri"], "src/Vault.sol");
    assert_eq!(artifacts[0]["location"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(
        artifacts[1]["location"]["uri"],
        "file:///elsewhere/My%20Token.sol"
    );
    let first = &run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(first["index"], 0);
    let mut all = Vec::new();
    sarif_tool::uris(&sarif, &mut all);
    assert!(all.len() > 4, "{all:?}");
    for (uri, base) in &all {
        assert!(!uri.starts_with('/'), "a bare absolute path: {uri}");
        assert!(
            uri.starts_with("file://") != base.is_some(),
            "{uri} {base:?}"
        );
    }
    sarif_tool::assert_valid(&text);
}
