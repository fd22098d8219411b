//! Which link targets a report may carry. Model output is attacker-controlled (a
//! contract can carry a prompt injection), so a link becomes live only for `http`,
//! `https`, `mailto` and in-page `#anchors`; everything else stays plain text.
//!
//! pulldown-cmark has already decoded entities and backslash escapes in the
//! destination. What remains is what a browser's URL parser would strip before it
//! reads the scheme: leading and trailing C0 controls and spaces, and tabs and line
//! breaks anywhere. They are removed here, the scheme is compared without regard to
//! case, and the cleaned string is the `href`, so the checked text is the used text.

/// A link target that may become a live `<a href>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// `http:` or `https:`: off-site, opened with `rel="noopener noreferrer nofollow"`.
    External(String),
    /// `mailto:`.
    Mail(String),
    /// `#fragment` on this page.
    Anchor(String),
}

impl Target {
    pub fn href(&self) -> &str {
        match self {
            Self::External(h) | Self::Mail(h) | Self::Anchor(h) => h,
        }
    }

    /// The `rel` an off-site link needs; in-page and mail links need none.
    pub fn rel(&self) -> Option<&'static str> {
        matches!(self, Self::External(_)).then_some("noopener noreferrer nofollow")
    }
}

/// The live target for a link destination, or `None` when it must render as text.
pub fn classify(dest: &str) -> Option<Target> {
    let cleaned: String = dest
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.chars().any(|c| c.is_control()) {
        return None;
    }
    let lower = cleaned.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        // A host is required: `http:evil` or `http:///x` would be read relative to us.
        let rest = &cleaned[cleaned.find("//")? + 2..];
        if rest.is_empty() || rest.starts_with(['/', '\\']) {
            return None;
        }
        Some(Target::External(cleaned))
    } else if lower.starts_with("mailto:") {
        Some(Target::Mail(cleaned))
    } else if cleaned.starts_with('#') {
        Some(Target::Anchor(cleaned))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_mail_and_anchor_links_are_live() {
        assert_eq!(
            classify(" https://swcregistry.io/docs/SWC-107 "),
            Some(Target::External(
                "https://swcregistry.io/docs/SWC-107".into()
            ))
        );
        assert_eq!(
            classify("HTTP://example.com"),
            Some(Target::External("HTTP://example.com".into()))
        );
        assert_eq!(
            classify("mailto:sec@example.com"),
            Some(Target::Mail("mailto:sec@example.com".into()))
        );
        assert_eq!(
            classify("#findings"),
            Some(Target::Anchor("#findings".into()))
        );
        assert_eq!(
            classify("ht\ttp\ns://example.com").unwrap().rel(),
            Some("noopener noreferrer nofollow")
        );
    }

    #[test]
    fn every_other_scheme_and_relative_path_is_text() {
        for dest in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:image/svg+xml;base64,AAAA",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "//evil.example/x",
            "/api/report",
            "report.md",
            "http:evil.example",
            "https:///evil",
            "https:\\\\evil",
            "java\u{0}script:alert(1)",
            "",
        ] {
            assert_eq!(classify(dest), None, "{dest:?}");
        }
    }
}
