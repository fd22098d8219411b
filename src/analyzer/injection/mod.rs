//! The prompt-injection guard. A contract is untrusted text that goes straight into the
//! model's context, so before it is sent we look at its comments and string literals for
//! text addressed to the model: orders to ignore the instructions, chat role markers,
//! requests to omit or downgrade findings or to call the contract safe, fake report
//! sections, and hidden (invisible or bidirectional) characters. Each hit becomes a
//! finding that the relay puts in front of the report, whatever the model says.
//!
//! Pure: `scan` takes the source and returns the hits. Solidity comments and strings come
//! from the analyzer's tree-sitter parser; Vyper's are found line by line. Adjacent pieces
//! (a comment block, strings concatenated over several lines) are joined before matching,
//! after normalising: lookalike letters folded, invisible characters dropped, case folded,
//! punctuation and whitespace collapsed.

use std::sync::LazyLock;

use regex::Regex;

use crate::analyzer::syntax::{SyntaxTree, kind};
use crate::report::{Language, detect_language};

/// A run of this many invisible characters (zero-width spaces and joiners, word joiners,
/// BOMs, Unicode tag characters) inside one comment or string is hidden text. A single
/// bidirectional embedding, override or isolate control is flagged on its own (Trojan
/// Source, CVE-2021-42574): a contract has no honest use for one.
pub const MIN_INVISIBLE_RUN: usize = 3;

/// The longest excerpt quoted in a finding, in characters.
pub const MAX_EXCERPT_CHARS: usize = 120;

/// What the text tries to do to the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aim {
    /// "Ignore previous instructions", "new instructions:".
    Override,
    /// `<|im_start|>`, `[INST]`, `system:`, "you are now", "act as an auditor".
    Role,
    /// "Do not report", "downgrade the severity", "declare the contract safe".
    Suppress,
    /// `## Findings`, "No issues found", `Severity: Low` inside a comment.
    FakeReport,
    /// Invisible or bidirectional control characters.
    Hidden,
}

impl Aim {
    /// The aim's label in `/metrics` (`auditstream_injection_hits_total{aim}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Aim::Override => "override",
            Aim::Role => "role",
            Aim::Suppress => "suppress",
            Aim::FakeReport => "fake_report",
            Aim::Hidden => "hidden",
        }
    }

    /// What the hit is, in words for the reader of the report.
    pub fn describe(self) -> &'static str {
        match self {
            Aim::Override => "an instruction to ignore or replace the auditor's instructions",
            Aim::Role => "a chat role marker or an attempt to give the model a new role",
            Aim::Suppress => {
                "a request to omit or downgrade findings, or to declare the contract safe"
            }
            Aim::FakeReport => "text shaped like a section of an audit report",
            Aim::Hidden => "hidden text: invisible or bidirectional control characters",
        }
    }
}

/// One place in the contract where text addresses the model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line of the source where the text starts.
    pub line: usize,
    pub aim: Aim,
    /// The text, cleaned of control characters and Markdown, at most `MAX_EXCERPT_CHARS`.
    pub excerpt: String,
}

/// Every place in `contract` where a comment or string literal addresses the model, in
/// line order, at most one hit per line and aim.
pub fn scan(contract: &str, filename: Option<&str>) -> Vec<Hit> {
    let pieces = match detect_language(contract, filename) {
        Language::Solidity => solidity_pieces(contract),
        Language::Vyper => vyper_pieces(contract),
    };
    let mut hits: Vec<Hit> = join_adjacent(pieces).iter().flat_map(scan_piece).collect();
    hits.sort_by_key(|h| h.line);
    let mut seen = std::collections::HashSet::new();
    hits.retain(|h| seen.insert((h.line, h.aim)));
    hits
}

/// The block the relay sends before the model's first token when `hits` is not empty: a
/// one-line notice, then one finding per hit in the report grammar (DESIGN §7) with ids
/// `G-1`, `G-2`, … so the findings parser lists them beside the model's own.
pub fn notice(hits: &[Hit]) -> Option<String> {
    if hits.is_empty() {
        return None;
    }
    let places = if hits.len() == 1 { "place" } else { "places" };
    let mut out = format!(
        "> **auditstream:** this contract contains text aimed at the model ({} {places}). \
         The findings marked G- below come from auditstream, not from the model; \
         read the model's report with that in mind.\n\n",
        hits.len()
    );
    for (i, h) in hits.iter().enumerate() {
        out.push_str(&format!(
            "### G-{n}. Text aimed at the model\n\
             - **Severity:** High\n\
             - **Line:** {line}\n\
             - **Detector:** prompt-injection\n\n\
             **Explanation.** This contract contains text aimed at the model (line {line}): \
             {what}: \u{201c}{excerpt}\u{201d}. A language model that reads it may leave \
             findings out or call the contract safe.\n\n\
             **Recommendation.** Remove the text, then audit again; until then, do not \
             trust a clean report of this contract.\n\n",
            n = i + 1,
            line = h.line,
            what = h.aim.describe(),
            excerpt = h.excerpt,
        ));
    }
    Some(out)
}

/// The text of one comment or string literal, line by line, with its markers stripped.
#[derive(Clone, Debug, Default)]
struct Piece {
    /// `(1-based line, text)`.
    lines: Vec<(usize, String)>,
}

impl Piece {
    fn first(&self) -> usize {
        self.lines.first().map_or(0, |l| l.0)
    }
    fn last(&self) -> usize {
        self.lines.last().map_or(0, |l| l.0)
    }
}

fn solidity_pieces(source: &str) -> Vec<Piece> {
    let tree = SyntaxTree::parse(source);
    let mut nodes: Vec<_> = tree
        .root()
        .descendants()
        .into_iter()
        .filter(|n| n.is(kind::COMMENT) || n.is(kind::STRING))
        .collect();
    nodes.sort_by_key(|n| n.start_byte());
    nodes
        .iter()
        .map(|n| {
            let strip = if n.is(kind::COMMENT) {
                strip_comment
            } else {
                strip_string
            };
            Piece {
                lines: (n.line()..)
                    .zip(n.text().split('\n'))
                    .map(|(line, text)| (line, strip(text)))
                    .collect(),
            }
        })
        .collect()
}

/// Vyper, line-based: `#` comments, quoted strings and `"""` docstrings.
fn vyper_pieces(source: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut docstring: Option<Piece> = None;
    for (line, text) in (1..).zip(source.lines()) {
        if let Some(mut doc) = docstring.take() {
            match text.find("\"\"\"").or_else(|| text.find("'''")) {
                Some(end) => {
                    doc.lines.push((line, text[..end].to_owned()));
                    pieces.push(doc);
                }
                None => {
                    doc.lines.push((line, text.to_owned()));
                    docstring = Some(doc);
                }
            }
            continue;
        }
        let mut rest = text;
        while !rest.is_empty() {
            let Some(start) = rest.find(['#', '"', '\'']) else {
                break;
            };
            let after = &rest[start..];
            if after.starts_with('#') {
                pieces.push(piece(line, strip_comment(after)));
                break;
            }
            let triple = after.get(..3).filter(|t| *t == "\"\"\"" || *t == "'''");
            if let Some(q) = triple {
                let body = &after[3..];
                if let Some(end) = body.find(q) {
                    pieces.push(piece(line, body[..end].to_owned()));
                    rest = &body[end + 3..];
                    continue;
                }
                docstring = Some(piece(line, body.to_owned()));
                break;
            }
            let quote = after.chars().next().unwrap_or('"');
            let body = &after[1..];
            let end = body.find(quote).unwrap_or(body.len());
            pieces.push(piece(line, body[..end].to_owned()));
            rest = body.get(end + 1..).unwrap_or("");
        }
    }
    pieces.extend(docstring);
    pieces
}

fn piece(line: usize, text: String) -> Piece {
    Piece {
        lines: vec![(line, text)],
    }
}

/// A comment line without `//`, `///`, `/*`, `*/`, a leading `*` or one leading `#`.
fn strip_comment(text: &str) -> String {
    let t = text.trim();
    let t = t.strip_suffix("*/").unwrap_or(t);
    let t = t
        .strip_prefix("///")
        .or_else(|| t.strip_prefix("//"))
        .or_else(|| t.strip_prefix("/**"))
        .or_else(|| t.strip_prefix("/*"))
        .or_else(|| t.strip_prefix('#'))
        .or_else(|| t.strip_prefix('*'))
        .unwrap_or(t);
    t.trim().to_owned()
}

/// A string-literal line without its quotes or `unicode` prefix.
fn strip_string(text: &str) -> String {
    text.replace("unicode\"", "\"")
        .replace("unicode'", "'")
        .replace(['"', '\''], " ")
        .trim()
        .to_owned()
}

/// Joins pieces whose lines touch (a comment block written as `//` lines, a string
/// continued on the next line) so that a phrase split across them still matches.
fn join_adjacent(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for p in pieces {
        match out.last_mut() {
            Some(prev) if p.first() <= prev.last() + 1 => prev.lines.extend(p.lines),
            _ => out.push(p),
        }
    }
    out
}

/// The hits in one joined piece.
fn scan_piece(piece: &Piece) -> Vec<Hit> {
    let mut hits = Vec::new();
    // Hidden characters, on the raw text.
    for (line, text) in &piece.lines {
        if has_hidden_text(text) {
            hits.push(Hit {
                line: *line,
                aim: Aim::Hidden,
                excerpt: hidden_summary(text),
            });
        }
    }
    // Per line: markers that only mean something at the start of a line.
    for (line, text) in &piece.lines {
        let folded = fold(text);
        let squeezed: String = folded.split_whitespace().collect::<Vec<_>>().join(" ");
        for (aim, re) in LINE_PATTERNS.iter() {
            if re.is_match(&squeezed) {
                hits.push(Hit {
                    line: *line,
                    aim: *aim,
                    excerpt: excerpt(text),
                });
            }
        }
    }
    // The joined text, as words, with a map from offsets back to lines.
    let mut words = String::new();
    let mut compact = String::new();
    let mut word_starts = Vec::new();
    let mut compact_starts = Vec::new();
    for (line, text) in &piece.lines {
        let folded = fold(text);
        word_starts.push((words.len(), *line));
        words.push_str(&as_words(&folded));
        words.push(' ');
        compact_starts.push((compact.len(), *line));
        compact.extend(folded.chars().filter(|c| !c.is_whitespace()));
    }
    let line_at = |starts: &[(usize, usize)], at: usize| {
        starts
            .iter()
            .rev()
            .find(|(s, _)| *s <= at)
            .map_or(piece.first(), |(_, l)| *l)
    };
    let text_of = |line: usize| {
        piece
            .lines
            .iter()
            .skip_while(|(l, _)| *l < line)
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (aim, re) in WORD_PATTERNS.iter() {
        if let Some(m) = re.find(&words) {
            let line = line_at(&word_starts, m.start());
            hits.push(Hit {
                line,
                aim: *aim,
                excerpt: excerpt(&text_of(line)),
            });
        }
    }
    for marker in ROLE_MARKERS {
        if let Some(at) = compact.find(marker) {
            let line = line_at(&compact_starts, at);
            hits.push(Hit {
                line,
                aim: Aim::Role,
                excerpt: excerpt(&text_of(line)),
            });
        }
    }
    hits
}

/// Chat-template markers, searched with every space removed.
const ROLE_MARKERS: &[&str] = &[
    "<|im_start|>",
    "<|im_end|>",
    "<|system|>",
    "<|user|>",
    "<|assistant|>",
    "<|endoftext|>",
    "<|eot_id|>",
    "<|start_header_id|>",
    "<|begin_of_text|>",
    "[inst]",
    "[/inst]",
    "<<sys>>",
    "<</sys>>",
    "<start_of_turn>",
    "<system>",
    "</system>",
    "###instruction",
    "###system",
    "###response",
    "[system]",
];

/// Patterns over one normalised line (case folded, punctuation kept).
static LINE_PATTERNS: LazyLock<Vec<(Aim, Regex)>> = LazyLock::new(|| {
    compile(&[
        (
            Aim::Role,
            r"^[-*> ]*(system|assistant|human|developer|system prompt|new instructions?)\s*:",
        ),
        (
            Aim::FakeReport,
            r"^#{1,6} *(\d+\. *)?(findings?|summary|security report|audit report|audit summary|vulnerabilities|issues|conclusion|results?)\b",
        ),
        (Aim::FakeReport, r"^#{1,6} *\[?[a-z]?-?\d+\]?\.? "),
    ])
});

/// Patterns over the joined piece as lower-case words separated by single spaces.
static WORD_PATTERNS: LazyLock<Vec<(Aim, Regex)>> = LazyLock::new(|| {
    const ISSUES: &str = r"(findings?|issues?|vulnerabilit\w*|bugs?|problems?|warnings?|flaws?|weakness\w*|exploits?|risks?|reentrancy|overflows?)";
    const SUBJECT: &str = r"(contract|code|codebase|project|protocol|this|it)";
    const SAFE: &str = r"(safe|secure|audited|bug free|vulnerability free|clean|flawless|trustworthy|harmless|no (\w+ )?(issues|vulnerabilities|bugs|findings|problems))";
    let patterns: Vec<(Aim, String)> = vec![
        (
            Aim::Override,
            r"\b(ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|overlook|bypass|neglect|discard|abandon) (\w+ ){0,5}?(instructions?|prompts?|rules|directions|directives|guidelines|guidance|programming|constraints|system messages?)\b".into(),
        ),
        (
            Aim::Override,
            r"\b(new|updated|real|actual|true|revised|secret|hidden|following) (system )?(instructions|directives)( are| follow)?\b( is)?".into(),
        ),
        (Aim::Override, r"\bsystem prompt\b".into()),
        (Aim::Override, r"\bfrom now on (you|your|the model|the assistant|respond|answer|reply|only)\b".into()),
        (
            Aim::Override,
            r"\binstead (you (should|must|will|shall)|(just |only )?(say|output|respond|reply|write|answer|report))\b".into(),
        ),
        (
            Aim::Role,
            r"\byou are (now|no longer|actually|really|an? (ai|llm|large language model|language model|assistant|auditor|helpful|security|smart contract))\b".into(),
        ),
        (
            Aim::Role,
            r"\b(act|behave|respond|answer|reply|pose) as (if you were )?(an?|the|my)? ?(\w+ )?(ai|assistant|auditor|model|llm|gpt|chatbot|reviewer|analy[sz]er|expert|different|unrestricted)\b".into(),
        ),
        (Aim::Role, r"\b(you|please|now|must|should) act as\b".into()),
        (Aim::Role, r"\bpretend (to be|that|you)\b".into()),
        (Aim::Role, r"\b(roleplay|role play|developer mode|jailbreak|jailbroken|dan mode)\b".into()),
        (
            Aim::Role,
            r"\byour (new |real |true )?(role|task|job|goal|purpose|instructions?|objective) (is|are|will be|now)\b".into(),
        ),
        (
            Aim::Role,
            r"\b(note|message|instructions?|attention|attn|hey|hi|hello|dear) (to |for )?(the |all |any )?(ai|ais|llms?|large language models?|language models?|models?|assistants?|chatbots?|gpt|chatgpt|claude|gemini|copilot|ai auditors?|automated (auditors?|reviewers?|tools?|scanners?)|auditing (ai|bots?|tools?))\b".into(),
        ),
        (
            Aim::Suppress,
            format!(r"\b(do not|dont|don t|never|must not|mustnt|should not|shouldnt|shall not|stop|refrain from|avoid|no need to) (\w+ ){{0,3}}?(report|reporting|flag|flagging|mention|mentioning|disclose|disclosing|highlight|highlighting|raise|raising|point out|call out|bring up|audit|analy[sz]e|check|review|look at)\b( \w+){{0,5}}? ({ISSUES}|this|these|it|them|anything|any|that)\b"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(do not|dont|don t|never|must not|should not|shall not) (\w+ ){{0,3}}?(list|include|output|note|warn|write|add)\b( \w+){{0,5}}? {ISSUES}"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(omit|omitting|suppress|suppressing|hide|hiding|ignore|ignoring|skip|skipping|exclude|excluding|leave out|dismiss|disregard|overlook) (\w+ ){{0,4}}?{ISSUES}\b"),
        ),
        (
            Aim::Suppress,
            r"\b(downgrade|downgrading|lower|lowering|reduce|reducing|decrease|minimi[sz]e|understate|soften) (\w+ ){0,4}?(severity|severities|rating|ratings|findings?|issues?|vulnerabilit\w*)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(mark|rate|classify|label|report|treat|consider|list|flag|grade|score) (\w+ ){0,5}?as (info|informational|low|none|non critical|false positives?|safe|secure|benign|resolved|acceptable|intended|not (a |an )?(vulnerabilit\w*|issue|bug|finding|problem))\b".into(),
        ),
        (
            Aim::Suppress,
            format!(r"\b(all|any|every|these|the) (\w+ ){{0,3}}?{ISSUES} (are|is|should be|must be|were) (\w+ ){{0,2}}?(false positives?|intended|by design|expected|safe|acceptable|not exploitable|resolved|fixed|irrelevant)\b"),
        ),
        (
            Aim::Suppress,
            format!(r"\b(declare|declaring|state|say|conclude|confirm|certify|report|claim|write|output|answer|respond|assert|tell|mark|present) (\w+ ){{0,4}}?(that )?(the |this )?{SUBJECT} (\w+ ){{0,2}}?(is|as|was|has|being|to be) (\w+ ){{0,2}}?{SAFE}\b"),
        ),
        (
            Aim::Suppress,
            r"\b(already|fully|formally|thoroughly|professionally|previously|extensively) (been )?(audited|verified|certified)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(contract|code|codebase) is (completely |totally |perfectly |entirely |fully |100 )?(safe|secure|bug free|vulnerability free|flawless)\b".into(),
        ),
        (
            Aim::Suppress,
            r"\b(report|output|respond with|answer with|return|say|write|print|reply with|reply) (only )?(that )?(there are )?(no (\w+ )?(issues|vulnerabilities|findings|bugs|problems)|nothing|none|an empty report|zero findings)\b".into(),
        ),
        (Aim::Suppress, r"\b(nothing|no issues|no vulnerabilities|no findings) to report\b".into()),
        (
            Aim::FakeReport,
            r"\bno (\w+ ){0,2}?(issues|vulnerabilities|findings|bugs|problems|flaws) (were |have been |are |was |has been )?(found|detected|identified|exist|present|reported)\b".into(),
        ),
        (
            Aim::FakeReport,
            r"\bseverity (critical|high|medium|low|info|informational|none|n a)\b".into(),
        ),
        (
            Aim::FakeReport,
            r"\b(critical|high) (severity |risk )?0 (\w+ ){0,2}?(high|medium) (severity |risk )?0\b".into(),
        ),
    ];
    patterns
        .into_iter()
        .map(|(aim, p)| (aim, Regex::new(&p).expect("a valid guard pattern")))
        .collect()
});

fn compile(patterns: &[(Aim, &str)]) -> Vec<(Aim, Regex)> {
    patterns
        .iter()
        .map(|(aim, p)| (*aim, Regex::new(p).expect("a valid guard pattern")))
        .collect()
}

/// Bidirectional embedding, override and isolate controls (Trojan Source).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{E0000}'..='\u{E007F}'
    ) || is_bidi_control(c)
}

fn has_hidden_text(text: &str) -> bool {
    if text.chars().any(is_bidi_control) {
        return true;
    }
    let mut run = 0;
    for c in text.chars() {
        run = if is_invisible(c) { run + 1 } else { 0 };
        if run >= MIN_INVISIBLE_RUN {
            return true;
        }
    }
    false
}

fn hidden_summary(text: &str) -> String {
    let mut codes: Vec<String> = text
        .chars()
        .filter(|c| is_invisible(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    let count = codes.len();
    codes.dedup();
    codes.truncate(6);
    format!(
        "{count} invisible or bidirectional characters ({})",
        codes.join(", ")
    )
}

/// Lower case, lookalike letters folded to ASCII, Unicode tag characters decoded to the
/// ASCII they smuggle, every other invisible character dropped.
fn fold(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\u{E0020}'..='\u{E007E}' => char::from_u32(c as u32 - 0xE0000),
            c if is_invisible(c) => None,
            c => Some(confusable(c)),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A cheap stand-in for NFKC plus the Unicode confusables table: full-width ASCII, and the
/// Cyrillic and Greek letters that look like Latin ones.
fn confusable(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' => ' ',
        'а' | 'А' | 'α' | 'Α' => 'a',
        'в' | 'В' | 'β' | 'Β' => 'b',
        'с' | 'С' | 'ϲ' => 'c',
        'ԁ' => 'd',
        'е' | 'Е' | 'ε' | 'Ε' | 'ё' => 'e',
        'һ' | 'Н' | 'Η' => 'h',
        'і' | 'І' | 'ι' | 'Ι' | 'ӏ' => 'i',
        'ј' | 'Ј' => 'j',
        'к' | 'К' | 'κ' | 'Κ' => 'k',
        'м' | 'М' | 'Μ' => 'm',
        'п' | 'ո' | 'Ν' => 'n',
        'о' | 'О' | 'ο' | 'Ο' | 'σ' => 'o',
        'р' | 'Р' | 'ρ' | 'Ρ' => 'p',
        'ѕ' | 'Ѕ' => 's',
        'т' | 'Т' | 'τ' | 'Τ' => 't',
        'υ' | 'ս' => 'u',
        'ν' => 'v',
        'ԝ' | 'ѡ' => 'w',
        'х' | 'Х' | 'χ' | 'Χ' => 'x',
        'у' | 'У' | 'γ' | 'Υ' => 'y',
        'Ζ' => 'z',
        '’' | '‘' | 'ʼ' => '\'',
        c => c,
    }
}

/// Letters and digits as words separated by single spaces; an apostrophe inside a word
/// vanishes ("don't" → "dont").
fn as_words(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    let mut space = false;
    for c in folded.chars() {
        if c == '\'' {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// The text quoted in a finding: no control or invisible characters, no Markdown that
/// could open a heading, emphasis, code or a link, whitespace collapsed, and cut short.
fn excerpt(text: &str) -> String {
    let clean: String = text
        .chars()
        .filter(|c| !is_invisible(*c) && !c.is_control() || *c == ' ' || *c == '\t')
        .map(|c| {
            if matches!(
                c,
                '#' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '\\' | '~' | '"' | '\t'
            ) {
                ' '
            } else {
                c
            }
        })
        .collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let joined = words.join(" ");
    if joined.chars().count() > MAX_EXCERPT_CHARS {
        let cut: String = joined.chars().take(MAX_EXCERPT_CHARS - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        joined
    }
}

#[cfg(test)]
#[path = "injection_tests.rs"]
mod tests;
