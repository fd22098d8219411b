//! Line references in report text: `Vault.sol#L19-L25`, `Vault.sol:19`, `lines 19–25`,
//! `L19`, GitHub blob links, and the code listings of bot reports (`File: src/Vault.sol`
//! then `80:     function withdraw()`), read into `Location`s. Pure and hand-written for the same
//! reason as `vocabulary`: compiled into the browser, each rule a named function.

use super::model::Location;

/// At most this many locations are read per finding: enough for any real finding, and it
/// keeps a hostile block (thousands of `L1 L2 …`) from costing quadratic time.
pub const MAX_LOCATIONS: usize = 64;

/// Every line reference in `text`, at most `MAX_LOCATIONS`. With `loose`, bare `19`, `19-25` and `L19` count too (a
/// `Line:` field); otherwise a line needs a file (`Vault.sol:19`, `…/Vault.sol#L19-L25`) or
/// the word line (`line 19`, `lines 19–25`, `lines 19 to 25`) or an `L` (`L19`).
pub fn locations_in(text: &str, loose: bool) -> Vec<Location> {
    let words = tokens(text);
    let mut out: Vec<Location> = Vec::new();
    let mut pending_file: Option<(String, usize)> = None;
    let mut i = 0;
    while i < words.len() && out.len() < MAX_LOCATIONS {
        let w = words[i];
        let file_here = pending_file
            .as_ref()
            .filter(|(_, at)| i <= at + 2)
            .map(|(f, _)| f.clone());
        if let Some((file, rest)) = split_source_file(w) {
            match line_suffix(rest) {
                Some((line, end_line)) => push(&mut out, Some(file), line, end_line),
                None => pending_file = Some((file, i)),
            }
            i += 1;
            continue;
        }
        let lower = w.to_ascii_lowercase();
        if lower == "line" || lower == "lines" || lower == "l" {
            let (refs, used) = numbers_after(&words[i + 1..]);
            for (line, end_line) in refs {
                push(&mut out, file_here.clone(), line, end_line);
            }
            i += 1 + used;
            continue;
        }
        if let Some((line, end_line)) = l_range(w).or_else(|| loose.then(|| range(w)).flatten()) {
            let (line, end_line) = match (end_line, words.get(i + 1), words.get(i + 2)) {
                (None, Some(&("to" | "-" | "–" | "—")), Some(next)) => {
                    match l_range(next).or_else(|| range(next)) {
                        Some((end, None)) if end >= line => {
                            i += 2;
                            (line, Some(end))
                        }
                        _ => (line, None),
                    }
                }
                _ => (line, end_line),
            };
            push(&mut out, file_here, line, end_line);
        }
        i += 1;
    }
    out
}

fn push(out: &mut Vec<Location>, file: Option<String>, line: u32, end_line: Option<u32>) {
    if out.len() >= MAX_LOCATIONS {
        return;
    }
    let end_line = end_line.filter(|&e| e > line);
    // A link's text and its target often name the same place; keep the longer path, unless
    // it climbs out of the report's folder (`../tests/src/X.sol`: relative to the report).
    for l in out.iter_mut() {
        if l.line == line && l.end_line == end_line {
            match (&l.file, &file) {
                (None, _) => {
                    l.file = file;
                    return;
                }
                (Some(a), Some(b)) if a.ends_with(b.as_str()) => {
                    if a.starts_with("../") {
                        l.file = file;
                    }
                    return;
                }
                (Some(a), Some(b)) if b.ends_with(a.as_str()) => {
                    if !b.starts_with("../") {
                        l.file = file;
                    }
                    return;
                }
                (Some(_), None) => return,
                _ => {}
            }
        }
    }
    out.push(Location {
        file,
        line,
        end_line,
        out_of_range: false,
    });
}

/// Sentence punctuation around a word.
const PUNCTUATION: [char; 5] = ['.', ':', '!', '?', '_'];

/// Words for location scanning: split on whitespace and on markdown/link punctuation, with
/// sentence punctuation trimmed from the ends.
fn tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '(' | ')' | '[' | ']' | '<' | '>' | '`' | '"' | '\'' | '|' | ',' | ';' | '*'
            )
    })
    .map(|w| {
        let w = w.trim_end_matches(PUNCTUATION);
        // A leading `../` or `./` is part of a path; other leading dots are punctuation.
        if w.starts_with("../") || w.starts_with("./") {
            w
        } else {
            w.trim_start_matches(PUNCTUATION)
        }
    })
    .filter(|w| !w.is_empty())
    .collect()
}

/// `Vault.sol#L19` → (`Vault.sol`, `#L19`); a GitHub blob URL → (its path in the repository,
/// the suffix). Only Solidity and Vyper files count.
fn split_source_file(word: &str) -> Option<(String, &str)> {
    let lower = word.to_ascii_lowercase();
    let end = [".sol", ".vyi", ".vy"].iter().find_map(|ext| {
        lower
            .match_indices(ext)
            .map(|(i, _)| i + ext.len())
            .find(|&e| {
                !lower[e..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    })?;
    let path = &word[..end];
    let rest = &word[end..];
    let path = match path.find("/blob/") {
        Some(i) => path[i + "/blob/".len()..]
            .split_once('/')
            .map_or(path, |(_, p)| p),
        None => path.rsplit_once("://").map_or(path, |(_, p)| p),
    };
    let path = path.trim_start_matches("./");
    let stem = path.rsplit('/').next().unwrap_or(path);
    (stem.len() > 4 && !stem.starts_with('.')).then(|| (path.to_owned(), rest))
}

/// A line and, for a range, its last line.
type LineRange = (u32, Option<u32>);

/// After a file name: `#L19`, `#L19-L25`, `:L19`, `:19`, `:19-25`, `:19:5` (a column),
/// `?plain=1#L19` (a GitHub query first).
fn line_suffix(rest: &str) -> Option<(u32, Option<u32>)> {
    let rest = match rest.strip_prefix('?') {
        Some(query) => &query[query.find('#')?..],
        None => rest,
    };
    let rest = rest.strip_prefix('#').or_else(|| rest.strip_prefix(':'))?;
    let rest = rest.split(':').next().unwrap_or(rest);
    l_range(rest).or_else(|| range(rest))
}

/// `L19`, `L19-L25`, `L19-25`, `#L19`.
fn l_range(word: &str) -> Option<(u32, Option<u32>)> {
    let w = word.trim_start_matches('#');
    let w = w.strip_prefix('L').or_else(|| w.strip_prefix('l'))?;
    range(w)
}

/// `19`, `19-25`, `19–25`, `19-L25`, and GitHub's columns `19C5-L25C12`.
fn range(word: &str) -> Option<(u32, Option<u32>)> {
    let mut parts = word.splitn(2, ['-', '–', '—']);
    let line = number(without_column(parts.next()?))?;
    let end = match parts.next() {
        None => None,
        Some(e) => Some(number(without_column(e.trim_start_matches(['L', 'l'])))?),
    };
    Some((line, end))
}

/// `210C2` → `210`: the line of a GitHub line-and-column anchor.
fn without_column(s: &str) -> &str {
    match s.split_once(['C', 'c']) {
        Some((line, col)) if !col.is_empty() && col.chars().all(|c| c.is_ascii_digit()) => line,
        _ => s,
    }
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok().filter(|&n| n > 0)
}

/// The lines a bot report's code listings show: in a fence, a `File: src/Vault.sol` line
/// (`file: src/Vault.sol :`, or with a line, `File: src/Vault.sol#L45`) and then lines
/// numbered `80:     function withdraw()` (or `80    function`, unindented). Consecutive
/// numbers merge into one range; at most `MAX_LOCATIONS`.
#[derive(Clone, Debug, Default)]
pub struct Listing {
    /// The file the current fence lists, once its `File:` line came.
    file: Option<String>,
    out: Vec<Location>,
}

impl Listing {
    /// A new fence starts: its lines belong to no file until it names one.
    pub fn new_fence(&mut self) {
        self.file = None;
    }

    /// Reads one line inside a fence.
    pub fn read(&mut self, line: &str) {
        if let Some((file, at)) = listing_file(line) {
            if let Some((line, end_line)) = at {
                push(&mut self.out, Some(file.clone()), line, end_line);
            }
            self.file = Some(file);
        } else if let Some(file) = &self.file
            && let Some(n) = listed_line_number(line)
        {
            match self.out.last_mut() {
                Some(last)
                    if last.file.as_ref() == Some(file)
                        && last.end_line.unwrap_or(last.line) + 1 == n =>
                {
                    last.end_line = Some(n);
                }
                Some(last)
                    if last.file.as_ref() == Some(file)
                        && last.end_line.unwrap_or(last.line) == n => {}
                _ => push(&mut self.out, Some(file.clone()), n, None),
            }
        }
    }

    pub fn into_locations(self) -> Vec<Location> {
        self.out
    }
}

/// `File: src/Vault.sol` → the path, and the line when the path carries one (`#L45`).
fn listing_file(line: &str) -> Option<(String, Option<LineRange>)> {
    let t = line.trim();
    let t = t.strip_prefix("//").map_or(t, str::trim_start);
    let key = t.get(..5)?;
    if !key.eq_ignore_ascii_case("file:") {
        return None;
    }
    let rest = t[5..].trim().trim_end_matches([':', ' ']);
    if rest.contains(char::is_whitespace) {
        return None;
    }
    let (file, suffix) = split_source_file(rest)?;
    Some((file, line_suffix(suffix)))
}

/// `80:     code` or, unindented, `80    code`: the number a listing gives a line.
fn listed_line_number(line: &str) -> Option<u32> {
    let t = line.trim_start();
    let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = &t[digits..];
    let numbered =
        after.starts_with(':') || line.len() == t.len() && after.starts_with([' ', '\t']);
    if digits == 0 || !numbered {
        return None;
    }
    number(&t[..digits])
}

/// The line numbers right after the word `line(s)`: `19`, `19-25`, `19 to 25`, `19, 23 and
/// 40`. Returns them and how many words were used.
fn numbers_after(words: &[&str]) -> (Vec<(u32, Option<u32>)>, usize) {
    let mut out: Vec<(u32, Option<u32>)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if let Some(r) = l_range(w).or_else(|| range(w)) {
            out.push(r);
            i += 1;
        } else if matches!(w, "to" | "-" | "–" | "—" | "through")
            && let (Some(last), Some(Some((end, None)))) = (
                out.last_mut(),
                words.get(i + 1).map(|n| l_range(n).or_else(|| range(n))),
            )
            && last.1.is_none()
        {
            last.1 = Some(end);
            i += 2;
        } else if matches!(w, "and" | "&") && !out.is_empty() {
            i += 1;
        } else {
            break;
        }
    }
    (out, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Locations as `file:line-end` strings, for compact assertions.
    fn at(text: &str, loose: bool) -> Vec<String> {
        locations_in(text, loose)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn every_location_form_is_read() {
        assert_eq!(at("Vault.sol:L19", false), ["Vault.sol:19"]);
        assert_eq!(at("see Vault.sol#L19-L25.", false), ["Vault.sol:19-25"]);
        assert_eq!(at("(Vault.sol:19)", false), ["Vault.sol:19"]);
        assert_eq!(at("on line 19 and", false), ["19"]);
        assert_eq!(at("lines 19–25", false), ["19-25"]);
        assert_eq!(at("lines 19-25", false), ["19-25"]);
        assert_eq!(at("lines 19 to 25", false), ["19-25"]);
        assert_eq!(at("at L19.", false), ["19"]);
        assert_eq!(
            at(
                "[Vault.sol#L19](https://github.com/o/r/blob/0abc/src/Vault.sol#L19-L25)",
                false
            ),
            ["Vault.sol:19", "src/Vault.sol:19-25"]
        );
        assert_eq!(at("`Vault.sol`, line 7", false), ["Vault.sol:7"]);
        assert_eq!(at("19-25", true), ["19-25"]);
        assert!(at("19", false).is_empty());
        assert_eq!(at("lines 3, 9 and 12", false).len(), 3);
        assert_eq!(at("Token.vy:4:9", false), ["Token.vy:4"]);
        assert_eq!(
            at(
                "https://github.com/o/r/blob/main/src/V.sol?plain=1#L80-L85",
                false
            ),
            ["src/V.sol:80-85"]
        );
        assert_eq!(
            at(
                "https://github.com/o/r/blob/main/src/V.sol#L210C2-L217C22",
                false
            ),
            ["src/V.sol:210-217"]
        );
        // Aderyn: the project path, not the link's path relative to the report.
        assert_eq!(
            at(
                "- Found in src/V.sol [Line: 23](../tests/p/src/V.sol#L23)",
                false
            ),
            ["src/V.sol:23"]
        );
    }

    fn listed(lines: &[&str]) -> Vec<String> {
        let mut l = Listing::default();
        for line in lines {
            l.read(line);
        }
        l.into_locations().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn code_listings_give_their_numbered_lines_as_ranges() {
        assert_eq!(
            listed(&[
                "File: src/Vault.sol",
                "",
                "80:     function withdraw() {",
                "",
                "81:   x;",
                "90: y;"
            ]),
            ["src/Vault.sol:80-81", "src/Vault.sol:90"]
        );
        // Continuation lines, a second file, the unindented `150    code` form, a line in
        // the file line, and no file yet.
        assert_eq!(
            listed(&[
                "12: before any file",
                "file: src/A.sol :",
                "150    function buy(",
                "        10 ** 18,",
                "File: B.sol#L45",
                "    event E();"
            ]),
            ["src/A.sol:150", "B.sol:45"]
        );
        assert!(listed(&["function f() {", "19: x"]).is_empty());
    }

    #[test]
    fn locations_stop_at_the_limit() {
        let text = |n: u32| {
            (1..=n)
                .map(|i| format!("L{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            locations_in(&text(MAX_LOCATIONS as u32), false).len(),
            MAX_LOCATIONS
        );
        let over = locations_in(&text(MAX_LOCATIONS as u32 + 1), false);
        assert_eq!(over.len(), MAX_LOCATIONS);
        assert_eq!(over.last().map(|l| l.line), Some(MAX_LOCATIONS as u32));
        assert_eq!(locations_in("lines 1, 2, 3", true).len(), 3);
    }
}
