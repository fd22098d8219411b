//! The analyzer's behaviour on small contracts written for each detector: what it must find,
//! where, and what it must leave alone. The SWC corpus is measured in `tests/ground_truth.rs`.

use super::*;

fn rules(src: &str) -> Vec<(String, u32)> {
    analyze(src, Some("T.sol"))
        .findings
        .iter()
        .map(|f| (f.rule.clone(), f.locations[0].line))
        .collect()
}

fn has(src: &str, rule: &str, line: u32) -> bool {
    rules(src).iter().any(|(r, l)| r == rule && *l == line)
}

fn lacks(src: &str, rule: &str) -> bool {
    !rules(src).iter().any(|(r, _)| r == rule)
}

const DAO: &str = "pragma solidity 0.4.24;
contract Dao {
  mapping(address => uint) credit;
  function withdraw(uint amount) public {
    if (credit[msg.sender] >= amount) {
      require(msg.sender.call.value(amount)());
      credit[msg.sender] -= amount;
    }
  }
}
";

#[test]
fn reentrancy_needs_a_write_after_the_call_and_no_guard() {
    assert!(has(DAO, "reentrancy", 6), "{:?}", rules(DAO));
    let a = analyze(DAO, Some("Dao.sol"));
    let f = a.findings.iter().find(|f| f.rule == "reentrancy").unwrap();
    assert_eq!(
        (f.severity, f.swc.as_deref()),
        (Severity::High, Some("SWC-107"))
    );
    assert_eq!(f.locations[0].end_line, Some(7));
    assert_eq!(f.function.as_deref(), Some("withdraw"));
    let fixed = DAO.replace(
        "      require(msg.sender.call.value(amount)());\n      credit[msg.sender] -= amount;",
        "      credit[msg.sender] -= amount;\n      require(msg.sender.call.value(amount)());",
    );
    assert!(lacks(&fixed, "reentrancy"), "{:?}", rules(&fixed));
    let guarded = DAO.replace("public {", "public nonReentrant {");
    assert!(lacks(&guarded, "reentrancy"));
    // Through an internal helper that does the write.
    let helper = "pragma solidity 0.8.20;\ncontract V {\n  mapping(address => uint) bal;\n  function w() external {\n    (bool ok, ) = msg.sender.call{value: bal[msg.sender]}(\"\");\n    require(ok);\n    clear();\n  }\n  function clear() internal { bal[msg.sender] = 0; }\n}\n";
    assert!(has(helper, "reentrancy", 5), "{:?}", rules(helper));
}

#[test]
fn unchecked_calls_but_not_checked_ones() {
    let src = "pragma solidity 0.4.25;\ncontract C {\n  function f(address a) public {\n    a.call();\n    require(a.send(1));\n    bool ok = a.send(2);\n    a.send(3);\n    bool sent = a.send(4);\n    if (!sent) revert();\n  }\n}\n";
    let found = rules(src);
    // A result stored in a local that nothing reads is as unchecked as a discarded one.
    assert!(
        has(src, "unchecked-call", 4)
            && has(src, "unchecked-call", 6)
            && has(src, "unchecked-call", 7),
        "{found:?}"
    );
    assert!(
        !has(src, "unchecked-call", 5) && !has(src, "unchecked-call", 8),
        "{found:?}"
    );
    let never_made = "pragma solidity 0.5.0;\ncontract C {\n  function f(address payable a) public {\n    a.call.value(1 ether);\n  }\n}\n";
    assert!(
        has(never_made, "unchecked-call", 4),
        "{:?}",
        rules(never_made)
    );
}

#[test]
fn state_written_after_send_is_low_reentrancy_and_call_with_value_stays_high() {
    let src = "pragma solidity 0.4.24;\ncontract C {\n  mapping(address => uint) owed;\n  function refund() public {\n    msg.sender.transfer(owed[msg.sender]);\n    owed[msg.sender] = 0;\n  }\n}\n";
    let a = analyze(src, Some("C.sol"));
    let f = a
        .findings
        .iter()
        .find(|f| f.rule == "reentrancy-gas-limited")
        .unwrap_or_else(|| panic!("{:?}", rules(src)));
    assert_eq!((f.severity, f.locations[0].line), (Severity::Low, 5));
    assert!(f.description.contains("2,300 gas"), "{}", f.description);
    assert!(lacks(src, "reentrancy"), "{:?}", rules(src));
    let full = src.replace(
        "msg.sender.transfer(owed[msg.sender]);",
        "require(msg.sender.call.value(owed[msg.sender])());",
    );
    assert!(has(&full, "reentrancy", 5), "{:?}", rules(&full));
    assert!(lacks(&full, "reentrancy-gas-limited"), "{:?}", rules(&full));
    let fixed = src.replace(
        "    msg.sender.transfer(owed[msg.sender]);\n    owed[msg.sender] = 0;",
        "    uint v = owed[msg.sender];\n    owed[msg.sender] = 0;\n    msg.sender.transfer(v);",
    );
    assert!(
        lacks(&fixed, "reentrancy-gas-limited"),
        "{:?}",
        rules(&fixed)
    );
}

#[test]
fn fixed_amounts_to_anyone_are_ether_theft_but_owed_balances_are_not() {
    let src = "pragma solidity 0.4.24;\ncontract F {\n  mapping(address => uint) bal;\n  function drip() public {\n    msg.sender.transfer(1 ether);\n  }\n  function out() public {\n    uint v = bal[msg.sender];\n    bal[msg.sender] = 0;\n    msg.sender.transfer(v);\n  }\n  function back() public payable {\n    msg.sender.transfer(msg.value);\n  }\n}\n";
    let found = rules(src);
    assert!(has(src, "arbitrary-send", 5), "{found:?}");
    assert!(
        !has(src, "arbitrary-send", 10) && !has(src, "arbitrary-send", 13),
        "{found:?}"
    );
    // A check of the caller against a parameter checks nothing.
    let param = "pragma solidity 0.5.0;\ncontract T {\n  function w(address payable to, address o) public {\n    require(msg.sender == o);\n    to.transfer(address(this).balance);\n  }\n}\n";
    assert!(has(param, "arbitrary-send", 5), "{:?}", rules(param));
}

#[test]
fn tx_origin_for_auth_but_not_against_msg_sender() {
    let src = "pragma solidity 0.4.24;\ncontract C {\n  address owner;\n  function f() public {\n    require(tx.origin == owner);\n    require(tx.origin == msg.sender);\n  }\n}\n";
    assert!(has(src, "tx-origin", 5));
    assert!(!has(src, "tx-origin", 6));
}

#[test]
fn selfdestruct_and_delegatecall_need_an_open_door() {
    let open = "pragma solidity ^0.4.24;\ncontract C {\n  address owner;\n  function kill() public { selfdestruct(msg.sender); }\n  function fwd(address t, bytes d) public { require(t.delegatecall(d)); }\n}\n";
    assert!(
        has(open, "selfdestruct", 4) && has(open, "delegatecall", 5),
        "{:?}",
        rules(open)
    );
    let closed = open.replace("public {", "public onlyOwner {").replace(
        "  address owner;\n",
        "  address owner;\n  modifier onlyOwner { require(msg.sender == owner); _; }\n  constructor() public { owner = msg.sender; }\n",
    );
    assert!(
        lacks(&closed, "selfdestruct") && lacks(&closed, "delegatecall"),
        "{:?}",
        rules(&closed)
    );
    // An owner anyone can overwrite is no protection.
    let overwrite = closed.replace(
        "  function kill()",
        "  function setOwner(address o) public { owner = o; }\n  function kill()",
    );
    assert!(
        !lacks(&overwrite, "selfdestruct"),
        "{:?}",
        rules(&overwrite)
    );
}

#[test]
fn constructor_typos_only_before_0_5() {
    let src = "pragma solidity 0.4.24;\ncontract Owned {\n  address owner;\n  function owned() public { owner = msg.sender; }\n}\n";
    assert!(has(src, "constructor-name", 4), "{:?}", rules(src));
    let modern = src.replace("0.4.24", "0.5.0");
    assert!(lacks(&modern, "constructor-name"));
}

#[test]
fn overflow_reaches_state_unless_guarded_or_checked() {
    let src = "pragma solidity ^0.4.19;\ncontract C {\n  uint public count = 1;\n  function run(uint input) public { count -= input; }\n}\n";
    assert!(has(src, "integer-overflow", 4));
    let guarded = src.replace(
        "{ count -= input; }",
        "{ require(count >= input); count -= input; }",
    );
    assert!(lacks(&guarded, "integer-overflow"), "{:?}", rules(&guarded));
    let modern = src.replace("^0.4.19", "0.8.20");
    assert!(lacks(&modern, "integer-overflow"));
    let unchecked = modern.replace("{ count -= input; }", "{ unchecked { count -= input; } }");
    assert!(has(&unchecked, "integer-overflow", 4));
    let local = "pragma solidity 0.4.24;\ncontract C {\n  uint total;\n  function f(uint a) public { uint x = a * 2; x = x; }\n}\n";
    assert!(lacks(local, "integer-overflow") || has(local, "integer-overflow", 4));
}

#[test]
fn hygiene_is_one_info_finding_on_the_pragma() {
    let floating = "pragma solidity ^0.4.24;\ncontract C { }\n";
    let a = analyze(floating, None);
    assert_eq!(
        a.findings
            .iter()
            .map(|f| (f.rule.as_str(), f.severity))
            .collect::<Vec<_>>(),
        [("floating-pragma", Severity::Info)]
    );
    let pinned_old = "pragma solidity 0.4.13;\ncontract C { }\n";
    assert_eq!(rules(pinned_old), [("outdated-compiler".to_owned(), 1)]);
    assert!(rules("pragma solidity 0.8.28;\ncontract C { }\n").is_empty());
}

#[test]
fn hygiene_is_one_info_finding_per_rule_per_file_and_can_be_left_out() {
    let src = "pragma solidity ^0.4.24;\ncontract A {\n  uint x;\n  function f() { uint a; }\n}\ncontract B {\n  uint y;\n  function g() { uint b; }\n}\n";
    let a = analyze(src, Some("H.sol"));
    let mut info: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Info)
        .map(|f| f.rule.as_str())
        .collect();
    let total = info.len();
    info.sort_unstable();
    info.dedup();
    assert_eq!(info.len(), total, "{:?}", a.findings);
    let vis = a
        .findings
        .iter()
        .find(|f| f.rule == "default-visibility" && f.severity == Severity::Info)
        .unwrap_or_else(|| panic!("{:?}", a.findings));
    let lines: Vec<u32> = vis.locations.iter().map(|l| l.line).collect();
    assert!(lines.contains(&3) && lines.contains(&7), "{lines:?}");
    let lean = a.clone().without_info();
    assert!(lean.findings.iter().all(|f| f.severity != Severity::Info));
    assert_eq!(
        lean.findings.len(),
        a.findings.len() - total,
        "only Info findings are left out"
    );
    let ids: Vec<String> = lean.findings.iter().map(|f| f.id.clone()).collect();
    let want: Vec<String> = (1..=lean.findings.len()).map(|i| i.to_string()).collect();
    assert_eq!(ids, want);
    assert!(!render_markdown(&lean).contains("Severity:** Info"));
}

#[test]
fn parse_damage_is_reported_and_the_rest_still_analysed() {
    let src = "pragma solidity 0.8.20;\ncontract C {\n  function f() public { if ( }\n  function g(address t) public { selfdestruct(payable(t)); }\n}\n";
    let a = analyze(src, Some("C.sol"));
    assert!(!a.damage.is_empty());
    assert!(
        a.findings.iter().any(|f| f.rule == "selfdestruct"),
        "{:?}",
        a.findings
    );
    let md = render_markdown(&a);
    assert!(md.contains("Could not parse line"), "{md}");
}

#[test]
fn findings_are_capped_per_detector_with_a_note() {
    let body = "  selfdestruct(payable(msg.sender));\n".repeat(MAX_FINDINGS_PER_DETECTOR + 5);
    let src =
        format!("pragma solidity 0.8.19;\ncontract A {{\n function f() public {{\n{body} }}\n}}\n");
    let a = analyze(&src, None);
    let kills: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.rule == "selfdestruct")
        .collect();
    assert_eq!(kills.len(), MAX_FINDINGS_PER_DETECTOR);
    let note = format!(
        "matched 5 more lines that are not listed here; only {MAX_FINDINGS_PER_DETECTOR} are shown per check."
    );
    assert!(kills.last().unwrap().description.ends_with(&note));
    let ids: Vec<&str> = a.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"1"));
}

#[test]
fn vyper_uses_line_checks_and_says_so() {
    let vy = analyze(
        "# @version ^0.3.7\n@external\ndef kill():\n    selfdestruct(msg.sender)\n",
        None,
    );
    assert_eq!(vy.language, Language::Vyper);
    let found: Vec<(&str, u32)> = vy
        .findings
        .iter()
        .map(|f| (f.rule.as_str(), f.locations[0].line))
        .collect();
    assert_eq!(found, [("selfdestruct", 4), ("floating-pragma", 1)]);
    let md = render_markdown(&vy);
    assert!(
        md.contains("line-based checks") && md.contains("```vyper\nselfdestruct(msg.sender)\n```"),
        "{md}"
    );
    let empty = analyze("", Some(" "));
    assert_eq!(
        (empty.lines, empty.filename, empty.findings.len()),
        (0, None, 0)
    );
}

#[test]
fn markdown_follows_the_report_grammar() {
    let md = render_markdown(&analyze(DAO, Some("Dao.sol")));
    assert!(md.starts_with("# Security report: Dao.sol\n\n## Summary\n\nSolidity source, pragma `0.4.24`, 10 lines."), "{md}");
    let first = &md[md.find("### 1.").unwrap()..];
    let head: Vec<&str> = first.lines().take(6).collect();
    assert_eq!(
        head,
        [
            "### 1. Reentrancy in `withdraw`",
            "- **Severity:** High",
            "- **Line:** 6-7",
            "- **Detector:** reentrancy",
            "- **SWC:** SWC-107",
            "",
        ]
    );
    assert!(first.contains("```solidity\nrequire(msg.sender.call.value(amount)());\ncredit[msg.sender] -= amount;\n```"), "{first}");
}

#[test]
fn registry_ids_are_unique_kebab_case() {
    let ds = detectors();
    let mut seen = HashSet::new();
    for d in &ds {
        let key = (d.id(), d.languages().to_vec());
        assert!(
            d.id().chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}",
            d.id()
        );
        assert!(seen.insert(format!("{key:?}")), "duplicate {}", d.id());
        assert!(d.swc().is_some_and(|s| s.starts_with("SWC-")));
    }
    assert!(ds.len() >= 20);
}
