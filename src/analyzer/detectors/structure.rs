//! What the line checks know about a contract's shape, found from its statements: functions
//! (parameters, visibility, body), state variables, and simple assignments. Shallow by design;
//! an AST replaces it.

use std::collections::HashSet;
use std::ops::Range;

use super::scan::{
    Braces, Stmt, find_token, ident_at, ident_before, is_ident_byte, matching_close, skip_ws,
    starts_with_word, statements, strip_control,
};
use super::{Language, SourceFile};

/// A simple assignment or update statement: `x[i].f -= y;`, `++x;`, `delete x;`, `x.push(y);`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Assign<'a> {
    /// The first identifier of the target (`x`, or `self` in Vyper).
    pub root: &'a str,
    /// The whole target expression.
    pub lhs: &'a str,
    /// `=`, a compound operator, `++`, `--`, `delete`, `push` or `pop`.
    pub op: &'a str,
    /// What follows the operator, without the trailing `;`.
    pub rhs: &'a str,
}

pub(super) fn assignment(stmt: &str) -> Option<Assign<'_>> {
    let s = strip_control(stmt).trim_end_matches(';').trim_end();
    for (prefix, op) in [("++", "++"), ("--", "--"), ("delete ", "delete")] {
        if let Some(rest) = s.strip_prefix(prefix) {
            let rest = rest.trim_start();
            let root = ident_at(rest, 0);
            return (!root.is_empty()).then_some(Assign {
                root,
                lhs: rest,
                op,
                rhs: "",
            });
        }
    }
    let root = ident_at(s, 0);
    if root.is_empty() || root.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut i = root.len();
    loop {
        let j = skip_ws(s, i);
        match s.as_bytes().get(j) {
            Some(b'[') => i = matching_close(s, j)? + 1,
            Some(b'.') => {
                let k = skip_ws(s, j + 1);
                let member = ident_at(s, k);
                if member.is_empty() {
                    return None;
                }
                i = k + member.len();
            }
            _ => break,
        }
    }
    let lhs = &s[..i];
    let rest = s[i..].trim_start();
    let ops = [
        "<<=", ">>=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "++", "--",
    ];
    let op = match ops.into_iter().find(|op| rest.starts_with(op)) {
        Some(op) => op,
        None if rest.starts_with('=') && !rest.starts_with("==") && !rest.starts_with("=>") => "=",
        None if rest.starts_with('(') && (lhs.ends_with(".push") || lhs.ends_with(".pop")) => {
            if lhs.ends_with(".push") {
                "push"
            } else {
                "pop"
            }
        }
        None => return None,
    };
    let rhs = rest.strip_prefix(op).unwrap_or(rest).trim();
    Some(Assign { root, lhs, op, rhs })
}

/// A function-like body: Solidity `function`, `constructor`, `fallback`, `receive`, `modifier`;
/// Vyper `def`.
#[derive(Debug, Clone)]
pub(super) struct Function<'a> {
    pub name: &'a str,
    pub params: Vec<&'a str>,
    /// Solidity: keyword to the body's `{` (modifiers, visibility). Vyper: decorators and `def` line.
    pub header: &'a str,
    /// Line of the `function`/`def` keyword.
    pub line: usize,
    /// Offsets of the body in the code.
    pub body: Range<usize>,
    /// Callable from outside: not `internal`/`private` (Solidity), `@external` (Vyper).
    pub external: bool,
}

impl Function<'_> {
    pub fn contains(&self, offset: usize) -> bool {
        self.body.contains(&offset)
    }
}

/// Functions with a body, in source order.
pub(super) fn functions(src: &SourceFile) -> Vec<Function<'_>> {
    match src.language() {
        Language::Solidity => solidity_functions(src),
        Language::Vyper => vyper_functions(src),
    }
}

/// The function whose body holds `offset` (`fns` in source order, bodies disjoint).
pub(super) fn function_at<'f, 'a>(
    fns: &'f [Function<'a>],
    offset: usize,
) -> Option<&'f Function<'a>> {
    let after = fns.partition_point(|f| f.body.start <= offset);
    after
        .checked_sub(1)
        .map(|i| &fns[i])
        .filter(|f| f.contains(offset))
}

/// The statements inside `f`'s body (`stmts` in source order).
pub(super) fn body_statements<'s, 'a>(stmts: &'s [Stmt<'a>], f: &Function) -> &'s [Stmt<'a>] {
    let from = stmts.partition_point(|s| s.start < f.body.start);
    let to = stmts.partition_point(|s| s.start < f.body.end);
    &stmts[from..to.max(from)]
}

/// Solidity functions: statements that open a block and start with `function`, `constructor`,
/// `fallback`, `receive` or `modifier`. Bodies cannot nest, so one inside another is skipped.
fn solidity_functions(src: &SourceFile) -> Vec<Function<'_>> {
    let braces = Braces::new(src.code());
    let mut out: Vec<Function> = Vec::new();
    for st in statements(src) {
        let keywords = ["function", "constructor", "fallback", "receive", "modifier"];
        let Some(kw) = keywords.into_iter().find(|k| starts_with_word(st.text, k)) else {
            continue;
        };
        let inside_previous = out.last().is_some_and(|f| st.start < f.body.end);
        if !st.text.ends_with('{') || inside_previous {
            continue;
        }
        let header = st.text;
        let mut i = skip_ws(header, kw.len());
        let mut name = kw;
        if kw == "function" || kw == "modifier" {
            name = ident_at(header, i);
            i = skip_ws(header, i + name.len());
        }
        let mut params = Vec::new();
        if header[i..].starts_with('(') {
            let Some(close) = matching_close(header, i) else {
                continue;
            };
            params = split_params(&header[i + 1..close], Language::Solidity);
        } else if kw != "modifier" {
            continue;
        }
        let open = st.start + header.len() - 1;
        let Some(close) = braces.close(open) else {
            continue;
        };
        let hidden =
            !find_token(header, "internal").is_empty() || !find_token(header, "private").is_empty();
        out.push(Function {
            name,
            params,
            header,
            line: src.line_of(st.start),
            body: open + 1..close,
            external: !hidden,
        });
    }
    out
}

/// Whether a function visibly restricts its caller: an `only…` modifier, a `msg.sender` (or
/// `tx.origin`) test in its header or body, or not being callable from outside at all. A guess
/// from names: it cannot tell a correct check from a wrong one.
pub(super) fn has_caller_check(code: &str, f: &Function) -> bool {
    let modifier = f
        .header
        .split(|c: char| !is_ident_byte(c as u8))
        .any(|w| w.starts_with("only"));
    let mentions = |s: &str| s.contains("msg.sender") || s.contains("tx.origin");
    modifier || !f.external || mentions(f.header) || mentions(&code[f.body.clone()])
}

/// Parameter names from a parameter list: the last word of each `type [location] name` part
/// (Solidity) or the word before `:` (Vyper). Unnamed parameters are skipped.
fn split_params(list: &str, language: Language) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut begin) = (0usize, 0);
    for (i, b) in list.bytes().enumerate() {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(&list[begin..i]);
                begin = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&list[begin..]);
    let keywords = ["memory", "storage", "calldata", "payable", "indexed"];
    parts
        .into_iter()
        .filter_map(|p| match language {
            Language::Vyper => {
                Some(ident_at(p.trim_start(), 0)).filter(|n| !n.is_empty() && p.contains(':'))
            }
            Language::Solidity => {
                let words: Vec<&str> = p
                    .split(|c: char| !is_ident_byte(c as u8))
                    .filter(|w| !w.is_empty())
                    .collect();
                let last = *words.last()?;
                (words.len() >= 2 && !keywords.contains(&last)).then_some(last)
            }
        })
        .collect()
}

fn vyper_functions(src: &SourceFile) -> Vec<Function<'_>> {
    let code = src.code();
    let stmts = statements(src);
    let mut out = Vec::new();
    for (k, st) in stmts.iter().enumerate() {
        if !starts_with_word(st.text, "def") {
            continue;
        }
        let name = ident_at(st.text, skip_ws(st.text, 3));
        let params = st
            .text
            .find('(')
            .and_then(|open| {
                Some(split_params(
                    &st.text[open + 1..matching_close(st.text, open)?],
                    Language::Vyper,
                ))
            })
            .unwrap_or_default();
        let first = stmts[..k]
            .iter()
            .rev()
            .take_while(|d| d.text.starts_with('@') && d.depth == st.depth)
            .last();
        let header = &code[first.unwrap_or(st).start..st.start + st.text.len()];
        let end = stmts[k + 1..]
            .iter()
            .find(|s| s.depth <= st.depth)
            .map_or(code.len(), |s| s.start);
        out.push(Function {
            name,
            params,
            header,
            line: src.line_of(st.start),
            body: st.start + st.text.len()..end,
            external: header.contains("@external"),
        });
    }
    out
}

/// Names of Solidity state variables: contract-level declarations (brace depth 1) that are
/// not `constant`/`immutable`. Collected file-wide, which also covers inheritance in one file.
pub(super) fn state_variables<'a>(stmts: &[Stmt<'a>]) -> HashSet<&'a str> {
    const NOT_VARIABLES: [&str; 12] = [
        "function",
        "event",
        "error",
        "using",
        "import",
        "pragma",
        "type",
        "modifier",
        "struct",
        "enum",
        "constructor",
        "fallback",
    ];
    stmts
        .iter()
        .filter(|s| s.depth == 1 && s.text.ends_with(';'))
        .filter_map(|s| {
            let first = ident_at(s.text, 0);
            if first.is_empty() || NOT_VARIABLES.contains(&first) {
                return None;
            }
            let decl = &s.text[..s.text.len() - 1];
            let decl = match decl.find('=') {
                Some(eq) if !decl[eq..].starts_with("=>") => &decl[..eq],
                _ => decl,
            };
            if !find_token(decl, "constant").is_empty() || !find_token(decl, "immutable").is_empty()
            {
                return None;
            }
            let (start, name) = ident_before(decl, decl.len())?;
            (start > 0).then_some(name)
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
    fn statements_split_vyper_logical_lines() {
        let file = SourceFile::with_language(
            "@external\ndef f(a: address,\n      b: uint256):\n    x: uint256 = 1 + \\\n        2\n",
            Language::Vyper,
        );
        let texts: Vec<(&str, usize)> = statements(&file)
            .iter()
            .map(|s| (s.text, s.depth))
            .collect();
        assert_eq!(texts[0], ("@external", 0));
        assert_eq!(texts[1].0, "def f(a: address,\n      b: uint256):");
        assert_eq!(texts[2], ("x: uint256 = 1 + \\\n        2", 4));
        let fns = functions(&file);
        assert_eq!(
            (
                fns[0].name,
                fns[0].params.clone(),
                fns[0].external,
                fns[0].line
            ),
            ("f", vec!["a", "b"], true, 2)
        );
    }

    #[test]
    fn solidity_functions_params_and_visibility() {
        let file = sol(
            "contract A {\n function g(address payable to, uint) internal returns (uint) { return 1; }\n function h(function (uint) external cb) external { }\n modifier only { _; }\n function i() external;\n}",
        );
        let fns = functions(&file);
        let summary: Vec<(&str, Vec<&str>, bool)> = fns
            .iter()
            .map(|f| (f.name, f.params.clone(), f.external))
            .collect();
        assert_eq!(
            summary,
            [
                ("g", vec!["to"], false),
                ("h", vec!["cb"], true),
                ("only", vec![], true)
            ]
        );
    }

    #[test]
    fn control_prefixes_and_assignments() {
        assert_eq!(
            strip_control("else if (a(b)) while (c) x.send(1);"),
            "x.send(1);"
        );
        assert_eq!(strip_control("iffy();"), "iffy();");
        let a = assignment("credit[msg.sender]-=amount;").unwrap();
        assert_eq!(
            (a.root, a.lhs, a.op, a.rhs),
            ("credit", "credit[msg.sender]", "-=", "amount")
        );
        assert_eq!(
            assignment("self.balances[msg.sender] = 0").unwrap().lhs,
            "self.balances[msg.sender]"
        );
        assert_eq!(assignment("++count;").unwrap().op, "++");
        assert_eq!(assignment("list.push(1);").unwrap().op, "push");
        assert_eq!(assignment("uint x = 1;"), None);
        assert_eq!(assignment("x: uint256 = 1"), None);
        assert_eq!(assignment("require(a == b);"), None);
        assert_eq!(assignment("a == b;"), None);
    }

    #[test]
    fn state_variables_skip_constants_and_members() {
        let file = sol(
            "contract A {\n mapping (address => uint) public credit;\n uint public count = 1;\n uint constant K = 2;\n event E(uint a);\n struct S { uint inner; }\n function f() public { uint local; }\n}",
        );
        assert_eq!(
            state_variables(&statements(&file)),
            HashSet::from(["credit", "count"])
        );
    }
}
