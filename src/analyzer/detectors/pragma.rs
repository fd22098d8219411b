//! The floating-pragma detector: a version pragma that admits more than one compiler, or none.

use super::scan::find_token;
use super::version::{VersionRange, fmt_version, is_pinned, parse_constraint};
use super::{ALL_LANGUAGES, Detector, Finding, Language, Severity, SourceFile, finding};

/// `floating-pragma` (Low). Flags a version pragma that allows more than one compiler:
/// `^`, `~`, `>=`, `>`, `<`, `*`, ranges, or a partial version; and a contract (Solidity
/// `contract`/`library`/`interface`, Vyper `def`) with no version pragma at all. A pinned
/// `0.8.19` (Vyper: `# @version 0.3.10`) is not flagged. Limits: it cannot tell whether the
/// allowed range contains a compiler with known bugs; that needs the solc bug list, which is
/// not bundled.
pub struct FloatingPragma;

impl Detector for FloatingPragma {
    fn id(&self) -> &'static str {
        "floating-pragma"
    }

    fn languages(&self) -> &'static [Language] {
        ALL_LANGUAGES
    }

    fn check(&self, src: &SourceFile) -> Vec<Finding> {
        if src.pragmas().is_empty() {
            return missing_pragma(src).into_iter().collect();
        }
        src.pragmas()
            .iter()
            .filter(|p| !is_pinned(&p.constraint))
            .map(|p| {
                let ranges = parse_constraint(&p.constraint);
                let allowed = match ranges.as_deref() {
                    Some([VersionRange { lo, hi: Some(hi) }]) => {
                        format!("any compiler from {} up to, but not including, {}", fmt_version(*lo), fmt_version(*hi))
                    }
                    Some([VersionRange { lo, hi: None }]) => {
                        format!("any compiler from {} upwards, including future releases with breaking changes", fmt_version(*lo))
                    }
                    _ => "a range of compiler versions".to_owned(),
                };
                let written = p.constraint.split(|c: char| !(c.is_ascii_digit() || c == '.')).find(|v| is_pinned(v));
                let lo = ranges.as_ref().and_then(|r| r.first()).map(|r| fmt_version(r.lo));
                let version = written.map(str::to_owned).or(lo).unwrap_or_else(|| "X.Y.Z".to_owned());
                let example = match src.language() {
                    Language::Solidity => format!("pragma solidity {version};"),
                    Language::Vyper if src.line(p.line).contains("@version") => format!("# @version {version}"),
                    Language::Vyper => format!("#pragma version {version}"),
                };
                finding(
                    src,
                    self.id(),
                    Severity::Low,
                    p.line,
                    "Floating compiler version pragma",
                    format!(
                        "The pragma `{}` accepts {allowed}. The bytecode you audit and test may then differ from \
                         what is deployed, and a compiler with known bugs can slip in.",
                        p.constraint
                    ),
                    format!("Pin the exact compiler version you test and deploy with, e.g. `{example}`."),
                )
            })
            .collect()
    }
}

/// The finding for a contract without any version pragma, at its first line of code.
fn missing_pragma(src: &SourceFile) -> Option<Finding> {
    let (keywords, example): (&[&str], &str) = match src.language() {
        Language::Solidity => (
            &["contract", "library", "interface"],
            "pragma solidity 0.8.28;",
        ),
        Language::Vyper => (&["def"], "#pragma version 0.4.0"),
    };
    keywords
        .iter()
        .find(|k| !find_token(src.code(), k).is_empty())?;
    let line = src.code_lines().find(|(_, l)| !l.trim().is_empty())?.0;
    Some(finding(
        src,
        FloatingPragma.id(),
        Severity::Low,
        line,
        "Missing compiler version pragma",
        format!(
            "This {} source declares no compiler version, so any compiler can build it, including ones with \
             different semantics (such as unchecked arithmetic before Solidity 0.8) or known bugs.",
            src.language()
        ),
        format!(
            "Add a pragma pinning the exact version you test and deploy with, e.g. `{example}`."
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids_lines(text: &str, language: Language) -> Vec<usize> {
        FloatingPragma
            .check(&SourceFile::with_language(text, language))
            .iter()
            .map(|f| f.line)
            .collect()
    }

    #[test]
    fn floating_solidity_pragmas_are_flagged() {
        for c in [
            "^0.8.0",
            ">=0.6.0 <0.9.0",
            ">0.4.0",
            "*",
            "0.4.0 - 0.5.0",
            "0.8",
            "~0.8.1",
        ] {
            assert_eq!(
                ids_lines(&format!("\npragma solidity {c};\n"), Language::Solidity),
                [2],
                "{c}"
            );
        }
        let f = &FloatingPragma.check(&SourceFile::with_language(
            "pragma solidity ^0.4.24;",
            Language::Solidity,
        ))[0];
        assert_eq!(f.severity, Severity::Low);
        assert!(
            f.explanation
                .contains("from 0.4.24 up to, but not including, 0.5.0"),
            "{}",
            f.explanation
        );
        assert!(f.recommendation.contains("`pragma solidity 0.4.24;`"));
    }

    #[test]
    fn pinned_or_commented_pragmas_are_not_flagged() {
        assert!(ids_lines("pragma solidity 0.8.19;", Language::Solidity).is_empty());
        assert!(ids_lines("pragma solidity =0.8.19;", Language::Solidity).is_empty());
        assert!(
            ids_lines(
                "// pragma solidity ^0.8.0;\n/* pragma solidity >=0.4.0; */",
                Language::Solidity
            )
            .is_empty()
        );
        assert!(
            ids_lines(
                "string s = \"pragma solidity ^0.8.0;\";",
                Language::Solidity
            )
            .is_empty()
        );
    }

    #[test]
    fn missing_pragmas_are_flagged_on_contracts_only() {
        assert_eq!(
            ids_lines("\n// c\ncontract A {\n}\n", Language::Solidity),
            [3]
        );
        assert!(ids_lines("function f() { }\n", Language::Solidity).is_empty());
        assert!(ids_lines("// contract A {}\n", Language::Solidity).is_empty());
        assert_eq!(
            ids_lines("@external\ndef f():\n    pass\n", Language::Vyper),
            [1]
        );
    }

    #[test]
    fn vyper_version_headers() {
        assert_eq!(ids_lines("# @version ^0.3.7\n", Language::Vyper), [1]);
        assert_eq!(
            ids_lines("\n#pragma version >=0.4.0\n", Language::Vyper),
            [2]
        );
        let strict = &FloatingPragma.check(&SourceFile::with_language(
            "#pragma version >0.3.10\n",
            Language::Vyper,
        ))[0];
        assert!(
            strict.explanation.contains("from 0.3.11 upwards"),
            "{}",
            strict.explanation
        );
        assert!(
            strict.recommendation.contains("`#pragma version 0.3.10`"),
            "{}",
            strict.recommendation
        );
        assert!(ids_lines("# @version 0.3.10\n", Language::Vyper).is_empty());
        assert!(
            ids_lines(
                "#pragma version ==0.4.0\nx: uint256 # @version ^0.3.0\n",
                Language::Vyper
            )
            .is_empty()
        );
    }
}
