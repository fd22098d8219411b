//! Shared scanning for the line-based detectors, all on the blanked code: identifier-aware
//! token search, bracket matching and statement splitting. Deliberately shallow; the planned
//! solang-parser detectors replace it (and `structure`, built on it).

use std::collections::HashMap;

use super::{Language, SourceFile};

/// How many call sites of one kind a detector examines in a single statement. Real code has a
/// handful; the bound keeps hostile input (thousands of unclosed calls in one statement) linear.
pub(super) const MAX_SITES: usize = 32;

pub(super) fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Offsets of `pat` in `hay`, skipping matches glued to a longer identifier (`ctx.origin`,
/// `nowhere`) or that are a member of something else (`x.now`) when `pat` starts with a letter.
pub(super) fn find_token(hay: &str, pat: &str) -> Vec<usize> {
    let (h, p) = (hay.as_bytes(), pat.as_bytes());
    let (Some(&first), Some(&last)) = (p.first(), p.last()) else {
        return Vec::new();
    };
    hay.match_indices(pat)
        .map(|(at, _)| at)
        .filter(|&at| {
            let end = at + p.len();
            let left = !is_ident_byte(first)
                || at == 0
                || !(is_ident_byte(h[at - 1]) || h[at - 1] == b'.');
            let right = !is_ident_byte(last) || end >= h.len() || !is_ident_byte(h[end]);
            left && right
        })
        .collect()
}

/// Whether `s` starts with the word `w` (not a longer identifier).
pub(super) fn starts_with_word(s: &str, w: &str) -> bool {
    s.starts_with(w) && !s.as_bytes().get(w.len()).is_some_and(|b| is_ident_byte(*b))
}

pub(super) fn skip_ws(s: &str, mut i: usize) -> usize {
    while s.as_bytes().get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

/// The identifier starting at `i` (empty if none).
pub(super) fn ident_at(s: &str, i: usize) -> &str {
    let len = s
        .as_bytes()
        .get(i..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| is_ident_byte(**b))
        .count();
    &s[i.min(s.len())..i.min(s.len()) + len]
}

/// The identifier ending at `end` after skipping whitespace backwards, with its start offset.
pub(super) fn ident_before(s: &str, end: usize) -> Option<(usize, &str)> {
    let b = s.as_bytes();
    let mut e = end.min(b.len());
    while e > 0 && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    let mut start = e;
    while start > 0 && is_ident_byte(b[start - 1]) {
        start -= 1;
    }
    (start < e).then(|| (start, &s[start..e]))
}

/// The offset of the bracket closing the one at `open` (any of `()[]{}` nest alike).
pub(super) fn matching_close(s: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in s.bytes().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The offset of the bracket opening the one at `close`.
pub(super) fn matching_open(s: &str, close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for i in (0..=close.min(s.len().checked_sub(1)?)).rev() {
        match s.as_bytes()[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' | b'[' | b'{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// For each of `positions` (ascending), the names in front of every `(` still open there,
/// outermost first: `["require", "f"]` inside `require(f(x`. Control keywords count (`if (`).
/// One pass whatever the number of positions; at most the innermost 16 names are kept.
pub(super) fn callees_at<'a>(s: &'a str, positions: &[usize]) -> Vec<Vec<&'a str>> {
    let snapshot = |stack: &[&'a str]| -> Vec<&'a str> {
        let inner = &stack[stack.len().saturating_sub(16)..];
        inner.iter().copied().filter(|n| !n.is_empty()).collect()
    };
    let mut stack: Vec<&str> = Vec::new();
    let mut out = Vec::with_capacity(positions.len());
    let mut next = positions.iter().peekable();
    for (i, b) in s.bytes().enumerate() {
        while next.next_if(|&&p| p <= i).is_some() {
            out.push(snapshot(&stack));
        }
        match b {
            b'(' => stack.push(ident_before(s, i).map_or("", |(_, name)| name)),
            b')' => {
                stack.pop();
            }
            _ => {}
        }
    }
    out.extend(next.map(|_| snapshot(&stack)));
    out
}

/// Matching `{}` pairs of a whole file (block structure, undisturbed by stray parentheses),
/// found in one pass so that looking up every contract and function body stays linear.
pub(super) struct Braces(HashMap<usize, usize>);

impl Braces {
    pub fn new(s: &str) -> Self {
        let mut stack = Vec::new();
        let mut map = HashMap::new();
        for (i, b) in s.bytes().enumerate() {
            match b {
                b'{' => stack.push(i),
                b'}' => {
                    if let Some(open) = stack.pop() {
                        map.insert(open, i);
                    }
                }
                _ => {}
            }
        }
        Self(map)
    }

    /// The offset of the `}` closing the `{` at `open`.
    pub fn close(&self, open: usize) -> Option<usize> {
        self.0.get(&open).copied()
    }
}

/// One statement of blanked code, trimmed. Solidity statements end at `;`, or at a block's `{`
/// (so `if (x) {` is a statement of its own); call options like `.call{value: v}` stay inside.
/// Vyper statements are logical lines (brackets and `\` continue them).
#[derive(Debug, Clone, Copy)]
pub(super) struct Stmt<'a> {
    pub text: &'a str,
    /// Offset of `text` in the code.
    pub start: usize,
    /// Solidity: brace depth at the statement (1 = contract member). Vyper: indentation width.
    pub depth: usize,
}

pub(super) fn statements(src: &SourceFile) -> Vec<Stmt<'_>> {
    let code = src.code();
    let mut out = Vec::new();
    let mut push = |from: usize, to: usize, depth: usize| {
        let raw = &code[from..to];
        let text = raw.trim();
        if !text.is_empty() {
            let start = from + (raw.len() - raw.trim_start().len());
            let depth = match src.language() {
                Language::Solidity => depth,
                Language::Vyper => start - code[..start].rfind('\n').map_or(0, |p| p + 1),
            };
            out.push(Stmt { text, start, depth });
        }
    };
    let (mut parens, mut braces, mut begin) = (0usize, 0usize, 0usize);
    let b = code.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match (src.language(), c) {
            (_, b'(' | b'[') => parens += 1,
            (_, b')' | b']') => parens = parens.saturating_sub(1),
            (Language::Vyper, b'{') => parens += 1,
            (Language::Vyper, b'}') => parens = parens.saturating_sub(1),
            (Language::Vyper, b'\n')
                if parens == 0 && !code[..i].trim_end_matches('\r').ends_with('\\') =>
            {
                push(begin, i, 0);
                begin = i + 1;
            }
            (Language::Solidity, b'{') if parens > 0 || is_call_options(code, i) => parens += 1,
            (Language::Solidity, b'}') if parens > 0 => parens -= 1,
            (Language::Solidity, b'{') => {
                push(begin, i + 1, braces);
                braces += 1;
                begin = i + 1;
            }
            (Language::Solidity, b'}') => {
                push(begin, i, braces);
                braces = braces.saturating_sub(1);
                begin = i + 1;
            }
            (Language::Solidity, b';') if parens == 0 => {
                push(begin, i + 1, braces);
                begin = i + 1;
            }
            _ => {}
        }
    }
    push(begin, code.len(), braces);
    out
}

/// A `{` opening call options (`.call{value: v}`, `new C{salt: s}`): `ident :` follows, and
/// not `ident :=` (Yul assignment). Solidity has no labels, so blocks never start this way.
fn is_call_options(code: &str, open: usize) -> bool {
    let i = skip_ws(code, open + 1);
    let name = ident_at(code, i);
    let j = skip_ws(code, i + name.len());
    !name.is_empty() && code[j..].starts_with(':') && !code[j..].starts_with(":=")
}

/// The rest of a Solidity statement after any leading `else`, `do`, or `if (…)`, `while (…)`,
/// `for (…)` header, so `if (x) a.send(1);` yields `a.send(1);`. Always a suffix of `s`.
pub(super) fn strip_control(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if starts_with_word(s, "else") || starts_with_word(s, "do") {
            s = &s[if s.starts_with('e') { 4 } else { 2 }..];
            continue;
        }
        let kw = ["if", "while", "for"]
            .into_iter()
            .find(|k| starts_with_word(s, k));
        let open = kw
            .map(|k| skip_ws(s, k.len()))
            .filter(|&i| s[i..].starts_with('('));
        match open.and_then(|i| matching_close(s, i)) {
            Some(close) => s = &s[close + 1..],
            None => return s,
        }
    }
}

/// Whether `text` passes keyword argument `name` the literal `value` (Vyper: `revert_on_failure=False`).
pub(super) fn has_kwarg(text: &str, name: &str, value: &str) -> bool {
    find_token(text, name).into_iter().any(|at| {
        let i = skip_ws(text, at + name.len());
        let rest = &text[i..];
        rest.starts_with('=') && !rest.starts_with("==") && {
            let v = skip_ws(text, i + 1);
            value.is_empty() || starts_with_word(&text[v..], value)
        }
    })
}

/// Every `raw_call(…)` in a statement: the offset of `raw_call` and its argument list with
/// parentheses.
pub(super) fn raw_calls(text: &str) -> Vec<(usize, &str)> {
    find_token(text, "raw_call")
        .into_iter()
        .take(MAX_SITES)
        .filter_map(|at| {
            let open = skip_ws(text, at + "raw_call".len());
            let close = text[open..]
                .starts_with('(')
                .then(|| matching_close(text, open))??;
            Some((at, &text[open..=close]))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sol(text: &str) -> SourceFile {
        SourceFile::with_language(text, Language::Solidity)
    }

    #[test]
    fn tokens_respect_identifier_boundaries() {
        assert_eq!(
            find_token("tx.origin ctx.origin tx.origins", "tx.origin"),
            [0]
        );
        assert_eq!(find_token("now + x.now + nowhere", "now"), [0]);
        assert_eq!(find_token("a.call(); a.callx(); a.call{", ".call"), [1, 22]);
    }

    #[test]
    fn statements_split_solidity_and_keep_call_options_together() {
        let file = sol(
            "contract A {\n  uint x;\n  function f() public {\n    (bool ok, ) = to\n      .call{value: 1}(\"\");\n    if (ok) { x = 1; }\n  }\n}\n",
        );
        let texts: Vec<(&str, usize)> = statements(&file)
            .iter()
            .map(|s| (s.text, s.depth))
            .collect();
        assert_eq!(
            texts,
            [
                ("contract A {", 0),
                ("uint x;", 1),
                ("function f() public {", 1),
                ("(bool ok, ) = to\n      .call{value: 1}(\"\");", 2),
                ("if (ok) {", 2),
                ("x = 1;", 3),
            ]
        );
        let st = statements(&file)[3];
        assert_eq!(file.line_of(st.start), 4);
    }

    #[test]
    fn callee_stacks_and_brace_pairs_in_one_pass() {
        let s = "a(b, c(d), e[f(g)]) + h";
        let at = |p: &str| s.find(p).unwrap();
        assert_eq!(
            callees_at(s, &[at("b"), at("d"), at("g"), at("h")]),
            [vec!["a"], vec!["a", "c"], vec!["a", "f"], vec![]]
        );
        assert_eq!(Braces::new("{ ( {} }").close(0), Some(7));
        assert_eq!(Braces::new("{ ( {} }").close(4), Some(5));
        assert_eq!(Braces::new("{ {").close(0), None);
    }

    #[test]
    fn callees_and_kwargs() {
        let s = "require(isOwner(tx.origin), \"\")";
        assert_eq!(
            callees_at(s, &[s.find("tx").unwrap()]),
            [vec!["require", "isOwner"]]
        );
        assert!(has_kwarg(
            "raw_call(t, d, revert_on_failure = False)",
            "revert_on_failure",
            "False"
        ));
        assert!(!has_kwarg(
            "raw_call(t, d, revert_on_failure=True)",
            "revert_on_failure",
            "False"
        ));
    }
}
