//! The analyzer over the test projects of `testdata/projects/`, each assertion one that the
//! same file analyzed alone does not meet.

use std::path::Path;

use super::*;
use crate::analyzer::analyze;
use crate::project::{ProjectLimits, ScopeRules, folder};

fn open(name: &str) -> Project {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/projects")
        .join(name);
    let (files, skipped) = folder::read_folder(&root, &ProjectLimits::default()).unwrap();
    Project::new(files, skipped, &ScopeRules::default())
}

fn line_of(project: &Project, path: &str, needle: &str) -> u32 {
    let text = &project.file(path).unwrap().content;
    text.lines().position(|l| l.contains(needle)).expect(needle) as u32 + 1
}

fn rules_at(a: &ProjectAnalysis, path: &str, line: u32) -> Vec<String> {
    a.files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| {
            f.locations
                .first()
                .is_some_and(|l| l.file.as_deref() == Some(path) && l.line == line)
        })
        .map(|f| f.rule.clone())
        .collect()
}

#[test]
fn inherited_state_across_files_makes_the_reentrancy_visible() {
    let p = open("foundry-vault");
    let a = analyze_project(&p);
    let withdraw = line_of(&p, "src/Vault.sol", "msg.sender.call{value: amount}");
    let rules = rules_at(&a, "src/Vault.sol", withdraw);
    assert!(rules.contains(&"reentrancy".to_owned()), "{rules:?}");
    // Alone, `balances` is not known to be state: no reentrancy there.
    let alone = analyze(&p.file("src/Vault.sol").unwrap().content, Some("Vault.sol"));
    assert!(
        !alone
            .findings
            .iter()
            .any(|f| f.rule == "reentrancy" && f.locations[0].line == withdraw),
        "the file alone already sees it; the test proves nothing"
    );
}

#[test]
fn an_inherited_openzeppelin_only_owner_guards() {
    let p = open("foundry-vault");
    let a = analyze_project(&p);
    let sweep = line_of(&p, "src/Vault.sol", "selfdestruct(to);");
    let exit = line_of(&p, "src/Vault.sol", "function emergencyExit");
    let vault = a
        .files
        .iter()
        .find(|f| f.filename.as_deref() == Some("src/Vault.sol"))
        .unwrap();
    let self_destructs: Vec<u32> = vault
        .findings
        .iter()
        .filter(|f| f.rule == "selfdestruct")
        .map(|f| f.locations[0].line)
        .collect();
    assert_eq!(self_destructs.len(), 1, "{self_destructs:?}");
    assert!(
        self_destructs[0] > sweep && self_destructs[0] > exit,
        "only emergencyExit's"
    );
}

#[test]
fn a_base_contracts_finding_is_reported_once_in_its_file() {
    let p = open("foundry-vault");
    let a = analyze_project(&p);
    let origin: Vec<(String, u32)> = a
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| f.rule == "tx-origin")
        .map(|f| (f.locations[0].file.clone().unwrap(), f.locations[0].line))
        .collect();
    let line = line_of(&p, "src/VaultBase.sol", "tx.origin == owner()");
    assert_eq!(origin, [("src/VaultBase.sol".to_owned(), line)]);
    // Only files in scope are reported on.
    let reported: Vec<&str> = a
        .files
        .iter()
        .filter_map(|f| f.filename.as_deref())
        .collect();
    assert_eq!(
        reported,
        ["src/Treasury.sol", "src/Vault.sol", "src/VaultBase.sol"]
    );
    assert!(
        a.notes().contains("foundry project: 3 files in scope"),
        "{}",
        a.notes()
    );
}

#[test]
fn a_name_clash_resolves_through_the_files_imports() {
    let p = open("clash");
    let a = analyze_project(&p);
    let vault = a
        .files
        .iter()
        .find(|f| f.filename.as_deref() == Some("src/VaultB.sol"))
        .unwrap();
    assert!(
        !vault.findings.iter().any(|f| f.rule == "selfdestruct"),
        "`fromDeployer` of b/Token.sol checks the caller: {:?}",
        vault.findings
    );
    let alone = analyze(
        &p.file("src/VaultB.sol").unwrap().content,
        Some("VaultB.sol"),
    );
    assert!(alone.findings.iter().any(|f| f.rule == "selfdestruct"));
    assert_eq!(
        a.clashes,
        [NameClash {
            name: "Token".into(),
            paths: vec!["src/a/Token.sol".into(), "src/b/Token.sol".into()]
        }]
    );
    assert!(
        a.notes()
            .contains("`Token` is declared in src/a/Token.sol and src/b/Token.sol")
    );
}

#[test]
fn unresolved_imports_are_in_the_summary_and_the_analysis_goes_on() {
    let p = open("unresolved");
    let a = analyze_project(&p);
    let line = line_of(&p, "src/Pool.sol", "@missing");
    let reports = a.reports();
    assert_eq!(reports.len(), 2);
    for (_, r) in &reports {
        assert!(
            r.summary.contains(&format!(
                "`@missing/oracle/IOracle.sol` (src/Pool.sol:{line})"
            )),
            "{}",
            r.summary
        );
    }
}

#[test]
fn an_import_cycle_is_analyzed() {
    let p = open("cycle");
    let a = analyze_project(&p);
    assert_eq!(a.files.len(), 2);
    let member = a
        .files
        .iter()
        .find(|f| f.filename.as_deref() == Some("Member.sol"))
        .unwrap();
    assert!(member.findings.iter().any(|f| f.rule == "selfdestruct"));
}

#[test]
fn the_hardhat_project_reports_on_its_contracts_only() {
    let p = open("hardhat-token");
    let a = analyze_project(&p);
    assert!(a.unresolved.is_empty());
    assert!(
        a.context_files >= 6,
        "OpenZeppelin read as context: {}",
        a.context_files
    );
    for f in &a.files {
        let path = f.filename.as_deref().unwrap();
        assert!(path.starts_with("contracts/"), "{path}");
        for finding in &f.findings {
            assert_eq!(finding.locations[0].file.as_deref(), Some(path));
        }
    }
    let refund = line_of(&p, "contracts/Sale.sol", "msg.sender.call{value: amount}");
    assert!(rules_at(&a, "contracts/Sale.sol", refund).contains(&"reentrancy".to_owned()));
}

#[test]
fn the_combined_report_numbers_every_files_findings_once() {
    let p = open("foundry-vault");
    let a = analyze_project(&p);
    let r = a.combined_report();
    assert_eq!(r.findings.len(), a.finding_count());
    let ids: Vec<&str> = r.findings.iter().map(|f| f.id.as_str()).collect();
    let expected: Vec<String> = (1..=r.findings.len()).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected);
    assert!(
        r.findings
            .windows(2)
            .all(|w| w[0].severity <= w[1].severity)
    );
    assert!(r.findings.iter().all(|f| f.locations[0].file.is_some()));
    assert!(r.summary.contains("`src/Vault.sol`"), "{}", r.summary);
    // Written and read back, the locations keep their files.
    let md = crate::report::write_report(&r, Language::Solidity);
    let back = crate::report::parse_finished_report(&md);
    let files: Vec<Option<&str>> = back
        .findings
        .iter()
        .map(|f| f.locations[0].file.as_deref())
        .collect();
    let want: Vec<Option<&str>> = r
        .findings
        .iter()
        .map(|f| f.locations[0].file.as_deref())
        .collect();
    assert_eq!(files, want, "{md}");
}

#[test]
fn a_call_into_a_contract_of_another_file_is_known_code() {
    let bank = "pragma solidity 0.8.24;\ncontract Bank {\n    function pay() external {}\n}\n";
    let user = "pragma solidity 0.8.24;\nimport {Bank} from \"./Bank.sol\";\ncontract User {\n    Bank bank;\n    mapping(address => uint256) bal;\n    function claim() external {\n        uint256 b = bal[msg.sender];\n        require(b > 0);\n        bank.pay();\n        bal[msg.sender] = 0;\n    }\n}\n";
    let p = Project::from_texts(
        [
            ("Bank.sol".to_owned(), bank.to_owned()),
            ("User.sol".to_owned(), user.to_owned()),
        ],
        &[],
        &[],
        &ProjectLimits::default(),
    )
    .unwrap();
    let a = analyze_project(&p);
    let call = line_of(&p, "User.sol", "bank.pay();");
    assert!(
        rules_at(&a, "User.sol", call).contains(&"reentrancy".to_owned()),
        "{:?}",
        a.files
    );
    let alone = analyze(user, Some("User.sol"));
    assert!(
        !alone.findings.iter().any(|f| f.rule == "reentrancy"),
        "{alone:?}"
    );
}
