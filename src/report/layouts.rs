//! Table tests of the parser over realistic reports in the layouts real auditors and models
//! write (`tests/fixtures/reports/`), one expectation per finding. The fixtures named after a
//! tool or firm without a layout word (`slither-*`, `code4rena-report`, `c4-4naly3er`,
//! `aderyn`, `pashov`, `sherlock-judging`) are real reports or excerpts of them
//! (testdata/SOURCES.md); the others are written in those layouts.

use super::model::{Finding, Report};
use super::parse::parse_finished_report;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/reports/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `id Severity rule @file:line-end,…`: one line per finding, for compact tables.
fn sketch(f: &Finding) -> String {
    let locs: Vec<String> = f.locations.iter().map(ToString::to_string).collect();
    format!("{} {} {} @{}", f.id, f.severity, f.rule, locs.join(","))
}

fn parsed(name: &str) -> Report {
    parse_finished_report(&fixture(name))
}

/// Every layout, every finding: id, severity, rule and locations.
#[test]
fn every_layout_yields_its_findings() {
    let table: &[(&str, &[&str])] = &[
        (
            "ours.md",
            &["1 High reentrancy @19-25", "2 Low floating-pragma @1"],
        ),
        (
            "code4rena.md",
            &[
                "H-01 High attacker-can-drain-the-vault-through-reentrancy-in-withdraw @src/Vault.sol:19-25",
                "M-01 Medium oracle-price-can-be-stale @src/Oracle.sol:40",
            ],
        ),
        (
            "sherlock.md",
            &[
                "H-1 High reentrancy-in-withdraw-lets-anyone-drain-the-vault @contracts/Vault.sol:19-25",
                "M-1 Medium fee-can-be-set-above-100 @Vault.sol:52",
            ],
        ),
        (
            "cyfrin.md",
            &[
                "H-1 High storing-the-password-on-chain-makes-it-visible-to-anyone @",
                "I-1 Info passwordstore-getpassword-natspec-names-a-parameter-that-does-not @PasswordStore.sol:26",
                "G-1 Gas s-owner-can-be-immutable @PasswordStore.sol:12",
            ],
        ),
        (
            "spearbit.md",
            &[
                "5.1.1 High reentrancy-drains-the-vault @Vault.sol:19-25",
                "5.2.1 Gas cache-the-array-length-in-loops @Vault.sol:88",
            ],
        ),
        (
            "trailofbits.md",
            &[
                "TOB-VLT-1 High missing-access-control-on-setfee @52",
                "TOB-VLT-2 Info unbounded-loop-in-distribute @88-95",
            ],
        ),
        (
            "openzeppelin.md",
            &[
                "1 High attackers-can-drain-the-vault @contracts/Vault.sol:19-25",
                "2 Medium missing-input-validation-in-setfee @contracts/Vault.sol:52",
            ],
        ),
        (
            "llm-loose.md",
            &[
                "1 High reentrancy-vulnerability @19-25",
                "2 Medium use-of-tx-origin @31",
                "3 Low unlocked-pragma @1",
                "H-1 High unchecked-return-value-of-send @Vault.sol:40",
            ],
        ),
        ("unclassified.md", &["2 Low missing-event @30"]),
    ];
    check_table(table);
}

/// Real reports: Slither's `--checklist` over our test contracts, and excerpts of published
/// Code4rena, 4naly3er, Aderyn, Pashov and Sherlock reports.
#[test]
fn real_reports_yield_their_findings() {
    let dao = "src/swc_simple_dao.sol";
    let call = "src/swc_unchecked_return_value.sol";
    let origin = "src/helper_and_local.sol";
    let table: &[(&str, &[&str])] = &[
        (
            "slither-simple-dao.md",
            &[
                &format!(
                    "ID-0 High reentrancy-eth @{dao}:15-20,{dao}:17,{dao}:18,{dao}:9,{dao}:11-13,{dao}:22-24"
                ),
                "ID-1 Info solc-version @",
                &format!("ID-2 Info solc-version @{dao}:6"),
                &format!("ID-3 Info low-level-calls @{dao}:15-20,{dao}:17"),
            ],
        ),
        (
            "slither-unchecked-call.md",
            &[
                &format!("ID-0 Medium unchecked-lowlevel @{call}:9-11,{call}:10"),
                &format!("ID-1 Low missing-zero-check @{call}:9,{call}:10"),
                "ID-2 Info solc-version @",
                &format!("ID-3 Info solc-version @{call}:1"),
                &format!("ID-4 Info low-level-calls @{call}:5-7,{call}:6"),
                &format!("ID-5 Info low-level-calls @{call}:9-11,{call}:10"),
            ],
        ),
        (
            "slither-tx-origin.md",
            &[
                &format!("ID-0 Medium tx-origin @{origin}:26-28,{origin}:27"),
                &format!("ID-1 Info solc-version @{origin}:1"),
                &format!("ID-2 Gas immutable-states @{origin}:4"),
            ],
        ),
        (
            "code4rena-report.md",
            &[
                "H-01 High too-many-rewards-are-distributed-when-a-draw-is-closed @src/RngRelayAuction.sol:178-184,src/RngRelayAuction.sol:154-157,src/PrizePool.sol:366,src/abstract/TieredLiquidityDistributor.sol:374",
                "01 Low zero-emissionrate-checks @src/LiquidationPair.sol:274-283,src/LiquidationPair.sol:211-226",
                "02 Low custom-error-misleading-name @src/LiquidationPair.sol:12,src/LiquidationPair.sol:118-120",
                "G-01 Gas avoid-emitting-event-on-every-iteration @RngRelayAuction.sol:167",
            ],
        ),
        (
            "c4-4naly3er.md",
            &[
                "GAS-2 Gas using-bools-for-storage-incurs-overhead @src/PredyPool.sol:38,src/PredyPool.sol:40,src/base/BaseMarket.sol:17,src/base/BaseMarketUpgradable.sol:29,src/base/SettlementCallbackLib.sol:30,src/libraries/logic/AddPairLogic.sol:55",
                "GAS-3 Gas cache-array-length-outside-of-loop @src/markets/gamma/ArrayLib.sol:23,src/markets/gamma/GammaTradeMarket.sol:366",
                "L-1 Low approve-safeapprove-may-revert-if-the-current-approval-is-not-zero @src/base/SettlementCallbackLib.sol:111,src/base/SettlementCallbackLib.sol:158,src/settlements/UniswapSettlement.sol:31,src/settlements/UniswapSettlement.sol:47",
                "L-2 Low decimals-is-not-a-part-of-the-erc-20-standard @src/libraries/logic/AddPairLogic.sol:200",
            ],
        ),
        (
            "aderyn.md",
            &[
                "H-1 High abi-encodepacked-hash-collision @contracts/KeccakContract.sol:18,contracts/KeccakContract.sol:22,contracts/KeccakContract.sol:26",
                "H-2 High delegatecall-to-an-arbitrary-address @contracts/ExtendedInheritance.sol:14",
                "H-3 High unchecked-low-level-calls @contracts/ExtendedInheritance.sol:16",
                "L-1 Low delegatecall-in-loop @contracts/ExtendedInheritance.sol:15",
                "L-2 Low ecrecover-signature-malleability @contracts/ExtendedInheritance.sol:21",
            ],
        ),
        (
            "pashov.md",
            &[
                "H-01 High migration-will-fail-trying-to-swap-1-wei-of-tokens-to-reach-the-target @",
                "L-02 Low withdraweth-charges-fees @",
                "L-03 Low some-tokens-may-be-locked-in-token-contract @",
            ],
        ),
        (
            "sherlock-issue.md",
            &[
                "1 High bigbang-singularity-updateborrowandcollateralshare-totalborrow-variable @Tapioca-bar/contracts/markets/bigBang/BBLiquidation.sol:166-228,Tapioca-bar/contracts/markets/bigBang/BBLiquidation.sol:85-86,Tapioca-bar/contracts/markets/bigBang/BBCommon.sol:49,Tapioca-bar/contracts/Penrose.sol:277-301",
            ],
        ),
        (
            "sherlock-judging.md",
            &[
                "M-1 Medium attacker-can-steal-100-of-users-deposits @core-auto-evm-contracts/contracts/PortfolioToken.sol:152",
                "M-2 Medium no-slippage-control @PortfolioToken.sol:28-33",
            ],
        ),
    ];
    check_table(table);
    for name in ["slither-simple-dao.md", "code4rena-report.md", "pashov.md"] {
        assert!(parsed(name).unclassified.is_empty(), "{name}");
    }
}

/// Each fixture yields exactly its expected findings, all complete and described.
fn check_table(table: &[(&str, &[&str])]) {
    for (name, expected) in table {
        let report = parsed(name);
        let got: Vec<String> = report.findings.iter().map(sketch).collect();
        assert_eq!(got, *expected, "{name}");
        assert!(report.findings.iter().all(|f| f.complete), "{name}");
        assert!(
            report.findings.iter().all(|f| !f.description.is_empty()),
            "{name}: every finding has a description: {:#?}",
            report.findings
        );
    }
}

#[test]
fn our_grammar_is_read_field_by_field() {
    let r = parsed("ours.md");
    assert_eq!(r.title.as_deref(), Some("Security report: Vault.sol"));
    assert!(
        r.summary.starts_with("Solidity 0.8.19 vault"),
        "{}",
        r.summary
    );
    let f = &r.findings[0];
    assert_eq!(f.title, "Reentrancy in `withdraw()`");
    assert_eq!(f.swc.as_deref(), Some("SWC-107"));
    assert_eq!(
        f.snippet.as_deref(),
        Some("(bool ok, ) = msg.sender.call{value: amount}(\"\");\nbalances[msg.sender] = 0;")
    );
    assert_eq!(
        f.description,
        "The balance is cleared after the external call, so a contract can\nre-enter `withdraw()` and drain the vault."
    );
    assert_eq!(
        f.recommendation,
        "Clear the balance before the call (checks-effects-interactions)."
    );
}

#[test]
fn sections_land_in_description_and_recommendation() {
    let c4 = parsed("code4rena.md");
    assert_eq!(
        c4.findings[0].description,
        "`withdraw` sends ether before it zeroes the balance."
    );
    assert_eq!(
        c4.findings[0].recommendation,
        "Zero the balance first, or add `nonReentrant`."
    );
    // The proof of concept is not the offending code.
    assert_eq!(c4.findings[0].snippet, None);
    let sherlock = parsed("sherlock.md");
    assert_eq!(
        sherlock.findings[0].description,
        "The vault pays out before it updates the balance.\n\n`withdraw` performs an external call and then sets `balances[msg.sender] = 0`."
    );
    let spearbit = parsed("spearbit.md");
    assert_eq!(
        spearbit.findings[0].recommendation,
        "Write the balance first."
    );
    let oz = parsed("openzeppelin.md");
    assert_eq!(oz.findings[1].recommendation, "Consider bounding the fee.");
    let loose = parsed("llm-loose.md");
    assert_eq!(
        loose.findings[1].recommendation,
        "compare `msg.sender` instead."
    );
    assert_eq!(
        loose.findings[0].description,
        "The external call happens before the state update."
    );
}

#[test]
fn following_report_sections_are_not_swallowed() {
    for (name, not_in_any) in [
        ("code4rena.md", "open organization"),
        ("code4rena.md", "Missing zero-address check"),
        ("openzeppelin.md", "Several fixes were proposed"),
        ("spearbit.md", "Commit hashes"),
        ("trailofbits.md", "recommends addressing"),
        ("llm-loose.md", "needs fixes before deployment"),
        ("llm-loose.md", "~200 gas"),
    ] {
        let r = parsed(name);
        for f in &r.findings {
            let all = format!("{} {} {:?}", f.description, f.recommendation, f.snippet);
            assert!(
                !all.contains(not_in_any),
                "{name}: {} swallowed {not_in_any:?}",
                f.id
            );
        }
    }
}

#[test]
fn a_finding_without_a_severity_is_kept_as_unclassified() {
    let r = parsed("unclassified.md");
    assert_eq!(r.unclassified.len(), 1);
    let u = &r.unclassified[0];
    assert_eq!(u.title, "Approval race");
    assert_eq!(u.report_line, 9);
    assert!(u.text.starts_with("### 1. Approval race\n"), "{}", u.text);
    assert!(u.text.contains("line 12"));
}

#[test]
fn small_model_habits_are_read_too() {
    let text = "# Audit\n\n## Vulnerabilities\n\n\
        1. **Reentrancy in withdraw** (Severity: High)\n   - Line: 17\n   - Description: Ether is sent first.\n   - Recommendation: Update state first.\n\n\
        2. **Timestamp dependence** - Low\n   Uses `block.timestamp` on line 30.\n\n\
        ### 🔴 Critical: Unprotected `selfdestruct` (SWC-106)\n**Location:** Line 40-42\n\n\
        ### Finding 4: Missing zero check\n* **Severity** - ignored\n* Severity: `Medium`\n\n\
        ## Conclusion\n\n1. **Fix everything** soon.\n";
    let r = parse_finished_report(text);
    let got: Vec<String> = r.findings.iter().map(sketch).collect();
    assert_eq!(
        got,
        [
            "1 High reentrancy-in-withdraw @17",
            "2 Low timestamp-dependence @30",
            "3 Critical unprotected-selfdestruct-swc-106 @40-42",
            "4 Medium missing-zero-check @",
        ]
    );
    assert_eq!(r.findings[0].description, "Ether is sent first.");
    assert_eq!(r.findings[0].recommendation, "Update state first.");
    assert_eq!(r.findings[2].swc.as_deref(), Some("SWC-106"));
    assert!(r.unclassified.is_empty(), "{:#?}", r.unclassified);
}

#[test]
fn an_id_prefix_outranks_a_bare_impact_and_labels_vary() {
    let text = "# [M-01] Fee rounding\n\n## Severity\n\n**Impact:** High\n\n**Likelihood:** Low\n\n\
        ## Description\n\nRounds down (Fees.sol#L8).\n\n## Recommendations\n\nRound up.\n\n\
        ## Notes & Additional Information\n\n### Typo in comment\n- **Line(s):** 3\n";
    let r = parse_finished_report(text);
    let got: Vec<String> = r.findings.iter().map(sketch).collect();
    assert_eq!(
        got,
        [
            "M-01 Medium fee-rounding @Fees.sol:8",
            "2 Info typo-in-comment @3"
        ]
    );
    assert_eq!(r.findings[0].recommendation, "Round up.");
}

#[test]
fn a_checklist_with_a_markdown_root_links_to_github() {
    // `slither . --checklist --markdown-root https://github.com/o/r/blob/0abc/`
    let text = "## arbitrary-send-eth\nImpact: High\nConfidence: Medium\n - [ ] ID-0\n\
        [Vault.drain(address)](https://github.com/o/r/blob/0abc/src/Vault.sol#L10-L12) sends eth to arbitrary user\n\
        \tDangerous calls:\n\t- [to.transfer(address(this).balance)](https://github.com/o/r/blob/0abc/src/Vault.sol#L11)\n\n\
        https://github.com/o/r/blob/0abc/src/Vault.sol#L10-L12\n";
    let r = parse_finished_report(text);
    let got: Vec<String> = r.findings.iter().map(sketch).collect();
    assert_eq!(
        got,
        ["ID-0 High arbitrary-send-eth @src/Vault.sol:10-12,src/Vault.sol:11"]
    );
    let f = &r.findings[0];
    assert_eq!(f.title, "Vault.drain(address) sends eth to arbitrary user");
    assert_eq!(f.function.as_deref(), Some("drain"));
    assert_eq!(f.confidence, Some(super::model::Confidence::Medium));
    // While the item's description has not arrived, it is not a finding yet.
    let pending = super::parse::parse_report("## tx-origin\nImpact: Medium\n - [ ] ID-0\n");
    assert!(pending.findings.is_empty() && pending.unclassified.is_empty());
}
