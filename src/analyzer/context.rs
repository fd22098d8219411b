//! What a detector is given (`Context`: the text, the tree, the symbol table and the
//! compiler version) and what it gives back (`Hit`), plus the questions several detectors
//! share: does this function check who the caller is, which state does this node write, what
//! are the conditions of this body.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::symbols::{Function, Symbols};
use super::syntax::{Call, Node, SyntaxTree, field, kind};
use super::version::{self, Version};
use crate::report::{Confidence, Language, Severity};

/// The first version pragma of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pragma {
    pub line: usize,
    /// `^0.4.24`, `>=0.6.0 <0.9.0`.
    pub constraint: String,
}

/// What every detector reads.
pub struct Context<'a> {
    pub source: &'a str,
    pub lines: Vec<&'a str>,
    pub language: Language,
    pub pragma: Option<Pragma>,
    /// The tree and the symbol table (Solidity only).
    pub tree: Option<&'a SyntaxTree<'a>>,
    pub symbols: &'a Symbols<'a>,
    /// Answers computed once per function (keyed by node id), since several detectors ask.
    pub cache: Cache<'a>,
    /// Every named node of the tree in source order, walked once.
    pub nodes: Vec<Node<'a>>,
}

/// Per-function answers shared by the detectors.
#[derive(Default)]
pub struct Cache<'a> {
    caller_checks: RefCell<HashMap<usize, bool>>,
    state_writes: RefCell<HashMap<usize, Rc<Vec<&'a str>>>>,
    /// Who calls a name with a plain `f(...)`, built on first use: one walk of every body,
    /// where asking each function's callers by scanning every body made a large file
    /// quadratic.
    callers: OnceCell<HashMap<&'a str, Vec<&'a Function<'a>>>>,
}

impl<'a> Context<'a> {
    /// The functions of this file whose bodies call `name` plainly (`name(...)`, no
    /// target), each once, in source order.
    pub fn plain_callers(&self, name: &str) -> &[&'a Function<'a>] {
        let index = self.cache.callers.get_or_init(|| {
            let mut index: HashMap<&'a str, Vec<&'a Function<'a>>> = HashMap::new();
            for g in self.symbols().functions() {
                let Some(body) = g.body else { continue };
                for call in body.find_all(kind::CALL).into_iter().filter_map(Call::of) {
                    if call.target.is_some() {
                        continue;
                    }
                    let list = index.entry(call.method).or_default();
                    if !list.last().is_some_and(|last| last.node == g.node) {
                        list.push(g);
                    }
                }
            }
            index
        });
        index.get(name).map_or(&[], Vec::as_slice)
    }

    /// The root of the tree (Solidity only).
    pub fn root(&self) -> Option<Node<'a>> {
        self.tree.map(|t| t.root())
    }

    /// Every named node of `kind` in the file, in source order.
    pub fn nodes_of(&self, kind: &str) -> Vec<Node<'a>> {
        self.nodes.iter().filter(|n| n.is(kind)).copied().collect()
    }

    pub fn symbols(&self) -> &'a Symbols<'a> {
        self.symbols
    }

    /// Whether the pragma allows only compilers older than `limit`.
    pub fn compiled_before(&self, limit: Version) -> bool {
        self.pragma
            .as_ref()
            .is_some_and(|p| version::all_below(&p.constraint, limit))
    }

    /// Whether the file may be compiled by a compiler older than `limit`: the pragma allows
    /// one, or there is no pragma.
    pub fn may_compile_before(&self, limit: Version) -> bool {
        self.pragma
            .as_ref()
            .is_none_or(|p| version::allows_below(&p.constraint, limit))
    }

    /// Whether `name`, read inside `at`, is a state variable (and not a local or parameter
    /// that shadows it).
    pub fn is_state(&self, at: &Node<'_>, name: &str) -> bool {
        let s = self.symbols();
        let Some(c) = s.contract_at(at) else {
            return false;
        };
        if s.state_var(c, name).is_none_or(|v| v.constant) {
            return false;
        }
        match s.enclosing(at) {
            Some(f) => !declares_local(f, name),
            None => true,
        }
    }

    /// The state variable a write expression (`x = …`, `x += …`, `x++`, `delete x`,
    /// `x.push(…)`) writes, if any.
    pub fn written_state(&self, node: &Node<'a>) -> Option<&'a str> {
        let n = node.unwrap();
        let target = match n.kind() {
            kind::ASSIGNMENT | kind::AUGMENTED_ASSIGNMENT => n.field(field::LEFT)?,
            kind::UPDATE => n.field(field::ARGUMENT)?,
            kind::UNARY if n.operator() == Some("delete") => n.field(field::ARGUMENT)?,
            kind::CALL => {
                let call = Call::of(n)?;
                if !matches!(call.method, "push" | "pop") {
                    return None;
                }
                call.target?
            }
            _ => return None,
        };
        let roots: Vec<&'a str> = if target.unwrap().is(kind::TUPLE) {
            target
                .unwrap()
                .children()
                .iter()
                .filter_map(|c| c.root_identifier())
                .collect()
        } else {
            target.root_identifier().into_iter().collect()
        };
        roots.into_iter().find(|r| self.is_state(node, r))
    }

    /// Whether `f` (or a modifier it uses) checks who the caller is before going on: a
    /// condition comparing `msg.sender`/`tx.origin` for equality, or looking it up
    /// (`owners[msg.sender]`, `isOwner(msg.sender)`).
    pub fn checks_caller(&self, f: &Function<'a>) -> bool {
        if let Some(known) = self.cache.caller_checks.borrow().get(&f.node.id()) {
            return *known;
        }
        let answer = self.checks_caller_uncached(f);
        self.cache
            .caller_checks
            .borrow_mut()
            .insert(f.node.id(), answer);
        answer
    }

    /// The state variables `f`'s own body writes.
    pub fn state_writes(&self, f: &Function<'a>) -> Rc<Vec<&'a str>> {
        if let Some(known) = self.cache.state_writes.borrow().get(&f.node.id()) {
            return known.clone();
        }
        let writes: Vec<&'a str> = f
            .body
            .map(|b| {
                b.descendants()
                    .iter()
                    .filter_map(|n| self.written_state(n))
                    .collect()
            })
            .unwrap_or_default();
        let writes = Rc::new(writes);
        self.cache
            .state_writes
            .borrow_mut()
            .insert(f.node.id(), writes.clone());
        writes
    }

    fn checks_caller_uncached(&self, f: &Function<'a>) -> bool {
        let s = self.symbols();
        let mut bodies: Vec<Node<'a>> = f.body.into_iter().collect();
        for m in &f.modifiers {
            let defs = s.callables(f.contract, m);
            if defs.is_empty() && is_guard_name(m) {
                return true;
            }
            bodies.extend(defs.iter().filter_map(|d| d.body));
        }
        // One level of internal calls: `require(isOwner())`, `onlyOwner()` helpers.
        let mut helpers = Vec::new();
        for b in &bodies {
            for call in b.find_all(kind::CALL).into_iter().filter_map(Call::of) {
                if call.target.is_none() {
                    helpers.extend(
                        s.callables(f.contract, call.method)
                            .iter()
                            .filter(|h| h.node != f.node)
                            .filter_map(|h| h.body),
                    );
                }
            }
        }
        bodies.extend(helpers);
        bodies
            .iter()
            .flat_map(|b| conditions(*b))
            .any(|c| is_caller_check(&c))
    }

    /// The enclosing function's name, for a finding.
    pub fn function_name(&self, node: &Node<'_>) -> Option<String> {
        self.symbols().enclosing(node).map(|f| f.display_name())
    }
}

/// `onlyOwner`, `ownerOnly`, `onlyAdmin`, `auth`, `isOwner`: a modifier whose body is not in
/// this file but whose name says it restricts the caller.
pub fn is_guard_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("only")
        || n.ends_with("only")
        || n.contains("owner")
        || n.contains("admin")
        || n.contains("auth")
        || n.contains("role")
}

/// Whether `f` declares a parameter, return value or local called `name`.
pub fn declares_local(f: &Function<'_>, name: &str) -> bool {
    f.locals().contains(name)
}

/// The conditions of a body: `require`/`assert` arguments, `if`/`while`/`for` conditions and
/// ternary tests, in source order.
pub fn conditions<'t>(body: Node<'t>) -> Vec<Node<'t>> {
    let mut out = Vec::new();
    for n in body.descendants() {
        match n.kind() {
            kind::CALL => {
                if let Some(call) = Call::of(n)
                    && call.target.is_none()
                    && matches!(call.method, "require" | "assert")
                    && let Some(first) = call.arguments().first()
                {
                    out.push(*first);
                }
            }
            kind::IF | kind::WHILE | kind::DO_WHILE | kind::FOR => {
                out.extend(n.field(field::CONDITION).map(Node::unwrap))
            }
            kind::TERNARY => out.extend(n.children().first().map(|c| c.unwrap())),
            _ => {}
        }
    }
    out
}

/// Whether `node` is `msg.sender`, `tx.origin`, or OpenZeppelin's `_msgSender()` (what
/// `Ownable`'s `_checkOwner` compares).
pub fn is_caller(node: &Node<'_>) -> bool {
    node.is_member("msg", "sender")
        || node.is_member("tx", "origin")
        || Call::of(*node).is_some_and(|c| c.target.is_none() && c.method == "_msgSender")
}

/// A condition that restricts the caller: an equality with `msg.sender`/`tx.origin`, or a
/// lookup keyed by it that is not a numeric comparison (`balances[msg.sender] >= x` checks an
/// amount, not who is calling). Sending to the caller (`if (!msg.sender.send(v))`) or reading
/// their balance is no check.
pub fn is_caller_check(cond: &Node<'_>) -> bool {
    cond.descendants().iter().filter(|n| is_caller(n)).any(|c| {
        let mut cur = *c;
        while let Some(p) = cur.outer() {
            if p.is(kind::MEMBER)
                && p.expr_field(field::OBJECT)
                    .is_some_and(|o| o == cur.unwrap())
            {
                return false;
            }
            if p.is(kind::BINARY) {
                return matches!(p.operator(), Some("==" | "!="));
            }
            // The grammar reads `x >= m[msg.sender]` as `(x >= m)[msg.sender]`.
            if p.is(kind::INDEX)
                && let Some(base) = p.expr_field(field::BASE)
                && base.is(kind::BINARY)
                && base != cur.unwrap()
            {
                return matches!(base.operator(), Some("==" | "!="));
            }
            if p.within(cond) && p != *cond {
                cur = p;
                continue;
            }
            return true;
        }
        true
    })
}

/// Whether the expression's value comes from the caller: a parameter of `f`, `msg.sender`,
/// `msg.data`, or a lookup keyed by one of them.
pub fn caller_controlled(f: &Function<'_>, node: &Node<'_>) -> bool {
    node.descendants().iter().any(|n| {
        (n.is(kind::IDENTIFIER) && f.params.iter().any(|(p, _)| *p == n.text()))
            || n.is_member("msg", "data")
    })
}

/// One issue a detector found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub line: usize,
    pub end_line: usize,
    pub severity: Severity,
    pub confidence: Confidence,
    pub title: String,
    pub description: String,
    pub recommendation: String,
    pub function: Option<String>,
    /// Overrides the detector's SWC id (a detector may cover two).
    pub swc: Option<&'static str>,
    /// More lines where the same issue occurs (one hygiene finding lists them all).
    pub also: Vec<usize>,
    /// `Node::file` of the node the hit was made at, `None` when made at a bare line. A
    /// hit at a node of another file of the project (code followed into a base contract)
    /// is that file's finding, and is dropped here.
    pub file: Option<usize>,
}

impl Hit {
    pub fn new(
        node: &Node<'_>,
        severity: Severity,
        confidence: Confidence,
        title: impl Into<String>,
    ) -> Hit {
        let mut hit = Hit::at_line(node.line(), severity, confidence, title);
        hit.file = Some(node.file());
        hit
    }

    pub fn at_line(
        line: usize,
        severity: Severity,
        confidence: Confidence,
        title: impl Into<String>,
    ) -> Hit {
        Hit {
            line,
            end_line: line,
            severity,
            confidence,
            title: title.into(),
            description: String::new(),
            recommendation: String::new(),
            function: None,
            swc: None,
            also: Vec::new(),
            file: None,
        }
    }

    pub fn to_line(mut self, end: usize) -> Hit {
        self.end_line = end.max(self.line);
        self
    }

    pub fn within(mut self, function: Option<String>) -> Hit {
        self.function = function;
        self
    }

    pub fn explain(
        mut self,
        description: impl Into<String>,
        recommendation: impl Into<String>,
    ) -> Hit {
        self.description = description.into();
        self.recommendation = recommendation.into();
        self
    }

    /// Adds further occurrences of the same issue.
    pub fn also_at(mut self, lines: impl IntoIterator<Item = usize>) -> Hit {
        self.also.extend(lines);
        self
    }

    /// Folds several hits of one hygiene rule into the first, listing every line. `None`
    /// when there are none.
    pub fn fold(mut hits: Vec<Hit>, what: &str) -> Option<Hit> {
        hits.sort_by_key(|h| h.line);
        if hits.len() <= 1 {
            return hits.pop();
        }
        let mut lines: Vec<usize> = hits.iter().map(|h| h.line).collect();
        lines.dedup();
        let mut first = hits.swap_remove(0);
        // The findings model keeps at most `MAX_LOCATIONS` per finding; the text lists all.
        first.also = lines[1..]
            .iter()
            .copied()
            .take(crate::report::MAX_LOCATIONS.saturating_sub(1))
            .collect();
        first.function = None;
        let list: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        first.title = format!("{what} ({} places)", lines.len());
        first.description = format!(
            "{} Also on lines {}.",
            first.description,
            list[1..].join(", ")
        );
        Some(first)
    }

    pub fn swc(mut self, swc: &'static str) -> Hit {
        self.swc = Some(swc);
        self
    }
}
