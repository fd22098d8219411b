//! Normalising text before it is matched, and quoting it safely after: lookalike letters
//! folded to ASCII, invisible and bidirectional characters found or dropped, words
//! squeezed, and excerpts made inert for Markdown.

use super::{MAX_EXCERPT_CHARS, MIN_INVISIBLE_RUN};

/// Bidirectional embedding, override and isolate controls (Trojan Source).
pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that render as nothing.
pub(super) fn is_invisible(c: char) -> bool {
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

pub(super) fn has_hidden_text(text: &str) -> bool {
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

pub(super) fn hidden_summary(text: &str) -> String {
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
pub(super) fn fold(text: &str) -> String {
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
pub(super) fn confusable(c: char) -> char {
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
pub(super) fn as_words(folded: &str) -> String {
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
pub(super) fn excerpt(text: &str) -> String {
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
