//! Makes the unfinished tail of a streaming report safe and calm to show. It runs on
//! the tail only (one block), once per frame, and never on a finished block:
//! - an unclosed code span, `**`, `__`, `*`, `_` or `~~` is closed (or dropped when
//!   nothing follows it yet), so text does not flip between literal and styled as
//!   tokens arrive;
//! - a half image (`![alt](ur`) is dropped until it is complete;
//! - a table shows no rows until its delimiter row is complete, then each row once
//!   its line is complete;
//! - inside an open code fence nothing changes: the code's lines simply grow.
//!
//! A half link (`[text](http://exa`) needs nothing: CommonMark keeps it literal
//! text until its `)` arrives.

use super::blocks::ends_in_fence;

/// The tail as it should be rendered this frame.
pub fn repair_tail(tail: &str) -> String {
    if ends_in_fence(tail) {
        return tail.to_owned();
    }
    let mut text = hold_back_table(tail).to_owned();
    drop_half_image(&mut text);
    close_inline(&mut text);
    text
}

fn is_table_line(line: &str) -> bool {
    line.trim_start_matches(' ').starts_with('|')
}

/// A complete GFM delimiter row: cells of `-` with optional `:` at either end.
fn is_delimiter_row(line: &str) -> bool {
    if !line.ends_with('\n') {
        return false;
    }
    let cells: Vec<&str> = line
        .trim()
        .trim_matches('|')
        .split('|')
        .map(str::trim)
        .collect();
    cells.iter().all(|c| {
        let c = c.strip_prefix(':').unwrap_or(c);
        let c = c.strip_suffix(':').unwrap_or(c);
        !c.is_empty() && c.bytes().all(|b| b == b'-')
    })
}

/// Cuts a trailing table that has no complete delimiter row yet, or the last row of
/// one that has, while that row's line is still being written.
fn hold_back_table(tail: &str) -> &str {
    let lines: Vec<(usize, &str)> = tail
        .split_inclusive('\n')
        .scan(0, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l))
        })
        .collect();
    let run_start = lines
        .iter()
        .rposition(|(_, l)| !is_table_line(l))
        .map_or(0, |i| i + 1);
    let run = &lines[run_start..];
    let Some(&(first, _)) = run.first() else {
        return tail;
    };
    if run.len() < 2 || !is_delimiter_row(run[1].1) {
        return &tail[..first];
    }
    match run.last() {
        Some(&(start, last)) if !last.ends_with('\n') => &tail[..start],
        _ => tail,
    }
}

/// Drops an image whose `](…)` has not fully arrived: images show their address as
/// text, and a half address is noise.
fn drop_half_image(text: &mut String) {
    let Some(at) = text.rfind("![") else {
        return;
    };
    let rest = &text[at + 2..];
    let complete = match rest.find(']') {
        None => false,
        Some(close) => {
            let after = &rest[close + 1..];
            if after.starts_with('(') {
                after.contains(')')
            } else {
                // `![alt]` with more text after it is not an image link; at the very
                // end, its `(` may be on its way.
                !after.is_empty()
            }
        }
    };
    if !complete {
        text.truncate(at);
    }
}

/// The last inline run of the tail: from the last line that starts a new container
/// (list item, quote, heading, or a line after a blank one).
fn last_inline_start(text: &str) -> usize {
    let mut start = 0;
    let mut at = 0;
    let mut prev_blank = true;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        let starts_container = prev_blank
            || t.starts_with(['#', '>', '|'])
            || t.starts_with("- ")
            || t.starts_with("* ")
            || t.starts_with("+ ")
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if starts_container {
            start = at;
        }
        prev_blank = line.trim().is_empty();
        at += line.len();
    }
    start
}

/// Closes an open code span, `**` and `~~` at the end of the text; an opener with
/// nothing after it yet is removed instead, so it never shows as a stray marker.
fn close_inline(text: &mut String) {
    let from = last_inline_start(text);
    let bytes = text.as_bytes();
    let mut open: Vec<(usize, &'static str)> = Vec::new();
    let mut code: Option<(usize, usize)> = None;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'`' {
            let run = bytes[i..].iter().take_while(|&&c| c == b'`').count();
            code = match code {
                Some((_, len)) if len == run => None,
                None => Some((i, run)),
                keep => keep,
            };
            i += run;
            continue;
        }
        if code.is_some() {
            i += 1;
            continue;
        }
        if b == b'\\' {
            i += 2;
            continue;
        }
        let (delim, len) = match &bytes[i..] {
            [b'*', b'*', ..] => ("**", 2),
            [b'_', b'_', ..] => ("__", 2),
            [b'~', b'~', ..] => ("~~", 2),
            [b'*', ..] => ("*", 1),
            [b'_', ..] => ("_", 1),
            _ => {
                i += 1;
                continue;
            }
        };
        let before = text[from..i].chars().next_back();
        let after = text[i + len..].chars().next();
        match open.iter().rposition(|&(_, d)| d == delim) {
            Some(p) if closes(delim, before) => open.truncate(p),
            _ if opens(delim, before, after) => open.push((i, delim)),
            _ => {}
        }
        i += len;
    }
    if let Some((at, len)) = code {
        close_or_drop(text, at, len, &"`".repeat(len));
    }
    while let Some((at, d)) = open.pop() {
        close_or_drop(text, at, d.len(), d);
    }
}

/// Whether a delimiter run can close an open one: `**` and `~~` always (as before), a
/// single `*` or `_` only right after text, as CommonMark's right-flanking rule wants.
fn closes(delim: &str, before: Option<char>) -> bool {
    delim.len() == 2 || before.is_some_and(|c| !c.is_whitespace())
}

/// Whether a run opens emphasis the tail should close: `**` and `~~` always; `*`, `_`
/// and `__` only before text (or at the very end) and not inside a word, so a list
/// bullet, `a * b`, `2*3` and `snake_case` stay literal.
fn opens(delim: &str, before: Option<char>, after: Option<char>) -> bool {
    if matches!(delim, "**" | "~~") {
        return true;
    }
    let word_before = before.is_some_and(char::is_alphanumeric);
    let space_after = after.is_some_and(char::is_whitespace);
    !word_before && !space_after
}

fn close_or_drop(text: &mut String, at: usize, opener_len: usize, closer: &str) {
    if at >= text.len() {
        return;
    }
    if text[at + opener_len..].trim().is_empty() {
        text.truncate(at);
    } else {
        let end = text.trim_end().len();
        text.truncate(end);
        text.push_str(closer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_emphasis_strike_and_code_are_closed() {
        assert_eq!(repair_tail("a **bold"), "a **bold**");
        assert_eq!(repair_tail("a **bold "), "a **bold**");
        assert_eq!(repair_tail("a ~~gone"), "a ~~gone~~");
        assert_eq!(repair_tail("call `transfer("), "call `transfer(`");
        assert_eq!(repair_tail("x `` a ` b"), "x `` a ` b``");
        assert_eq!(repair_tail("**b `c"), "**b `c`**");
        assert_eq!(repair_tail("**done** and `x` ok"), "**done** and `x` ok");
        assert_eq!(repair_tail("`**` is fine"), "`**` is fine");
        assert_eq!(repair_tail("escaped \\** star"), "escaped \\** star");
    }

    #[test]
    fn open_single_emphasis_is_closed_but_literal_stars_stay() {
        assert_eq!(repair_tail("an *important"), "an *important*");
        assert_eq!(repair_tail("an _important"), "an _important_");
        assert_eq!(repair_tail("very __strong"), "very __strong__");
        assert_eq!(repair_tail("*a **b"), "*a **b***");
        assert_eq!(repair_tail("*done* then"), "*done* then");
        assert_eq!(repair_tail("_done_ then"), "_done_ then");
        // Not emphasis: a bullet, spaced or intraword stars, snake_case.
        assert_eq!(repair_tail("* item one"), "* item one");
        assert_eq!(repair_tail("a * b"), "a * b");
        assert_eq!(repair_tail("2*3"), "2*3");
        assert_eq!(repair_tail("call snake_case"), "call snake_case");
        assert_eq!(repair_tail("see `_x"), "see `_x`");
        assert_eq!(repair_tail("an *"), "an ");
    }

    #[test]
    fn an_opener_with_nothing_after_it_is_dropped() {
        assert_eq!(repair_tail("text **"), "text ");
        assert_eq!(
            repair_tail("- **Severity:** High\n- **"),
            "- **Severity:** High\n- "
        );
        assert_eq!(repair_tail("see `"), "see ");
    }

    #[test]
    fn only_the_last_inline_run_is_repaired() {
        assert_eq!(repair_tail("- a ** b\n- c **d"), "- a ** b\n- c **d**");
    }

    #[test]
    fn a_half_image_is_dropped_until_complete() {
        assert_eq!(repair_tail("see ![chart](http://x/a.p"), "see ");
        assert_eq!(repair_tail("see ![chart"), "see ");
        assert_eq!(repair_tail("see ![chart]"), "see ");
        assert_eq!(repair_tail("see ![chart](a.png)"), "see ![chart](a.png)");
    }

    #[test]
    fn a_table_waits_for_its_delimiter_row_then_for_whole_rows() {
        assert_eq!(repair_tail("Intro\n| a | b |\n"), "Intro\n");
        assert_eq!(repair_tail("Intro\n| a | b |\n| --- | -"), "Intro\n");
        assert_eq!(
            repair_tail("| a | b |\n|---|:-:|\n"),
            "| a | b |\n|---|:-:|\n"
        );
        assert_eq!(
            repair_tail("| a | b |\n|---|---|\n| 1 | 2 |\n| 3 "),
            "| a | b |\n|---|---|\n| 1 | 2 |\n"
        );
    }

    #[test]
    fn an_open_fence_is_left_to_grow() {
        assert_eq!(
            repair_tail("```solidity\nuint a = **b"),
            "```solidity\nuint a = **b"
        );
    }
}
