//! Markdown → findings. `parse_report` reads a report that may still be streaming; the live
//! reader can instead call `outline` once per update and `parse_block` only for blocks it
//! has not seen finished, because a finished block always parses to the same result.
//!
//! Never fails and never panics: what looks like a finding but has no severity goes to
//! `Report::unclassified` with its text.

use super::line_ref::{Listing, locations_in};
use super::model::{Confidence, Finding, Location, Report, Severity, Unclassified, slug};
use super::scan::{Detector, FindingBlock, closes_fence, heading, opens_fence, outline};
use super::vocabulary::{Label, confidence_word, id_severity, label, severity_word, words_of};

/// What a block turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    Finding(Finding),
    Unclassified(Unclassified),
    /// An ordinary numbered section (`## 2. Scope`): not a finding.
    Section,
    /// An unfinished block that has no severity yet: it may still become a finding.
    Pending,
}

/// Reads a report that may still be growing: a finding whose block the text ends inside is
/// `complete: false`, and a last line without its newline is not yet read as a heading.
pub fn parse_report(markdown: &str) -> Report {
    build(markdown, false)
}

/// Reads a whole report (a saved file, a finished stream): every finding is complete.
pub fn parse_finished_report(markdown: &str) -> Report {
    build(markdown, true)
}

fn build(markdown: &str, finished: bool) -> Report {
    let outline = outline(markdown, finished);
    let mut report = Report {
        title: outline.title,
        summary: outline
            .summary
            .and_then(|(s, e)| markdown.get(s..e))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default(),
        ..Report::default()
    };
    for block in &outline.blocks {
        match parse_block(markdown, block) {
            Parsed::Finding(f) => report.findings.push(f),
            Parsed::Unclassified(u) => report.unclassified.push(u),
            Parsed::Section | Parsed::Pending => {}
        }
    }
    report
}

/// Flags the locations that point outside `source` (line 0, or past its last line). Only
/// locations in `file` (compared by file name) or naming no file are checked, since a report
/// may cite other files.
pub fn check_lines(report: &mut Report, source: &str, file: Option<&str>) {
    let lines = source.lines().count() as u32;
    let name = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned();
    let ours = file.map(name);
    for loc in report
        .findings
        .iter_mut()
        .flat_map(|f| f.locations.iter_mut())
    {
        let same_file = match (&loc.file, &ours) {
            (Some(f), Some(o)) => name(f) == *o,
            _ => true,
        };
        if same_file {
            loc.out_of_range = loc.line == 0 || loc.line > lines || loc.end_line > Some(lines);
        }
    }
}

/// Where the body's lines go.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Free,
    Description,
    Recommendation,
    Locations,
    Other,
    /// A label with its value on the next line (`#### Severity` then `High`).
    Pending(Label),
}

#[derive(Default)]
struct Body {
    free: Vec<String>,
    description: Vec<String>,
    recommendation: Vec<String>,
    locations: Vec<String>,
    other: Vec<String>,
    severity: Option<Severity>,
    impact: Option<Severity>,
    confidence: Option<Confidence>,
    rule: Option<String>,
    swc: Option<String>,
    function: Option<String>,
    id: Option<String>,
    snippet: Option<String>,
    /// Lines of code listings (`File: src/Vault.sol` then `80: …`) in the block's fences.
    listed: Vec<Location>,
}

impl Body {
    fn buffer(&mut self, target: Target) -> Option<&mut Vec<String>> {
        match target {
            Target::Free => Some(&mut self.free),
            Target::Description => Some(&mut self.description),
            Target::Recommendation => Some(&mut self.recommendation),
            Target::Locations => Some(&mut self.locations),
            Target::Other => Some(&mut self.other),
            Target::Pending(_) => None,
        }
    }

    /// Applies a `label: value` field and says where the following lines go.
    fn field(&mut self, label: Label, value: &str) -> Target {
        let value = value.trim();
        let plain =
            value.trim_matches(|c: char| c == '`' || c == '*' || c == '_' || c.is_whitespace());
        if value.is_empty()
            && !matches!(
                label,
                Label::Description | Label::Recommendation | Label::Other | Label::Location
            )
        {
            return Target::Pending(label);
        }
        match label {
            Label::Severity => {
                self.severity = self.severity.or(severity_word(value));
                Target::Free
            }
            Label::Impact => match severity_word(value).filter(|_| words_of(value).len() <= 3) {
                Some(s) => {
                    self.impact = self.impact.or(Some(s));
                    Target::Free
                }
                None => self.section(Target::Other, value),
            },
            Label::Confidence => {
                self.confidence = self.confidence.or(confidence_word(value));
                Target::Free
            }
            // `Line: 19` holds its value; `### Lines of code` is followed by links.
            Label::Location if value.is_empty() => self.section(Target::Locations, value),
            Label::Location => {
                self.locations.push(value.to_owned());
                Target::Free
            }
            Label::Rule => {
                if self.rule.is_none() && !plain.is_empty() {
                    self.rule = Some(rule_id(plain));
                }
                Target::Free
            }
            Label::Swc => {
                self.swc = self.swc.take().or_else(|| swc_id(value));
                Target::Free
            }
            Label::Function => {
                self.function = self
                    .function
                    .take()
                    .or_else(|| Some(plain.to_owned()).filter(|f| !f.is_empty()));
                Target::Free
            }
            Label::Id => {
                self.id = self
                    .id
                    .take()
                    .or_else(|| Some(plain.to_owned()).filter(|f| !f.is_empty()));
                Target::Free
            }
            Label::Description => self.section(Target::Description, value),
            Label::Recommendation => self.section(Target::Recommendation, value),
            Label::Other => self.section(Target::Other, value),
        }
    }

    fn section(&mut self, target: Target, first: &str) -> Target {
        if let Some(buf) = self.buffer(target) {
            if !buf.is_empty() {
                buf.push(String::new());
            }
            if !first.is_empty() {
                buf.push(first.to_owned());
            }
        }
        target
    }
}

/// Reads one block of `report` (from `outline`). Depends only on the block's text and its
/// recorded context, so a finished block parses the same every time.
pub fn parse_block(report: &str, block: &FindingBlock) -> Parsed {
    let text = block.text(report);
    if let Some(detector) = &block.detector {
        return checklist_item(text, block, detector);
    }
    let mut body = Body::default();
    let mut target = Target::Free;
    let mut fence: Option<(char, usize)> = None;
    let mut snippet: Option<Vec<&str>> = None;
    let mut listing = Listing::default();
    for line in text.lines().skip(1).map(|l| l.trim_end_matches('\r')) {
        if let Some(f) = fence {
            if closes_fence(line, f) {
                fence = None;
                if let Some(lines) = snippet.take() {
                    body.snippet = Some(lines.join("\n"));
                }
            } else {
                listing.read(line);
                if let Some(lines) = &mut snippet {
                    lines.push(line);
                }
            }
            continue;
        }
        if let Some(f) = opens_fence(line) {
            fence = Some(f);
            listing.new_fence();
            if body.snippet.is_none() && target != Target::Other {
                snippet = Some(Vec::new());
            }
            continue;
        }
        if let Some(h) = heading(line).filter(|h| h.level < 7) {
            target = match label(&h.title) {
                Some(l) => body.field(l, ""),
                None => Target::Other,
            };
            continue;
        }
        if let Some(fields) = fields(line) {
            for (l, value) in fields {
                target = body.field(l, &value);
            }
            continue;
        }
        if unknown_label(line) && target != Target::Free {
            // `**Spearbit:** Verified.` after a recommendation: some other party's note.
            target = body.section(Target::Other, "");
        }
        let trimmed = line.trim();
        if let Target::Pending(l) = target {
            if !trimmed.is_empty() {
                target = body.field(l, trimmed);
                if matches!(target, Target::Pending(_)) {
                    target = Target::Free;
                }
            }
            continue;
        }
        if let Some(buf) = body.buffer(target) {
            buf.push(unescape(trimmed).to_owned());
        }
    }
    // A fence still open at the end of a streaming block: what came so far.
    if let Some(lines) = snippet.filter(|l| !l.is_empty()) {
        body.snippet = Some(lines.join("\n"));
    }
    body.listed = listing.into_locations();
    finish(body, text, block)
}

fn finish(mut body: Body, text: &str, block: &FindingBlock) -> Parsed {
    let head = &block.head;
    let id = head.id.clone().or(body.id.clone());
    // The auditor's verdict first (a severity field, the heading's tag, the id's prefix), then
    // `Impact: High`, which some layouts pair with a likelihood, then the section heading.
    // A plain heading outside any findings section is a finding only by an explicit
    // severity field (`| Severity | High |`): an `Impact:` line alone leaves it a section.
    let loose = !block.in_findings
        && head.id.is_none()
        && head.number.is_none()
        && head.severity.is_none()
        && block.detector.is_none();
    let severity = if loose {
        body.severity
    } else {
        body.severity
            .or(head.severity)
            .or_else(|| id.as_deref().and_then(id_severity))
            .or(body.impact)
            .or(block.group)
    };
    let title = head.title.clone();
    let Some(severity) = severity.filter(|_| !title.is_empty()) else {
        let looks_like_one = block.in_findings || head.id.is_some() || head.severity.is_some();
        if !block.finished {
            return Parsed::Pending;
        }
        if !looks_like_one {
            return Parsed::Section;
        }
        let first = text.lines().next().unwrap_or("").trim();
        return Parsed::Unclassified(Unclassified {
            title: if title.is_empty() {
                first.to_owned()
            } else {
                title
            },
            text: text.to_owned(),
            report_line: block.line,
        });
    };
    let mut locations = locations_in(&body.locations.join("\n"), true);
    if locations.is_empty() {
        // A bot report's listings name the lines exactly; its prose links to references.
        locations = std::mem::take(&mut body.listed);
    }
    if locations.is_empty() {
        let prose = [
            title.as_str(),
            &body.free.join("\n"),
            &body.description.join("\n"),
            &body.other.join("\n"),
            &body.recommendation.join("\n"),
        ]
        .join("\n");
        let all = locations_in(&prose, false);
        let with_file: Vec<Location> = all.iter().filter(|l| l.file.is_some()).cloned().collect();
        locations = if with_file.is_empty() { all } else { with_file };
    }
    if body.recommendation.is_empty() && body.description.is_empty() {
        body.recommendation = advice_paragraph(&mut body.free);
    }
    let description = paragraphs(if body.description.iter().any(|l| !l.is_empty()) {
        &body.description
    } else {
        &body.free
    });
    let swc = body.swc.or_else(|| {
        title
            .to_ascii_uppercase()
            .find("SWC-")
            .and_then(|i| swc_id(&title[i..]))
    });
    Parsed::Finding(Finding {
        id: id
            .or(head.number.clone())
            .unwrap_or_else(|| block.ordinal.to_string()),
        rule: body.rule.unwrap_or_else(|| slug(&title)),
        title,
        severity,
        swc,
        confidence: body.confidence,
        function: body.function,
        locations,
        description,
        recommendation: paragraphs(&body.recommendation),
        snippet: body.snippet,
        complete: block.finished,
        verdict: None,
        reason: None,
        found_by: None,
    })
}

/// One item of a Slither checklist (`- [ ] ID-0` and its description, in a detector's
/// section): the detector is the rule, its impact the severity; the title is the item's first
/// sentence without link markup; the locations are its `File.sol#L12-L15` links.
fn checklist_item(text: &str, block: &FindingBlock, detector: &Detector) -> Parsed {
    let lines: Vec<String> = text.lines().skip(1).map(|l| l.trim().to_owned()).collect();
    let first = lines.iter().find(|l| !l.is_empty());
    let Some(severity) = detector.impact else {
        return Parsed::Pending;
    };
    if first.is_none() && !block.finished {
        return Parsed::Pending;
    }
    let first = first.map_or("", String::as_str);
    let title = Some(checklist_title(first))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| detector.rule.clone());
    let locations = locations_in(&lines.join("\n"), false)
        .into_iter()
        .filter(|l| l.file.is_some())
        .collect();
    Parsed::Finding(Finding {
        id: block
            .head
            .id
            .clone()
            .unwrap_or_else(|| block.ordinal.to_string()),
        title,
        severity,
        rule: detector.rule.clone(),
        swc: None,
        confidence: detector.confidence,
        function: linked_function(first),
        locations,
        description: paragraphs(&lines),
        recommendation: String::new(),
        snippet: None,
        complete: block.finished,
        verdict: None,
        reason: None,
        found_by: None,
    })
}

/// The longest title a checklist item's first sentence gives, in characters.
const MAX_TITLE: usize = 100;

/// `Reentrancy in [Vault.withdraw()](src/Vault.sol#L19-L25):` → `Reentrancy in
/// Vault.withdraw()`: link markup and linked URLs dropped, cut at the first sentence's end (a
/// `. ` or `: `), at most `MAX_TITLE` characters, cut at a word.
fn checklist_title(line: &str) -> String {
    let text = without_links(line);
    let text = without_url_aside(&text);
    let end = [". ", ": "]
        .iter()
        .filter_map(|p| text.find(p))
        .min()
        .unwrap_or(text.len());
    let sentence = text[..end].trim().trim_end_matches(['.', ':']).trim_end();
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let mut title = String::new();
    for w in words {
        let more = title.chars().count() + 1 + w.chars().count();
        if !title.is_empty() && more > MAX_TITLE {
            title.push('…');
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.extend(w.chars().take(MAX_TITLE));
    }
    title
}

/// Longest first line read for a title: keeps the bracket matching bounded on hostile input.
const MAX_TITLE_SOURCE: usize = 2000;

/// `[text](target)` → `text`, keeping brackets that open no link (`credit[msg.sender]`).
fn without_links(line: &str) -> String {
    let line = match line.char_indices().nth(MAX_TITLE_SOURCE) {
        Some((i, _)) => &line[..i],
        None => line,
    };
    let mut out = String::with_capacity(line.len());
    let mut opens: Vec<usize> = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' => {
                opens.push(out.len());
                out.push(c);
            }
            ']' if chars.peek() == Some(&'(') => {
                if let Some(at) = opens.pop() {
                    // Every other open bracket is before `at`: removing it shifts none.
                    out.remove(at);
                } else {
                    out.push(c);
                    continue;
                }
                let mut depth = 0usize;
                for u in chars.by_ref() {
                    match u {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
            }
            ']' => {
                opens.pop();
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// `issues (https://…/bugs.html)` → `issues`: a parenthesised URL is no part of a title.
fn without_url_aside(text: &str) -> String {
    match text.find(" (http") {
        Some(i) => {
            let close = text[i..].find(')').map_or(text.len(), |j| i + j + 1);
            format!("{}{}", &text[..i], &text[close..])
        }
        None => text.to_owned(),
    }
}

/// The function the item's first link names: `[Vault.withdraw(uint256)](…)` → `withdraw`.
fn linked_function(line: &str) -> Option<String> {
    let text = line.split_once('[')?.1.split_once("](")?.0;
    let (name, _) = text.split_once('(')?;
    let name = name.rsplit('.').next()?;
    let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then(|| name.to_owned())
}

/// `\# text` → `# text`: the Markdown escape the writer puts before structural characters.
fn unescape(line: &str) -> &str {
    match line.strip_prefix('\\') {
        Some(rest) if rest.starts_with(super::write::ESCAPED) => rest,
        _ => line,
    }
}

/// A line opening with a bold label this parser does not know (`**Client:** Fixed.`).
fn unknown_label(line: &str) -> bool {
    let t = line.trim_start();
    t.strip_prefix("**")
        .and_then(|r| r.split_once("**"))
        .is_some_and(|(key, _)| {
            let key = key.trim();
            (key.ends_with(':') || key.ends_with('.'))
                && key.len() <= 40
                && label(key.trim_end_matches([':', '.'])).is_none()
        })
}

/// The closing advice of a prose-only finding (`Consider …`, `We recommend …`): the style of
/// reports that label no sections.
fn advice_paragraph(free: &mut Vec<String>) -> Vec<String> {
    while free.last().is_some_and(String::is_empty) {
        free.pop();
    }
    let start = free.iter().rposition(|l| l.is_empty()).map_or(0, |i| i + 1);
    let first = free
        .get(start)
        .map(|l| l.to_ascii_lowercase())
        .unwrap_or_default();
    let advice = [
        "consider ",
        "we recommend",
        "it is recommended",
        "recommend ",
        "we suggest",
    ];
    if start > 0 && advice.iter().any(|a| first.starts_with(a)) {
        let out = free.split_off(start);
        free.truncate(start - 1);
        out
    } else {
        Vec::new()
    }
}

/// Lines joined back, blank runs collapsed to one, ends trimmed.
fn paragraphs(lines: &[String]) -> String {
    let mut out = String::new();
    let mut blank = false;
    for l in lines {
        if l.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(l);
    }
    out
}

/// The fields on a line: `- **Severity:** High`, `**Severity**: High`, `Severity: High`,
/// `**Explanation.** text`, `**Severity: High**`, or a table row `| Severity | High |` /
/// `| Severity: High | Difficulty: Low |`.
fn fields(line: &str) -> Option<Vec<(Label, String)>> {
    let t = line.trim();
    if let Some(row) = t.strip_prefix('|') {
        let cells: Vec<&str> = row
            .trim_end_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < cells.len() {
            if let Some(f) = field(cells[i]) {
                out.push(f);
                i += 1;
            } else if let (Some(l), Some(v)) = (label(strip_marks(cells[i])), cells.get(i + 1)) {
                out.push((l, (*v).to_owned()));
                i += 2;
            } else {
                i += 1;
            }
        }
        return (!out.is_empty()).then_some(out);
    }
    field(t).map(|f| vec![f])
}

fn field(text: &str) -> Option<(Label, String)> {
    let t = text.trim_start();
    let t = ["- ", "* ", "+ ", "> "]
        .iter()
        .find_map(|m| t.strip_prefix(m))
        .unwrap_or(t)
        .trim_start();
    for mark in ["**", "__", "*", "_"] {
        if let Some(inner) = t.strip_prefix(mark)
            && let Some(close) = inner.find(mark)
        {
            let (key, rest) = (&inner[..close], &inner[close + mark.len()..]);
            let (key, inside) = match key.split_once(':') {
                Some((k, v)) => (k, v.trim()),
                None => (key, ""),
            };
            let l = label(key.trim().trim_end_matches(['.', ':']))?;
            let rest = rest
                .trim_start()
                .trim_start_matches([':', '.', '-', '–', '—'])
                .trim();
            let value = [inside, rest]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            return Some((l, value));
        }
    }
    let (key, value) = t.split_once(':')?;
    if key.len() > 40 || key.contains('`') {
        return None;
    }
    Some((label(key)?, value.trim().to_owned()))
}

fn strip_marks(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, '*' | '_' | ':' | '.' | ' '))
}

/// `reentrancy-eth`, `Reentrancy (ETH)` → kebab-case rule id.
fn rule_id(value: &str) -> String {
    let kebab = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if kebab && value.len() <= 64 {
        value.to_ascii_lowercase()
    } else {
        slug(value)
    }
}

/// `SWC-107`, `swc 107`, `107 (Reentrancy)` → `SWC-107`.
fn swc_id(value: &str) -> Option<String> {
    let upper = value.to_ascii_uppercase();
    let from = upper.find("SWC").map_or(0, |i| i + 3);
    let digits: String = upper[from..]
        .trim_start_matches([' ', '-', ':'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty() && digits.len() <= 4).then(|| format!("SWC-{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_outside_the_contract_are_kept_but_flagged() {
        let md = "## Findings\n\n### 1. A\n- **Severity:** High\n- **Line:** 3\n\n\
                  ### 2. B\n- **Severity:** Low\n- **Line:** 4\n\n\
                  ### 3. C\n- **Severity:** Low\n- **Line:** 2-9\n\n\
                  ### 4. D\n- **Severity:** Low\n- **Location:** Other.sol:40, Vault.sol:40\n";
        let mut r = parse_finished_report(md);
        check_lines(&mut r, "one\ntwo\nthree\n", Some("src/Vault.sol"));
        let flags: Vec<Vec<(u32, bool)>> = r
            .findings
            .iter()
            .map(|f| {
                f.locations
                    .iter()
                    .map(|l| (l.line, l.out_of_range))
                    .collect()
            })
            .collect();
        assert_eq!(
            flags,
            [
                vec![(3, false)],
                vec![(4, true)],
                vec![(2, true)],
                vec![(40, false), (40, true)]
            ]
        );
        // Kept, not dropped, and a second check with a longer source clears the flag.
        check_lines(&mut r, &"x\n".repeat(50), Some("Vault.sol"));
        assert!(
            r.findings
                .iter()
                .flat_map(|f| &f.locations)
                .all(|l| !l.out_of_range)
        );
    }

    #[test]
    fn checklist_titles_are_the_first_sentence_without_links() {
        assert_eq!(
            checklist_title("Reentrancy in [SimpleDAO.withdraw(uint256)](src/a.sol#L15-L20):"),
            "Reentrancy in SimpleDAO.withdraw(uint256)"
        );
        assert_eq!(
            checklist_title(
                "[R.bug(address)](src/a.sol#L26) uses tx.origin for authorization: [require(bool)(tx.origin == o)](src/a.sol#L27)"
            ),
            "R.bug(address) uses tx.origin for authorization"
        );
        assert_eq!(
            checklist_title(
                "Version 0.4.24 contains known severe issues (https://solidity.readthedocs.io/en/latest/bugs.html)"
            ),
            "Version 0.4.24 contains known severe issues"
        );
        assert_eq!(
            checklist_title("[credit[msg.sender] -= amount](src/a.sol#L18) is written"),
            "credit[msg.sender] -= amount is written"
        );
        let long = checklist_title(&"word ".repeat(60));
        assert!(
            long.ends_with('…') && long.chars().count() <= MAX_TITLE + 1,
            "{long}"
        );
        // Brackets that open no link stay; nothing is lost or panics.
        assert_eq!(checklist_title("]( [ ]( ) [[["), "]( [[[");
        assert_eq!(
            linked_function("Low level call in [V.withdraw(uint256)](src/V.sol#L5):").as_deref(),
            Some("withdraw")
        );
    }

    #[test]
    fn swc_and_rule_fields_are_normalised() {
        assert_eq!(swc_id("SWC-107").as_deref(), Some("SWC-107"));
        assert_eq!(swc_id("swc 101 (overflow)").as_deref(), Some("SWC-101"));
        assert_eq!(swc_id("none"), None);
        assert_eq!(
            rule_id("`Reentrancy-ETH`".trim_matches('`')),
            "reentrancy-eth"
        );
        assert_eq!(rule_id("Unchecked call return"), "unchecked-call-return");
    }
}
