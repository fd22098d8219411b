//! Splits a report's markdown into blocks: the title, the summary, and one block per
//! finding-like section, each with the context it sits in (the severity heading above it).
//!
//! A line scanner, not a CommonMark parser (pulldown-cmark): a report's findings are found by
//! its ATX headings and fenced code blocks alone, the scanner must give byte offsets and line
//! numbers of blocks for the live reader, and it must treat a half-written last line as "not
//! yet known". Those three are simpler to get exactly right over lines than over events.

use super::model::{Confidence, Severity};
use super::vocabulary::{
    confidence_word, finding_id, is_detector_name, is_finding_part, is_findings_container,
    is_report_section, is_summary_heading, severity_group, severity_word,
};

/// A finding-like section of the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingBlock {
    /// Byte range of the block in the report text, heading line included.
    pub start: usize,
    pub end: usize,
    /// 1-based line of the heading.
    pub line: u32,
    /// How the heading reads.
    pub head: Head,
    /// The severity of the heading the block sits under (`## High`), if any.
    pub group: Option<Severity>,
    /// Whether the block sits under a findings heading (`## Findings`, `## High`).
    pub in_findings: bool,
    /// 1-based position among the report's finding-like blocks.
    pub ordinal: u32,
    /// False when the text ends inside the block (it may still grow).
    pub finished: bool,
    /// For an item of a Slither checklist (`- [ ] ID-0`), the detector section it sits in.
    pub detector: Option<Detector>,
}

/// A detector section of a Slither `--checklist` report: `## reentrancy-eth`, then
/// `Impact: High` and `Confidence: Medium` lines above its `- [ ] ID-n` items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detector {
    /// The detector's name, the rule id of each item.
    pub rule: String,
    pub impact: Option<Severity>,
    pub confidence: Option<Confidence>,
}

impl FindingBlock {
    /// The block's markdown.
    pub fn text<'a>(&self, report: &'a str) -> &'a str {
        report.get(self.start..self.end).unwrap_or("")
    }
}

/// A heading read for what it says about a finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Head {
    /// ATX level (1–6), or 7 for a bold line standing as a heading (`**[H-01] Title**`).
    pub level: u8,
    /// `H-01` from `[H-01] Title`, `Issue H-1: Title`.
    pub id: Option<String>,
    /// `1` from `1. Title`, `5.1` from `5.1 Title`.
    pub number: Option<String>,
    /// A severity written in the heading: `[High] Title`, `Title (High)`, `High: Title`.
    pub severity: Option<Severity>,
    pub title: String,
}

/// The report split into blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outline {
    /// The first level-1 heading that is not a finding.
    pub title: Option<String>,
    /// Byte range of the report summary section's body.
    pub summary: Option<(usize, usize)>,
    pub blocks: Vec<FindingBlock>,
}

/// What a heading opens, outside any finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Container,
    Group(Severity),
    Other,
}

/// Splits `text`. With `finished`, the text is the whole report: its last line counts even
/// without a newline and every block is finished. Otherwise the last unterminated line is not
/// yet read as a heading, and the last block is unfinished.
pub fn outline(text: &str, finished: bool) -> Outline {
    let mut o = Outliner::default();
    o.feed(text);
    o.outline(text, finished)
}

/// [`outline`] for a report that grows: each [`Outliner::feed`] reads only the complete
/// lines it has not read before, so keeping the outline of a streaming report costs the new
/// text, not the whole report, and finished blocks are handed out once.
#[derive(Clone, Debug, Default)]
pub struct Outliner {
    /// Headings open above the current line: their level and what they opened.
    sections: Vec<(u8, Section)>,
    fence: Option<(char, usize)>,
    /// The finding-like block the scanner is inside, still growing.
    open: Option<FindingBlock>,
    /// Where the summary section's body starts, while it is the current section.
    summary: Option<usize>,
    /// The Slither detector section the scanner is in, if any.
    detector: Option<Detector>,
    /// Whether a heading has been read.
    seen_heading: bool,
    /// A severity standing alone on the last non-blank line before the first heading.
    lead: Option<Severity>,
    /// Byte offset of the first line not read yet.
    offset: usize,
    /// 0-based number of that line.
    line: usize,
    /// Title, summary and finished blocks so far.
    out: Outline,
}

impl Outliner {
    /// Reads the complete lines of `text` after those read before. `text` must start with
    /// every earlier `text` (the report only grows).
    pub fn feed(&mut self, text: &str) {
        let Some(rest) = text.get(self.offset..) else {
            return;
        };
        let complete = rest.rfind('\n').map_or(0, |i| i + 1);
        for raw in rest[..complete].split_inclusive('\n') {
            self.read_line(text, raw);
        }
    }

    /// The finished blocks so far, in order.
    pub fn finished(&self) -> &[FindingBlock] {
        &self.out.blocks
    }

    /// The outline of `text` (which has been fed): with `finished`, its unterminated last
    /// line is read too and every block ends.
    pub fn outline(&self, text: &str, finished: bool) -> Outline {
        let mut o = self.clone();
        let rest = text.get(o.offset..).unwrap_or("");
        if finished && !rest.is_empty() {
            o.read_line(text, rest);
        }
        let mut out = o.out;
        if let Some(mut b) = o.open {
            b.end = text.len();
            b.finished = finished;
            out.blocks.push(b);
        }
        if let Some(s) = o.summary {
            out.summary = Some((s, text.len()));
        }
        out
    }

    /// The block still growing at the end of `text`, if the scanner is inside one.
    pub fn open_block(&self, text: &str) -> Option<FindingBlock> {
        self.open.clone().map(|mut b| {
            b.end = text.len();
            b
        })
    }

    /// Reads the next line of `text`, `raw` (with its line end, if it has one), as complete.
    fn read_line(&mut self, text: &str, raw: &str) {
        let at = self.offset;
        let n = self.line;
        self.offset += raw.len();
        self.line += 1;
        let offset = self.offset;
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(f) = self.fence {
            if closes_fence(line, f) {
                self.fence = None;
            }
            return;
        }
        if let Some(f) = opens_fence(line) {
            self.fence = Some(f);
            return;
        }
        let (mut head, item) = match heading(line) {
            Some(h) => (h, false),
            None => match self.checklist_line(line) {
                Some(h) => (h, true),
                None => {
                    self.read_lead(line);
                    return;
                }
            },
        };
        if !self.seen_heading {
            self.seen_heading = true;
            if head.level == 1 && head.id.is_none() {
                head.severity = head.severity.or(self.lead.take());
            }
        }
        let sections = &self.sections;
        let context = if head.level < 7 {
            let kept = sections.iter().take_while(|(l, _)| *l < head.level).count();
            &sections[..kept]
        } else {
            &sections[..]
        };
        let group = context.iter().rev().find_map(|(_, s)| match s {
            Section::Group(g) => Some(*g),
            _ => None,
        });
        let in_findings = context
            .iter()
            .any(|(_, s)| matches!(s, Section::Container | Section::Group(_)));
        if head.level == 7 {
            // A bold line is a heading only when it starts a finding, and not inside a
            // finding under a real heading (where it is a label like `**Description**`).
            let starts = strong(&head) || in_findings && head.number.is_some();
            if !starts || self.open.as_ref().is_some_and(|b| b.head.level < 7) {
                return;
            }
        }
        if let Some(b) = &self.open {
            if stays_inside(&head, &b.head) {
                return;
            }
            let mut b = self.open.take().expect("checked");
            b.end = at;
            b.finished = true;
            self.out.blocks.push(b);
        }
        if let Some(s) = self.summary.take() {
            self.out.summary = Some((s, at));
        }
        if head.level < 7 {
            self.sections.retain(|(level, _)| *level < head.level);
            self.detector = None;
        }
        match classify(&head, in_findings) {
            Some(s) => {
                if s == Section::Other {
                    if head.level == 1 && self.out.title.is_none() {
                        self.out.title = Some(head.title.clone());
                    }
                    if self.out.summary.is_none() && is_summary_heading(&head.title) {
                        self.summary = Some(offset);
                    }
                    if is_detector_name(&head.title) {
                        self.detector = Some(Detector {
                            rule: head.title.clone(),
                            impact: None,
                            confidence: None,
                        });
                    }
                }
                self.sections.push((head.level, s));
            }
            None => {
                self.open = Some(FindingBlock {
                    start: at,
                    end: text.len(),
                    line: n as u32 + 1,
                    head,
                    group,
                    in_findings,
                    ordinal: self.out.blocks.len() as u32 + 1,
                    finished: false,
                    detector: self.detector.clone().filter(|_| item),
                });
            }
        }
    }
}

impl Outliner {
    /// A line of a Slither detector section that is not a heading: its `Impact:` and
    /// `Confidence:` lines (read before its first item) or an item, which opens a finding
    /// (level 7, like a bold line). Items count only once the section has given its impact.
    fn checklist_line(&mut self, line: &str) -> Option<Head> {
        let detector = self.detector.as_mut()?;
        if self.open.is_none()
            && let Some((key, value)) = line.trim().split_once(':')
        {
            match key {
                "Impact" => detector.impact = detector.impact.or(severity_word(value)),
                "Confidence" => {
                    detector.confidence = detector.confidence.or(confidence_word(value))
                }
                _ => {}
            }
            return None;
        }
        let id = checklist_item(line).filter(|_| detector.impact.is_some())?;
        Some(Head {
            level: 7,
            id: Some(id.to_owned()),
            ..Head::default()
        })
    }
}

impl Outliner {
    /// Before the first heading: a lone `medium` line (a Sherlock judging issue opens with its
    /// author, its severity and then `# Title`) gives the first heading its severity, if
    /// nothing but blank lines follows it.
    fn read_lead(&mut self, line: &str) {
        if self.seen_heading {
            return;
        }
        let word = line.trim();
        if word.is_empty() {
            return;
        }
        self.lead = ["critical", "high", "medium", "low"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w))
            .then(|| severity_word(word))
            .flatten();
    }
}

/// `- [ ] ID-0` (or ticked, `- [x] ID-0`): the id of a checklist item.
pub fn checklist_item(line: &str) -> Option<&str> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let t = t.strip_prefix(['-', '*'])?.trim_start_matches(' ');
    let t = ["[ ]", "[x]", "[X]"]
        .iter()
        .find_map(|b| t.strip_prefix(b))?;
    let id = t.strip_prefix(' ')?.trim();
    finding_id(id)
}

/// Whether `head` is a part of the open finding `open` (`#### Description` under
/// `### 1. Reentrancy`, or a sloppy same-level `### Impact`) rather than the next section.
fn stays_inside(head: &Head, open: &Head) -> bool {
    let breaks_out = head.id.is_some()
        || severity_group(&head.title).is_some()
        || is_findings_container(&head.title);
    head.level < 7
        && !breaks_out
        && (head.level > open.level
            || head.level >= open.level && head.number.is_none() && is_finding_part(&head.title))
}

/// What a heading outside any finding opens: a section (`None` for a finding block).
fn classify(head: &Head, in_findings: bool) -> Option<Section> {
    let plain = head.number.is_none() && head.severity.is_none();
    if head.id.is_some() {
        None
    } else if let Some(g) = severity_group(&head.title) {
        Some(Section::Group(g))
    } else if is_findings_container(&head.title) {
        Some(Section::Container)
    } else if plain && (is_report_section(&head.title) || head.level == 1) {
        Some(Section::Other)
    } else if plain && !in_findings && is_detector_name(&head.title) {
        // `## reentrancy-eth`: a Slither checklist's detector section, whose items are
        // the findings.
        Some(Section::Other)
    } else if plain && !in_findings {
        // A plain heading outside any findings section (`## Unrestricted withdraw`) is a
        // finding only if its body says how severe it is (a `Severity` field or row);
        // otherwise `parse_block` reads it as an ordinary section.
        None
    } else {
        None
    }
}

/// Whether a heading names a finding by itself (an id, or a severity tag).
fn strong(head: &Head) -> bool {
    head.id.is_some() || head.severity.is_some() && head.number.is_some()
}

/// `` ``` `` or `~~~` (three or more, indented at most three spaces) opens a fence.
pub fn opens_fence(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3 && !(c == '`' && t[n..].contains('`'))).then_some((c, n))
}

/// A fence closes on a line of at least as many of the same character, and nothing else.
pub fn closes_fence(line: &str, (c, n): (char, usize)) -> bool {
    let t = line.trim_start_matches(' ');
    line.len() - t.len() <= 3 && {
        let run = t.chars().take_while(|&x| x == c).count();
        run >= n && t[run * c.len_utf8()..].trim().is_empty()
    }
}

/// An ATX heading (`### 1. Title`, trailing `#`s dropped), or a bold line that reads as one
/// (`**[H-01] Title**`, level 7).
pub fn heading(line: &str) -> Option<Head> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let hashes = t.chars().take_while(|&c| c == '#').count();
    let (level, text) = if (1..=6).contains(&hashes) {
        let rest = &t[hashes..];
        if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
            return None;
        }
        let rest = rest.trim();
        let rest = rest.trim_end_matches('#');
        (hashes as u8, rest.trim())
    } else if let Some(item) = bold_list_item(t) {
        return Some(item);
    } else {
        let inner = t.trim_end().strip_prefix("**")?.strip_suffix("**")?;
        if inner.contains("**") || inner.is_empty() {
            return None;
        }
        (7, inner.trim())
    };
    let mut head = read_head(text);
    head.level = level;
    Some(head)
}

/// A numbered list item led by a bold title, as small models write findings:
/// `1. **Reentrancy in withdraw** (Severity: High)`. Level 7, like a bold line.
fn bold_list_item(t: &str) -> Option<Head> {
    let (number, rest) = numbering(t)?;
    let rest = rest.trim_start().strip_prefix("**")?;
    let (title, after) = rest.split_once("**")?;
    if title.trim().is_empty() || number.contains('.') {
        return None;
    }
    let mut head = read_head(&format!("{} {}", title.trim(), after.trim()));
    head.level = 7;
    head.number = Some(number.to_owned());
    Some(head)
}

/// Reads id, number and severity tag off a heading's text.
fn read_head(text: &str) -> Head {
    let mut head = Head::default();
    let mut rest = strip_anchor(unwrap_link(unwrap_bold(text.trim()).trim())).trim();
    for word in ["issue", "finding", "bug", "vulnerability"] {
        if let Some(after) = strip_word(rest, word)
            && (after.starts_with(['#', '['])
                || after.starts_with(|c: char| c.is_ascii_digit())
                || first_token(after)
                    .and_then(|t| finding_id(t.trim_end_matches([':', '.'])))
                    .is_some())
        {
            rest = after;
            break;
        }
    }
    if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
        let (tag, after) = inner;
        let tag_id = plain_dashes(tag.trim());
        if let Some(id) = finding_id(&tag_id) {
            head.id = Some(id.to_owned());
            rest = after;
        } else if (1..=4).contains(&tag_id.len()) && tag_id.chars().all(|c| c.is_ascii_digit()) {
            // `## [01] Title`: the numbering of a Code4rena QA report.
            head.number = Some(tag_id);
            rest = after;
        } else if let Some(s) = tag_severity(tag) {
            head.severity = Some(s);
            rest = after;
        }
    } else if let Some(tok) = first_token(rest)
        && let Some(id) = finding_id(tok.trim_end_matches([':', '.']))
    {
        head.id = Some(id.to_owned());
        rest = &rest[tok.len()..];
    } else if let Some((number, after)) = numbering(rest) {
        head.number = Some(number.to_owned());
        rest = after;
    }
    rest = trim_separators(rest);
    // A severity tag after the id or number: `1. [High] Title`, `1. High: Title`.
    if let Some((tag, after)) = rest.strip_prefix('[').and_then(|r| r.split_once(']'))
        && let Some(s) = tag_severity(tag)
    {
        head.severity = head.severity.or(Some(s));
        rest = trim_separators(after);
    } else if let Some((tag, after)) = rest.split_once(':')
        && let Some(s) = tag_severity(tag)
    {
        head.severity = head.severity.or(Some(s));
        rest = trim_separators(after);
    }
    // A trailing tag: `Title (High)`, `Title [Medium Risk]`, `Title — Low`.
    let trimmed = rest.trim_end();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(body) = trimmed.strip_suffix(close)
            && let Some(i) = body.rfind(open)
            && let Some(s) = tag_severity(&body[i + 1..])
        {
            head.severity = head.severity.or(Some(s));
            rest = &trimmed[..i];
        }
    }
    if let Some((before, tag)) = rest.rsplit_once([' ', '\t'])
        && let Some(b) = before.trim_end().strip_suffix(['—', '–', '-'])
        && let Some(s) = tag_severity(tag)
    {
        head.severity = head.severity.or(Some(s));
        rest = b;
    }
    // A lone CR is a line break to Markdown: no control characters in a title.
    head.title = unwrap_bold(rest.trim())
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    head
}

/// A severity tag: one to three words whose first is a severity, with only filler after it
/// (`High`, `High Risk`, `Severity: High`, `🔴 Critical`).
fn tag_severity(tag: &str) -> Option<Severity> {
    let tag = tag.trim();
    let tag = tag
        .strip_prefix("Severity:")
        .or_else(|| tag.strip_prefix("severity:"))
        .unwrap_or(tag);
    severity_group(tag).or_else(|| {
        let words = super::vocabulary::words_of(tag);
        (words.len() == 1).then(|| severity_word(tag)).flatten()
    })
}

fn first_token(s: &str) -> Option<&str> {
    s.split_whitespace().next()
}

fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let head = s.get(..word.len())?;
    let rest = &s[word.len()..];
    (head.eq_ignore_ascii_case(word) && rest.starts_with(' ')).then(|| rest.trim_start())
}

/// `1. `, `1) `, `1: `, `#1 `, `5.1 `, `5.1. `: the number and the rest.
fn numbering(s: &str) -> Option<(&str, &str)> {
    let s2 = s.strip_prefix('#').unwrap_or(s);
    let digits_end = s2
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_digit() || c == '.'))
        .map_or(s2.len(), |(i, _)| i);
    let number = s2[..digits_end].trim_end_matches('.');
    if number.is_empty() || !number.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let after = &s2[digits_end..];
    let after = after.strip_prefix([')', ':']).unwrap_or(after);
    (after.starts_with([' ', '\t']) || after.is_empty()).then_some((number, after))
}

fn trim_separators(s: &str) -> &str {
    s.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | '.'))
}

/// `G&#x2011;01` → `G-01`: a non-breaking hyphen (as an HTML entity or the character) or
/// another Unicode hyphen in an id reads as `-`.
fn plain_dashes(tag: &str) -> String {
    tag.replace("&#x2011;", "-")
        .replace("&#8209;", "-")
        .replace(['\u{2010}', '\u{2011}'], "-")
}

/// `[[H-01] Title](https://…/issues/475)` → `[H-01] Title`: a heading that is one link (as
/// Code4rena's reports write them) reads as its text. The link text's brackets must balance.
fn unwrap_link(s: &str) -> &str {
    let Some(body) = s.strip_prefix('[').and_then(|r| r.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 1usize;
    for (i, c) in body.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            let url = &body[i + 1..];
            let ok = url.strip_prefix('(').is_some_and(|u| {
                !u.is_empty() && !u.contains(|c: char| c.is_whitespace() || c == '(' || c == ')')
            });
            return if ok { body[..i].trim() } else { s };
        }
    }
    s
}

/// `<a name="GAS-1"></a>[GAS-1] Title` → `[GAS-1] Title`: an empty HTML anchor before a
/// heading (the 4naly3er bot reports on Code4rena write them).
fn strip_anchor(s: &str) -> &str {
    let Some(after) = s.strip_prefix("<a ") else {
        return s;
    };
    match after.find('>') {
        Some(i) => after[i + 1..]
            .strip_prefix("</a>")
            .map_or(s, str::trim_start),
        None => s,
    }
}

fn unwrap_bold(s: &str) -> &str {
    for m in ["**", "__"] {
        if let Some(inner) = s.strip_prefix(m).and_then(|r| r.strip_suffix(m))
            && !inner.contains(m)
        {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(line: &str) -> (Option<String>, Option<String>, Option<Severity>, String) {
        let h = heading(line).expect("a heading");
        (h.id, h.number, h.severity, h.title)
    }

    #[test]
    fn headings_give_ids_numbers_and_severity_tags() {
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            head("### 1. Reentrancy"),
            (None, s("1"), None, "Reentrancy".into())
        );
        assert_eq!(
            head("### [H-01] Drain"),
            (s("H-01"), None, None, "Drain".into())
        );
        assert_eq!(
            head("# Issue H-1: Drain"),
            (s("H-1"), None, None, "Drain".into())
        );
        assert_eq!(
            head("## H-1: Drain"),
            (s("H-1"), None, None, "Drain".into())
        );
        assert_eq!(
            head("### 2. [High] Drain ##"),
            (None, s("2"), Some(Severity::High), "Drain".into())
        );
        assert_eq!(
            head("### 3) Drain (Medium Risk)"),
            (None, s("3"), Some(Severity::Medium), "Drain".into())
        );
        assert_eq!(
            head("#### 5.1 Drain"),
            (None, s("5.1"), None, "Drain".into())
        );
        assert_eq!(
            head("**[M-02] Price can be stale**"),
            (s("M-02"), None, None, "Price can be stale".into())
        );
        assert_eq!(
            head(
                "## [[H-01] Loss of vested amounts](https://github.com/code-423n4/2022-09-vtvl-findings/issues/475)"
            ),
            (s("H-01"), None, None, "Loss of vested amounts".into())
        );
        assert_eq!(
            head("## [[M-02] Uses `a[i]` twice](https://x/issues/1)").3,
            "Uses `a[i]` twice"
        );
        // A heading that only ends in a link keeps it.
        assert_eq!(
            head("## [H-01] Drain via [withdraw](https://x/V.sol#L3)").3,
            "Drain via [withdraw](https://x/V.sol#L3)"
        );
        assert_eq!(
            head("### <a name=\"GAS-1\"></a>[GAS-1] Cache the length"),
            (s("GAS-1"), None, None, "Cache the length".into())
        );
        assert_eq!(
            head("## [G&#x2011;01] Avoid emitting events"),
            (s("G-01"), None, None, "Avoid emitting events".into())
        );
        assert_eq!(
            head("## [01] Zero checks"),
            (None, s("01"), None, "Zero checks".into())
        );
        assert_eq!(heading("#hashtag"), None);
        // A Sherlock judging issue: author, severity, then the title.
        let issue = outline(
            "Round Pearl Crow\n\nmedium\n\n# Stale rate\n\n## Summary\nx\n",
            true,
        );
        assert_eq!(issue.blocks[0].head.severity, Some(Severity::Medium));
        let notes = outline("Medium\nwords\n# Pattern\n", true);
        assert!(notes.blocks.is_empty());
        assert_eq!(heading("    # indented code"), None);
        assert_eq!(head("## 1.5 ETH is lost").1, s("1.5"));
    }

    #[test]
    fn checklist_items_open_findings_only_in_a_detector_section() {
        assert_eq!(checklist_item(" - [ ] ID-0"), Some("ID-0"));
        assert_eq!(checklist_item("- [x] ID-12"), Some("ID-12"));
        assert_eq!(checklist_item("- [ ] ID-1 and more"), None);
        assert_eq!(checklist_item("    - [ ] ID-1"), None);
        let text = "## reentrancy-eth\nImpact: High\nConfidence: Medium\n - [ ] ID-0\nReentrancy\n\n - [ ] ID-1\nMore\n";
        let o = outline(text, true);
        let ids: Vec<_> = o.blocks.iter().map(|b| b.head.id.clone()).collect();
        assert_eq!(ids, [Some("ID-0".to_owned()), Some("ID-1".to_owned())]);
        let d = o.blocks[0].detector.as_ref().expect("a detector");
        assert_eq!(
            (d.rule.as_str(), d.impact, d.confidence),
            (
                "reentrancy-eth",
                Some(Severity::High),
                Some(Confidence::Medium)
            )
        );
        // No impact line, or not a detector name: the items are plain list items.
        assert!(
            outline("## reentrancy-eth\n - [ ] ID-0\nx\n", true)
                .blocks
                .is_empty()
        );
        assert!(
            crate::report::parse_finished_report("## Todo list\nImpact: High\n - [ ] ID-0\n")
                .findings
                .is_empty()
        );
        // A half-written item line is not an item yet.
        let partial = outline("## tx-origin\nImpact: Medium\n - [ ] ID-", false);
        assert!(partial.blocks.is_empty());
    }

    #[test]
    fn fences_open_and_close_by_the_same_run() {
        assert_eq!(opens_fence("```solidity"), Some(('`', 3)));
        assert_eq!(opens_fence("~~~~"), Some(('~', 4)));
        assert_eq!(opens_fence("``inline``"), None);
        assert!(closes_fence("````", ('`', 3)));
        assert!(!closes_fence("```js", ('`', 3)));
        assert!(!closes_fence("``", ('`', 3)));
    }
}
