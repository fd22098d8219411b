//! Weak randomness: block data (timestamp, number, hash, prevrandao) turned into a "random"
//! number by hashing it or reducing it modulo something.

use super::scan::{callees_at, find_token, statements};
use super::version::allows_below;
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, finding};

const BLOCK_VALUES: [&str; 7] = [
    "block.timestamp",
    "block.number",
    "block.blockhash",
    "blockhash",
    "block.difficulty",
    "block.prevrandao",
    "now",
];

/// `weak-randomness` (Medium). Flags a statement where a block value (`block.timestamp`,
/// `now` before 0.7, `block.number`, `blockhash`, `block.difficulty`, `block.prevrandao`) is
/// reduced with `%`, or hashed (`keccak256`/`sha3`/`sha256`) and turned into a number
/// (`uint8(…)`, `uint(…)`, Vyper `convert(…)`). A plain `block.timestamp >= deadline`, or a
/// hash kept as a `bytes32` id, is not flagged. Limits: a block value stored in a variable and
/// reduced later is missed, and so is a hash returned as `bytes32` and reduced by the caller;
/// an unrelated `%` in the same statement gives a false positive.
pub struct WeakRandomness;

impl Detector for WeakRandomness {
    fn id(&self) -> &'static str {
        "weak-randomness"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        // `now` is a global only in Solidity before 0.7; elsewhere it is just a name.
        let now_is_global = src.language() == Language::Solidity
            && src
                .pragma()
                .is_none_or(|p| allows_below(&p.constraint, (0, 7, 0)));
        let sources = BLOCK_VALUES
            .iter()
            .filter(|s| **s != "now" || now_is_global);
        let sources: Vec<&str> = sources.copied().collect();
        let mut out = Vec::new();
        for st in statements(src) {
            let modulo = st.text.contains('%');
            let numeric = |callees: &[&str]| {
                callees
                    .iter()
                    .any(|c| c.starts_with("uint") || c.starts_with("int") || *c == "convert")
            };
            let mut sites: Vec<(usize, &str)> = sources
                .iter()
                .flat_map(|s| find_token(st.text, s).into_iter().map(move |at| (at, *s)))
                .collect();
            if sites.is_empty() {
                continue;
            }
            sites.sort_unstable();
            let positions: Vec<usize> = sites.iter().map(|(at, _)| *at).collect();
            // Sites are in source order, so the first match is the earliest.
            let hit = sites
                .into_iter()
                .zip(callees_at(st.text, &positions))
                .find_map(|((at, s), callees)| {
                    let hashed = callees
                        .iter()
                        .find(|c| matches!(**c, "keccak256" | "sha3" | "sha256"));
                    match hashed {
                        Some(h) if modulo || numeric(&callees) => {
                            Some((at, s, format!("is hashed with `{h}` into a number")))
                        }
                        _ => modulo.then(|| (at, s, "is reduced with `%`".to_owned())),
                    }
                });
            let Some((at, value, how)) = hit else {
                continue;
            };
            let line = src.line_of(st.start + at);
            out.push(finding(
                src,
                self.id(),
                Severity::Medium,
                line,
                "Weak randomness from block data",
                format!(
                    "On line {line}, `{value}` {how}, which looks like deriving a random number. Block values are \
                     public and predictable, and block producers can nudge them; another contract can compute the \
                     same value in the same block and only act when it wins."
                ),
                "Use a verifiable randomness source (for example Chainlink VRF) or a commit-reveal scheme; do \
                 not decide anything of value from block data.",
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, language: Language) -> Vec<usize> {
        WeakRandomness
            .check(&SourceFile::with_language(text, language))
            .iter()
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn hashed_or_modulo_block_values_are_flagged() {
        let text = "pragma solidity ^0.4.21;\nuint8 answer = uint8(keccak256(block.blockhash(block.number - 1), now));\nif (now % 15 == 0) { win(); }\nuint r = uint(sha3(\n  block.difficulty));";
        assert_eq!(lines(text, Language::Solidity), [2, 3, 5]);
        let f = &WeakRandomness.check(&SourceFile::with_language(text, Language::Solidity))[0];
        assert!(
            f.explanation
                .contains("`block.blockhash` is hashed with `keccak256` into a number"),
            "{}",
            f.explanation
        );
        let vy = "@external\ndef roll() -> uint256:\n    return convert(keccak256(convert(block.prevrandao, bytes32)), uint256)\n";
        assert_eq!(lines(vy, Language::Vyper), [3]);
        let modern =
            "uint r = uint(keccak256(abi.encodePacked(block.prevrandao, msg.sender))) % 100;";
        assert_eq!(lines(modern, Language::Solidity), [1]);
        let vy = "@external\ndef roll() -> uint256:\n    return block.timestamp % 6\n";
        assert_eq!(lines(vy, Language::Vyper), [3]);
    }

    #[test]
    fn comparisons_comments_strings_and_modern_now_are_not_flagged() {
        let text = "require(block.timestamp >= deadline);\n// uint r = block.timestamp % 10;\nstring s = \"keccak256(block.number)\";\nuint x = a % b;\nbytes32 id = keccak256(abi.encode(block.number, msg.sender));";
        assert!(lines(text, Language::Solidity).is_empty());
        assert!(
            lines(
                "pragma solidity ^0.8.0;\nuint r = now % 2;",
                Language::Solidity
            )
            .is_empty()
        );
        assert!(lines("x: uint256 = block.number  # % 10\n", Language::Vyper).is_empty());
    }
}
