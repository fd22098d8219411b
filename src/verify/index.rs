//! What the checks know about the code, built once per report: for each file its line
//! kinds, the words its code uses, its code with whitespace and comments gone (for quotes),
//! its contracts and functions with their line spans, and what each function does that a
//! finding class needs (external calls, `tx.origin`, `unchecked`, …). Owned data, so a
//! streaming report keeps it while the model writes.

use std::collections::{HashMap, HashSet};

use super::lexer::{LineKind, lex};
use crate::analyzer::symbols::{FunctionKind, Symbols};
use crate::analyzer::syntax::{Call, SyntaxTree, kind};
use crate::analyzer::{self, context, version};
use crate::report::{Finding, Language};

/// One file to check findings against: its path as the report should name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// `src/Vault.sol`, or `None` for a pasted contract with no name.
    pub path: Option<String>,
    pub text: String,
}

impl Source {
    /// What a report request's findings are checked against: its contract, or every file
    /// of its project (a finding may point into any of them).
    pub fn of_request(request: &crate::protocol::ReportRequest) -> Vec<Source> {
        if request.files.is_empty() {
            return vec![Source {
                path: request.filename.clone(),
                text: request.contract.clone(),
            }];
        }
        request
            .files
            .iter()
            .map(|f| Source {
                path: Some(f.path.clone()),
                text: f.content.clone(),
            })
            .collect()
    }
}

/// What a function (or modifier) does, as far as finding classes care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// A call into other code: a low-level call, a call on an interface or contract.
    pub external_call: bool,
    /// `call`, `send`, `delegatecall`, `staticcall`, `transfer` on an address.
    pub low_level_call: bool,
    /// A call whose failure the code can go on past: in Solidity a call whose result is
    /// thrown away or stored and never read; in Vyper only a `raw_call` with
    /// `revert_on_failure=False` (its `send` and calls revert).
    pub ignorable_call: bool,
    pub tx_origin: bool,
    /// `block.timestamp` or `now`.
    pub timestamp: bool,
    /// An `unchecked` block or inline assembly, where arithmetic wraps.
    pub wrapping: bool,
    pub delegatecall: bool,
    pub selfdestruct: bool,
    /// `blockhash`, `block.difficulty`, `block.prevrandao`, `block.number`, or the time.
    pub chain_randomness: bool,
    /// Restricted by a guard modifier or a `msg.sender` check.
    pub guarded: bool,
}

impl Facts {
    /// Both together: what either does.
    pub fn or(self, o: Facts) -> Facts {
        Facts {
            external_call: self.external_call || o.external_call,
            low_level_call: self.low_level_call || o.low_level_call,
            ignorable_call: self.ignorable_call || o.ignorable_call,
            tx_origin: self.tx_origin || o.tx_origin,
            timestamp: self.timestamp || o.timestamp,
            wrapping: self.wrapping || o.wrapping,
            delegatecall: self.delegatecall || o.delegatecall,
            selfdestruct: self.selfdestruct || o.selfdestruct,
            chain_randomness: self.chain_randomness || o.chain_randomness,
            guarded: self.guarded || o.guarded,
        }
    }
}

/// A function or modifier and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FnSpan {
    pub name: String,
    pub contract: String,
    /// 1-based, inclusive.
    pub start: u32,
    pub end: u32,
    pub is_modifier: bool,
    /// What it does itself.
    pub facts: Facts,
    /// Names of the functions and modifiers it calls inside the project.
    pub callees: Vec<String>,
}

/// One file, indexed.
#[derive(Clone, Debug)]
pub struct FileIndex {
    pub path: Option<String>,
    pub language: Language,
    pub kinds: Vec<LineKind>,
    /// Every identifier the code (not its comments) uses.
    pub words: HashSet<String>,
    /// The code with comments and whitespace removed, for quote search.
    pub squeezed: String,
    pub contracts: Vec<String>,
    pub functions: Vec<FnSpan>,
    /// Arithmetic may wrap silently everywhere: Solidity before 0.8 (or no pragma).
    pub wraps: bool,
    /// The version pragma allows more than one compiler (or there is none).
    pub floating: bool,
}

impl FileIndex {
    pub fn name(&self) -> &str {
        self.path.as_deref().unwrap_or("the contract")
    }

    /// The function or modifier whose span holds `line`.
    pub fn function_at(&self, line: u32) -> Option<&FnSpan> {
        self.functions
            .iter()
            .filter(|f| f.start <= line && line <= f.end)
            .min_by_key(|f| f.end - f.start)
    }
}

/// Everything the checks consult.
#[derive(Clone, Debug, Default)]
pub struct CodeIndex {
    pub files: Vec<FileIndex>,
    /// The analyzer's findings over the same files, locations naming their file.
    pub candidates: Vec<Finding>,
    /// Functions by name, as `(file, index)`.
    by_name: HashMap<String, Vec<(usize, usize)>>,
}

/// How deep `facts_of` follows calls: enough for real call chains, bounded for hostile ones.
const MAX_CALL_DEPTH: usize = 8;

impl CodeIndex {
    /// Indexes `sources` and runs the analyzer over each.
    pub fn build(sources: &[Source]) -> CodeIndex {
        let mut files = Vec::new();
        let mut candidates = Vec::new();
        for s in sources {
            let analysis = analyzer::analyze(&s.text, s.path.as_deref());
            // The analyzer has read the language and the version pragma already.
            files.push(index_file(s, analysis.language, analysis.pragma.as_deref()));
            for mut f in analysis.findings {
                for l in &mut f.locations {
                    l.file = s.path.clone();
                }
                candidates.push(f);
            }
        }
        let mut by_name: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (fi, file) in files.iter().enumerate() {
            for (i, f) in file.functions.iter().enumerate() {
                by_name.entry(f.name.clone()).or_default().push((fi, i));
            }
        }
        CodeIndex {
            files,
            candidates,
            by_name,
        }
    }

    /// Whether any file holds code the checks can read: a contract or a function. Text
    /// that is not a contract (a paste of prose) gets no verdicts.
    pub fn has_code(&self) -> bool {
        self.files
            .iter()
            .any(|f| !f.contracts.is_empty() || !f.functions.is_empty())
    }

    /// Every function or modifier called `name`, anywhere.
    pub fn functions_named(&self, name: &str) -> impl Iterator<Item = (&FileIndex, &FnSpan)> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&(fi, i)| (&self.files[fi], &self.files[fi].functions[i]))
    }

    /// Whether any file's code uses the word `w`.
    pub fn uses_word(&self, w: &str) -> bool {
        self.files.iter().any(|f| f.words.contains(w))
    }

    /// What `f` does, with what the functions and modifiers it calls do.
    pub fn facts_of(&self, f: &FnSpan) -> Facts {
        let mut seen: HashSet<&str> = HashSet::from([f.name.as_str()]);
        let mut facts = f.facts;
        let mut frontier: Vec<&str> = f.callees.iter().map(String::as_str).collect();
        for _ in 0..MAX_CALL_DEPTH {
            let mut next = Vec::new();
            for name in frontier {
                if !seen.insert(name) {
                    continue;
                }
                for (_, g) in self.functions_named(name) {
                    // A guard is the caller's own modifier, not something a callee has.
                    let mut own = g.facts;
                    own.guarded = g.is_modifier && g.facts.guarded;
                    facts = facts.or(own);
                    next.extend(g.callees.iter().map(String::as_str));
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        facts
    }
}

/// `pragma`: the version constraint (`^0.8.20`, Vyper's `^0.3.9`), if the file has one.
fn index_file(s: &Source, language: Language, pragma: Option<&str>) -> FileIndex {
    let lexed = lex(&s.text, language);
    let words = words(&lexed.code);
    let squeezed = lexed.code.split_whitespace().collect();
    let (contracts, functions) = match language {
        Language::Solidity => solidity_functions(&s.text, &lexed.code),
        Language::Vyper => (Vec::new(), vyper_functions(&lexed.code)),
    };
    let wraps = language == Language::Solidity
        && pragma.is_none_or(|c| version::allows_below(c, (0, 8, 0)));
    let floating = pragma.is_none_or(|c| !version::is_pinned(c));
    FileIndex {
        path: s.path.clone(),
        language,
        kinds: lexed.kinds,
        words,
        squeezed,
        contracts,
        functions,
        wraps,
        floating,
    }
}

fn words(code: &str) -> HashSet<String> {
    code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .filter(|w| !w.is_empty() && !w.starts_with(|c: char| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// Members called on something that is not other code: library helpers and builtins.
const NOT_EXTERNAL: &[&str] = &[
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "pow",
    "push",
    "pop",
    "length",
    "encode",
    "encodePacked",
    "encodeWithSelector",
    "encodeWithSignature",
    "encodeCall",
    "decode",
    "toString",
    "concat",
    "min",
    "max",
    "wrap",
    "unwrap",
    "tryAdd",
    "trySub",
    "tryMul",
    "tryDiv",
    "mulDiv",
    "sqrt",
    "toUint256",
    "toInt256",
    "current",
    "increment",
    "decrement",
    "contains",
    "at",
    "set",
    "get",
    "remove",
    "values",
];

/// The file's contracts and its functions.
fn solidity_functions(source: &str, code: &str) -> (Vec<String>, Vec<FnSpan>) {
    let tree = SyntaxTree::parse(source);
    let root = tree.root();
    let symbols = Symbols::build(root);
    let lines: Vec<&str> = code.lines().collect();
    let contracts = symbols
        .contracts
        .iter()
        .map(|c| c.name.to_owned())
        .collect();
    let mut out = Vec::new();
    for c in &symbols.contracts {
        for f in &c.functions {
            let (start, end) = (f.node.line() as u32, f.node.end_line() as u32);
            let text: String = lines
                .get(start as usize - 1..(end as usize).min(lines.len()))
                .unwrap_or_default()
                .join("\n");
            let mut facts = text_facts(&text);
            let mut callees: Vec<String> = f.modifiers.iter().map(|m| (*m).to_owned()).collect();
            facts.guarded = f.modifiers.iter().any(|m| context::is_guard_name(m))
                || mentions_caller_check(&text);
            for node in f.node.find_all(kind::CALL) {
                let Some(call) = Call::of(node) else { continue };
                let target = call.target.map(|t| t.text().trim());
                match target {
                    None | Some("super") => callees.push(call.method.to_owned()),
                    Some(t) => {
                        let builtin =
                            matches!(t, "abi" | "msg" | "block" | "tx" | "string" | "bytes")
                                || t.starts_with("type(");
                        if call.is_low_level() {
                            facts.low_level_call = true;
                            facts.external_call = true;
                            facts.ignorable_call |= result_unused(&call, &text);
                        } else if !builtin && !NOT_EXTERNAL.contains(&call.method) {
                            facts.external_call = true;
                            facts.ignorable_call |= result_unused(&call, &text);
                            // A library or a contract of the project: follow it too.
                            callees.push(call.method.to_owned());
                        }
                    }
                }
            }
            out.push(FnSpan {
                name: f.display_name(),
                contract: c.name.to_owned(),
                start,
                end,
                is_modifier: f.kind == FunctionKind::Modifier,
                facts,
                callees,
            });
        }
    }
    (contracts, out)
}

/// Whether a call's result is never looked at: the call is a statement of its own, or
/// it is stored in locals that `body` (its function's code) never mentions again.
fn result_unused(call: &Call<'_>, body: &str) -> bool {
    if call.result_discarded() {
        return true;
    }
    let Some(decl) = call
        .node
        .ancestors()
        .into_iter()
        .find(|a| a.is(kind::VARIABLE_DECLARATION_STATEMENT))
    else {
        return false;
    };
    let text = decl.text();
    let names = text.split('=').next().unwrap_or("");
    let declared: Vec<&str> = names
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !is_type_word(w))
        .collect();
    !declared.is_empty()
        && declared.iter().all(|name| {
            body.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|w| w == name)
                .count()
                <= 1
        })
}

fn is_type_word(w: &str) -> bool {
    matches!(
        w,
        "bool" | "bytes" | "memory" | "string" | "address" | "payable" | "calldata"
    ) || w.starts_with("uint")
        || w.starts_with("int")
        || w.starts_with("bytes")
}

/// Vyper functions: a `def name(` line to the last line indented under it.
fn vyper_functions(code: &str) -> Vec<FnSpan> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix("def ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut end = i;
        for (j, l) in lines.iter().enumerate().skip(i + 1) {
            if l.trim().is_empty() {
                continue;
            }
            if !l.starts_with([' ', '\t']) {
                break;
            }
            end = j;
        }
        let text = lines[i..=end].join("\n");
        let mut facts = text_facts(&text);
        facts.external_call = ["raw_call(", "send(", "extcall ", "staticcall "]
            .iter()
            .any(|p| text.contains(p))
            || text.contains(").");
        facts.low_level_call = text.contains("raw_call(") || text.contains("send(");
        let squeezed: String = text.split_whitespace().collect();
        facts.ignorable_call = squeezed.contains("revert_on_failure=False");
        facts.guarded = mentions_caller_check(&text);
        let callees = text
            .match_indices("self.")
            .filter_map(|(at, _)| {
                let n: String = text[at + 5..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                text[at + 5 + n.len()..].starts_with('(').then_some(n)
            })
            .collect();
        // Decorators sit just above.
        let mut start = i;
        while start > 0 && lines[start - 1].trim_start().starts_with('@') {
            start -= 1;
        }
        out.push(FnSpan {
            name,
            contract: String::new(),
            start: start as u32 + 1,
            end: end as u32 + 1,
            is_modifier: false,
            facts,
            callees,
        });
    }
    out
}

/// The facts plain text can tell (the code, comments already blanked).
fn text_facts(text: &str) -> Facts {
    let word = |w: &str| {
        text.match_indices(w).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + w.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    let timestamp = text.contains("block.timestamp") || word("now");
    Facts {
        tx_origin: text.contains("tx.origin"),
        timestamp,
        wrapping: word("unchecked") || word("assembly") || text.contains("unsafe_"),
        delegatecall: text.contains("delegatecall") || text.contains("callcode"),
        selfdestruct: word("selfdestruct") || word("suicide"),
        chain_randomness: timestamp
            || [
                "blockhash",
                "block.difficulty",
                "block.prevrandao",
                "block.number",
            ]
            .iter()
            .any(|p| text.contains(p)),
        ..Facts::default()
    }
}

fn mentions_caller_check(text: &str) -> bool {
    let squeezed: String = text.split_whitespace().collect();
    [
        "msg.sender==",
        "==msg.sender",
        "msg.sender!=",
        "!=msg.sender",
        "_checkOwner(",
        "_checkRole(",
        "hasRole(",
    ]
    .iter()
    .any(|p| squeezed.contains(p))
}
