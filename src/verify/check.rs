//! One finding against the code: every reference it makes (file, lines, function, names,
//! quoted code) must hold, its class must be possible where it points, and the analyzer may
//! confirm it. The verdict and a reason a person can read come out; nothing is dropped.

use super::claims::{Class, claims};
use super::index::{CodeIndex, Facts, FileIndex, FnSpan};
use super::lexer::LineKind;
use crate::report::{Finding, Location, Verdict};

/// How many lines before a function's first line still count as in it: its NatSpec, its
/// attributes on lines of their own.
const FUNCTION_SLACK: u32 = 2;

/// How far apart a finding and an analyzer finding of the same class may be and still be
/// the same issue, when neither names the function.
const SAME_PLACE_LINES: u32 = 3;

/// The outcome of checking one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub reason: String,
    /// The analyzer finding (index into `CodeIndex::candidates`) that confirmed it.
    pub confirmed_by: Option<usize>,
}

/// The verdict on `finding` (whose markdown is `block`, or empty), and why.
pub fn verify(finding: &Finding, block: &str, index: &CodeIndex) -> Outcome {
    let outcome = |verdict, reason| Outcome {
        verdict,
        reason,
        confirmed_by: None,
    };
    let place = match references(finding, block, index) {
        Err(reason) => return outcome(Verdict::Unverified, reason),
        Ok(place) => place,
    };
    if let Some(class) = Class::of_finding(finding)
        && let Some(reason) = impossible(class, &place, index)
    {
        return outcome(Verdict::Contradicted, reason);
    }
    match confirmation(finding, &place, index) {
        Some((i, reason)) => Outcome {
            verdict: Verdict::Confirmed,
            reason,
            confirmed_by: Some(i),
        },
        None => outcome(Verdict::Consistent, consistent_reason(&place)),
    }
}

/// Where a finding points, once its references hold.
struct Place<'a> {
    /// Each location with its file.
    at: Vec<(&'a FileIndex, Location)>,
    /// The functions it is in: the one it names, else those holding its lines.
    functions: Vec<(&'a FileIndex, &'a FnSpan)>,
    named_function: Option<String>,
}

fn references<'a>(
    finding: &Finding,
    block: &str,
    index: &'a CodeIndex,
) -> Result<Place<'a>, String> {
    let mut claims = claims(finding, block);
    if claims.function.is_none() {
        claims.function = only_function_named(&finding.title, index);
    }
    if finding.locations.is_empty() && claims.function.is_none() {
        return Err("the finding gives no line or function to check".to_owned());
    }
    let mut at = Vec::new();
    for loc in &finding.locations {
        let file = resolve_file(loc, claims.function.as_deref(), index)?;
        check_lines(file, loc)?;
        at.push((file, loc.clone()));
    }
    let mut functions: Vec<(&FileIndex, &FnSpan)> = Vec::new();
    if let Some(name) = &claims.function {
        let named: Vec<(&FileIndex, &FnSpan)> = index.functions_named(name).collect();
        if named.is_empty() {
            return Err(format!("no function `{name}` in {}", files_named(index)));
        }
        check_in_function(name, &named, &at)?;
        functions = named;
    } else {
        for (file, loc) in &at {
            if let Some(f) = file.function_at(loc.line) {
                functions.push((file, f));
            }
        }
    }
    for name in &claims.names {
        if !index.uses_word(name) {
            return Err(format!(
                "`{name}` appears nowhere in the code of {}",
                files_named(index)
            ));
        }
    }
    for quote in &claims.quotes {
        check_quote(quote, index)?;
    }
    Ok(Place {
        at,
        functions,
        named_function: claims.function,
    })
}

/// The one function or modifier of the code a title names (`borrow uses transfer …`,
/// `` `setRate()` has no bound ``), if it names exactly one.
fn only_function_named(title: &str, index: &CodeIndex) -> Option<String> {
    let mut named: Vec<&str> = title
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| w.len() > 2 && !super::claims::is_builtin(w))
        .filter(|w| index.functions_named(w).next().is_some())
        .collect();
    named.sort_unstable();
    named.dedup();
    match named.as_slice() {
        [one] => Some((*one).to_owned()),
        _ => None,
    }
}

fn files_named(index: &CodeIndex) -> String {
    match index.files.as_slice() {
        [one] => one.name().to_owned(),
        _ => "the project".to_owned(),
    }
}

/// The file a location names, matched by path suffix; a location naming none is in the
/// only file, or the one defining the function the finding names.
fn resolve_file<'a>(
    loc: &Location,
    function: Option<&str>,
    index: &'a CodeIndex,
) -> Result<&'a FileIndex, String> {
    let files = &index.files;
    let Some(named) = &loc.file else {
        if let [one] = files.as_slice() {
            return Ok(one);
        }
        let defining = function.and_then(|f| index.functions_named(f).next().map(|(file, _)| file));
        return defining
            .or_else(|| files.iter().find(|f| is_code(f, loc.line)))
            .ok_or_else(|| format!("line {} is code in none of the project's files", loc.line));
    };
    let named = named.trim_start_matches("./");
    let base = |p: &str| p.rsplit(['/', '\\']).next().unwrap_or(p).to_owned();
    let found = files.iter().find(|f| {
        f.path.as_deref().is_some_and(|p| {
            p == named || p.ends_with(&format!("/{named}")) || named.ends_with(&format!("/{p}"))
        })
    });
    let found = found.or_else(|| {
        files
            .iter()
            .find(|f| f.path.as_deref().is_some_and(|p| base(p) == base(named)))
    });
    if let Some(f) = found {
        return Ok(f);
    }
    // One contract, and the report calls its file after a contract in it (or it has no
    // name of its own): the same file.
    if let [one] = files.as_slice() {
        let stem = base(named);
        let stem = stem.split('.').next().unwrap_or("");
        if one.path.is_none() || one.contracts.iter().any(|c| c == stem) {
            return Ok(one);
        }
    }
    Err(match files.as_slice() {
        [one] => format!(
            "the finding points into {named}, but the audited file is {}",
            one.name()
        ),
        _ => format!("no file {named} in the project"),
    })
}

fn is_code(f: &FileIndex, line: u32) -> bool {
    line >= 1 && f.kinds.get(line as usize - 1) == Some(&LineKind::Code)
}

/// The lines exist and at least one of them is code.
fn check_lines(file: &FileIndex, loc: &Location) -> Result<(), String> {
    let total = file.kinds.len() as u32;
    let end = loc.end_line.unwrap_or(loc.line).max(loc.line);
    if loc.line == 0 || end > total {
        return Err(format!(
            "line {} is past the end of {} ({total} lines)",
            if loc.line == 0 { 0 } else { end.max(loc.line) },
            file.name()
        ));
    }
    if (loc.line..=end).any(|l| is_code(file, l)) {
        return Ok(());
    }
    let what = match file.kinds[loc.line as usize - 1] {
        LineKind::Blank => "blank",
        _ => "a comment",
    };
    Err(if end > loc.line {
        format!("lines {}-{end} of {} hold no code", loc.line, file.name())
    } else {
        format!("line {} of {} is {what}, not code", loc.line, file.name())
    })
}

/// At least one location in the file of a function called `name` lies in it.
fn check_in_function(
    name: &str,
    named: &[(&FileIndex, &FnSpan)],
    at: &[(&FileIndex, Location)],
) -> Result<(), String> {
    let same_file: Vec<&(&FileIndex, Location)> = at
        .iter()
        .filter(|(file, _)| named.iter().any(|(f, _)| std::ptr::eq(*f, *file)))
        .collect();
    if same_file.is_empty() {
        return Ok(());
    }
    let inside = |file: &FileIndex, loc: &Location| {
        named.iter().any(|(f, span)| {
            std::ptr::eq(*f, file)
                && loc.line + FUNCTION_SLACK >= span.start
                && loc.line <= span.end
        })
    };
    // A line outside every function (the state it reads, the contract line) does not
    // contradict the function named; a line inside another function does.
    if same_file
        .iter()
        .any(|(file, loc)| inside(file, loc) || file.function_at(loc.line).is_none())
    {
        return Ok(());
    }
    let (file, loc) = same_file[0];
    let other = file.function_at(loc.line).map_or("", |f| f.name.as_str());
    Err(format!(
        "line {} of {} is in `{other}`, not in `{name}`",
        loc.line,
        file.name()
    ))
}

/// The quoted code is in the source, ignoring whitespace and comments, with `...` eliding:
/// at least half of its lines are found somewhere.
fn check_quote(quote: &str, index: &CodeIndex) -> Result<(), String> {
    let mut total = 0usize;
    let mut found = 0usize;
    let mut first_missing: Option<&str> = None;
    for raw in quote.lines() {
        let line = strip_line_number(raw);
        let line = strip_comment(line);
        if line.trim_start().starts_with("File:") {
            continue;
        }
        let pieces: Vec<String> = line
            .split('…')
            .flat_map(|p| p.split("..."))
            .map(|p| p.split_whitespace().collect::<String>())
            .filter(|p| p.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
            .collect();
        if pieces.is_empty() {
            continue;
        }
        total += 1;
        if pieces
            .iter()
            .all(|p| index.files.iter().any(|f| f.squeezed.contains(p.as_str())))
        {
            found += 1;
        } else if first_missing.is_none() {
            first_missing = Some(raw.trim());
        }
    }
    if total == 0 || found * 2 >= total {
        return Ok(());
    }
    let shown: String = first_missing.unwrap_or("").chars().take(60).collect();
    Err(format!(
        "the quoted code `{shown}` is not in {}",
        files_named(index)
    ))
}

/// `80:     function f()` / `80 |  function f()` → the code (report and editor layouts).
fn strip_line_number(line: &str) -> &str {
    let t = line.trim_start();
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return line;
    }
    let rest = t[digits..].trim_start();
    match rest.strip_prefix([':', '|']) {
        Some(code) => code,
        None => line,
    }
}

/// A quote's `// <-- here` annotations and `#` comments are the reporter's, not the code's.
fn strip_comment(line: &str) -> &str {
    let cut = [line.find("//"), line.find(" # "), line.find("/*")]
        .into_iter()
        .flatten()
        .min();
    match cut {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Why the code cannot have `class` where the finding points, if it cannot.
fn impossible(class: Class, place: &Place<'_>, index: &CodeIndex) -> Option<String> {
    let (facts, scope) = scope_facts(place, index);
    let vyper = place
        .at
        .iter()
        .map(|(f, _)| f)
        .chain(place.functions.iter().map(|(f, _)| f))
        .any(|f| f.language == crate::report::Language::Vyper);
    let missing = match class {
        Class::Reentrancy => (!facts.external_call).then_some("makes no external call"),
        Class::TxOrigin => (!facts.tx_origin).then_some("never reads `tx.origin`"),
        Class::UncheckedCall => (!facts.ignorable_call).then_some(if vyper {
            "makes no call that can fail quietly (Vyper's `send`, `raw_call` and calls revert \
             unless `revert_on_failure=False`)"
        } else {
            "makes no call"
        }),
        Class::Timestamp => (!facts.timestamp).then_some("never reads `block.timestamp` or `now`"),
        Class::Delegatecall => (!facts.delegatecall).then_some("makes no `delegatecall`"),
        Class::Selfdestruct => (!facts.selfdestruct).then_some("has no `selfdestruct`"),
        Class::Randomness => (!facts.chain_randomness).then_some("reads no block value or hash"),
        Class::Overflow => {
            let wraps = place.at.iter().any(|(f, _)| f.wraps)
                || place.functions.iter().any(|(f, _)| f.wraps)
                || (place.at.is_empty() && place.functions.is_empty());
            (!wraps && !facts.wrapping).then_some(if vyper {
                "uses no `unsafe_` arithmetic, and Vyper reverts on overflow"
            } else {
                "is compiled with Solidity 0.8 or later, which reverts on overflow, and has no \
                 `unchecked` block or assembly"
            })
        }
        Class::Unprotected => (facts.guarded && !place.functions.is_empty())
            .then_some("is restricted to its owner or a role"),
        Class::FloatingPragma => {
            let files: Vec<&FileIndex> = place.at.iter().map(|(f, _)| *f).collect();
            let pinned = !files.is_empty() && files.iter().all(|f| !f.floating);
            return pinned.then(|| {
                format!(
                    "{} pins one compiler version, so it cannot have {}",
                    files[0].name(),
                    class.describe()
                )
            });
        }
    }?;
    Some(format!(
        "{scope} {missing}, so it cannot have {}",
        class.describe()
    ))
}

/// What the finding's functions do (with what they call), and how to name them.
fn scope_facts(place: &Place<'_>, index: &CodeIndex) -> (Facts, String) {
    if !place.functions.is_empty() {
        let mut facts = Facts::default();
        let mut guarded = true;
        for (_, f) in &place.functions {
            let g = index.facts_of(f);
            guarded &= g.guarded;
            facts = facts.or(g);
        }
        // Restricted only if every function in scope is.
        facts.guarded = guarded;
        let name = place
            .named_function
            .clone()
            .unwrap_or_else(|| place.functions[0].1.name.clone());
        return (facts, format!("`{name}`"));
    }
    // Lines outside any function (a state variable, the contract line): the whole file.
    let mut facts = Facts::default();
    let mut names = Vec::new();
    for (file, _) in &place.at {
        for f in &file.functions {
            facts = facts.or(index.facts_of(f));
        }
        names.push(file.name().to_owned());
    }
    names.dedup();
    (facts, names.join(", "))
}

/// The analyzer finding that reports the same issue at the same place, as a reason.
fn confirmation(
    finding: &Finding,
    place: &Place<'_>,
    index: &CodeIndex,
) -> Option<(usize, String)> {
    let class = Class::of_finding(finding);
    index.candidates.iter().enumerate().find_map(|(i, c)| {
        let same_class =
            c.rule == finding.rule || class.is_some_and(|k| Class::of_rule(&c.rule) == Some(k));
        if !same_class {
            return None;
        }
        let at = c.locations.first()?;
        let same_place = place.at.iter().any(|(file, loc)| {
            file.path == at.file && loc.line.abs_diff(at.line) <= SAME_PLACE_LINES
        }) || place
            .functions
            .iter()
            .any(|(file, f)| file.path == at.file && f.start <= at.line && at.line <= f.end);
        same_place.then(|| {
            let file = at.file.as_deref().unwrap_or("the contract");
            let reason = format!(
                "the analyzer reports `{}` at {file}:{} too",
                c.rule, at.line
            );
            (i, reason)
        })
    })
}

fn consistent_reason(place: &Place<'_>) -> String {
    let what = match (place.at.is_empty(), &place.named_function) {
        (false, Some(f)) => format!("its lines and `{f}` exist"),
        (false, None) => "its lines exist and are code".to_owned(),
        (true, Some(f)) => format!("`{f}` exists (no line given)"),
        (true, None) => "its references hold".to_owned(),
    };
    format!("{what}; the analyzer has no finding there to confirm it")
}
