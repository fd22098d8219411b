//! The per-file symbol table, built once and shared by every detector: contracts and their
//! bases in this file, state variables, functions (visibility, mutability, modifiers,
//! parameters) and modifiers. Detectors ask it "is `balances` state here?" or "who may call
//! this function?" instead of each walking the tree again.
//!
//! In a project the table also holds the contracts of the files this one imports (directly
//! or not), after its own: bases, modifiers, state and functions inherited across files
//! resolve as in one file, and a name declared here wins over an imported one. Detectors
//! report on the file's own contracts (`local_contracts`, `functions`) only.

use std::cell::OnceCell;
use std::collections::HashSet;

use super::syntax::{Node, field, kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContractKind {
    Contract,
    Interface,
    Library,
}

#[derive(Debug)]
pub struct StateVar<'t> {
    pub name: &'t str,
    pub type_text: &'t str,
    /// The visibility as written, `None` when omitted.
    pub visibility: Option<&'t str>,
    pub constant: bool,
    pub node: Node<'t>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    Function,
    /// `constructor(...)`, or a pre-0.5 function named like its contract.
    Constructor,
    /// `function()`, `fallback()`, `receive()`.
    Fallback,
    Modifier,
}

#[derive(Debug)]
pub struct Function<'t> {
    pub node: Node<'t>,
    pub name: &'t str,
    pub kind: FunctionKind,
    /// The visibility as written, `None` when omitted.
    pub visibility: Option<&'t str>,
    /// `view`, `pure`, `constant`, `payable`, or `None`.
    pub mutability: Option<&'t str>,
    pub modifiers: Vec<&'t str>,
    /// `(name, type)` of each parameter.
    pub params: Vec<(&'t str, &'t str)>,
    pub body: Option<Node<'t>>,
    /// Index of the contract in `Symbols::contracts`.
    pub contract: usize,
    /// Names of its parameters, return values and locals, read when first asked: most
    /// functions of an imported file never are.
    locals: OnceCell<HashSet<&'t str>>,
}

impl<'t> Function<'t> {
    /// Names of its parameters, return values and locals.
    pub fn locals(&self) -> &HashSet<&'t str> {
        self.locals.get_or_init(|| {
            self.node
                .descendants()
                .into_iter()
                .filter(|d| d.is(kind::PARAMETER) || d.is(kind::VARIABLE_DECLARATION))
                .filter_map(|d| d.name())
                .collect()
        })
    }

    /// Anyone can call it directly: public, external, the fallback, or (before 0.5) no
    /// visibility at all.
    pub fn is_entry_point(&self) -> bool {
        match self.kind {
            FunctionKind::Fallback => true,
            FunctionKind::Function => {
                matches!(self.visibility, None | Some("public") | Some("external"))
            }
            FunctionKind::Constructor | FunctionKind::Modifier => false,
        }
    }

    /// `view`, `pure` or `constant`: cannot write state.
    pub fn is_read_only(&self) -> bool {
        matches!(self.mutability, Some("view" | "pure" | "constant"))
    }

    pub fn display_name(&self) -> String {
        match self.kind {
            FunctionKind::Fallback if self.name.is_empty() => "fallback".into(),
            FunctionKind::Constructor if self.name.is_empty() => "constructor".into(),
            _ => self.name.to_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Contract<'t> {
    pub node: Node<'t>,
    pub name: &'t str,
    pub kind: ContractKind,
    pub bases: Vec<&'t str>,
    pub state: Vec<StateVar<'t>>,
    pub functions: Vec<Function<'t>>,
    pub structs: Vec<&'t str>,
    pub uses_safe_math: bool,
}

/// Everything declared in one file, and in the files it imports.
#[derive(Debug, Default)]
pub struct Symbols<'t> {
    /// This file's contracts (the first `local`), then the imported files' ones.
    pub contracts: Vec<Contract<'t>>,
    local: usize,
    /// `(file, start byte, end byte, contract, function)` of every function and modifier,
    /// sorted, so `enclosing` is a binary search (they do not nest).
    spans: Vec<(usize, usize, usize, usize, usize)>,
    /// `(file, start byte, end byte, contract)` of every contract, sorted, for
    /// `contract_at`.
    contract_spans: Vec<(usize, usize, usize, usize)>,
}

impl<'t> Symbols<'t> {
    pub fn build(root: Node<'t>) -> Symbols<'t> {
        Symbols::with_imports(root, &[])
    }

    /// The table of the file at `root`, with the contracts of the files at `imported`
    /// (the roots of the files it reaches through imports, nearest first).
    pub fn with_imports(root: Node<'t>, imported: &[Node<'t>]) -> Symbols<'t> {
        let mut contracts = Vec::new();
        let mut local = 0;
        for (i, file) in std::iter::once(&root).chain(imported).enumerate() {
            // An imported file's contracts are its top-level declarations: no need to walk
            // every node of it, once per file importing it.
            let nodes = if i == 0 {
                file.descendants()
            } else {
                file.children()
            };
            for node in nodes {
                let ckind = match node.kind() {
                    kind::CONTRACT => ContractKind::Contract,
                    kind::INTERFACE => ContractKind::Interface,
                    kind::LIBRARY => ContractKind::Library,
                    _ => continue,
                };
                let idx = contracts.len();
                contracts.push(contract(node, ckind, idx));
            }
            if i == 0 {
                local = contracts.len();
            }
        }
        let mut spans: Vec<(usize, usize, usize, usize, usize)> = contracts
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| {
                c.functions.iter().enumerate().map(move |(fi, f)| {
                    (
                        f.node.file(),
                        f.node.start_byte(),
                        f.node.end_byte(),
                        ci,
                        fi,
                    )
                })
            })
            .collect();
        spans.sort_unstable();
        let mut contract_spans: Vec<(usize, usize, usize, usize)> = contracts
            .iter()
            .enumerate()
            .map(|(ci, c)| (c.node.file(), c.node.start_byte(), c.node.end_byte(), ci))
            .collect();
        contract_spans.sort_unstable();
        Symbols {
            contracts,
            local,
            spans,
            contract_spans,
        }
    }

    /// The contracts declared in this file, the ones detectors report on.
    pub fn local_contracts(&self) -> &[Contract<'t>] {
        &self.contracts[..self.local]
    }

    /// Whether contract `index` is declared in another file of the project.
    pub fn is_imported(&self, index: usize) -> bool {
        index >= self.local
    }

    /// Indices of `contract` and its bases declared in this file, the contract first.
    pub fn lineage(&self, contract: usize) -> Vec<usize> {
        let mut out = vec![contract];
        let mut seen = HashSet::from([contract]);
        let mut i = 0;
        while i < out.len() {
            for base in &self.contracts[out[i]].bases {
                if let Some(b) = self.contracts.iter().position(|c| c.name == *base)
                    && seen.insert(b)
                {
                    out.push(b);
                }
            }
            i += 1;
        }
        out
    }

    /// The state variable `name` visible in `contract` (its own or a base's in this file).
    pub fn state_var(&self, contract: usize, name: &str) -> Option<&StateVar<'t>> {
        self.lineage(contract)
            .into_iter()
            .find_map(|c| self.contracts[c].state.iter().find(|v| v.name == name))
    }

    /// Functions and modifiers named `name` visible in `contract`.
    pub fn callables(&self, contract: usize, name: &str) -> Vec<&Function<'t>> {
        self.lineage(contract)
            .into_iter()
            .flat_map(|c| self.contracts[c].functions.iter())
            .filter(|f| f.name == name)
            .collect()
    }

    /// Every function (not modifier) with a body of this file's contracts, in source order.
    pub fn functions(&self) -> impl Iterator<Item = &Function<'t>> {
        self.local_contracts()
            .iter()
            .flat_map(|c| c.functions.iter())
            .filter(|f| f.kind != FunctionKind::Modifier && f.body.is_some())
    }

    /// The function or modifier whose node contains `node`.
    pub fn enclosing(&self, node: &Node<'_>) -> Option<&Function<'t>> {
        let at = (node.file(), node.start_byte());
        let i = self
            .spans
            .partition_point(|s| (s.0, s.1) <= at)
            .checked_sub(1)?;
        let (file, _, end, ci, fi) = self.spans[i];
        (file == node.file() && node.end_byte() <= end).then(|| &self.contracts[ci].functions[fi])
    }

    /// The contract whose node contains `node` (in this file or an imported one).
    pub fn contract_at(&self, node: &Node<'_>) -> Option<usize> {
        // Contracts do not nest: only the last one starting at or before `node` can hold
        // it. A binary search, since detectors ask this per identifier (a scan made one
        // large file quadratic).
        let at = (node.file(), node.start_byte());
        let i = self
            .contract_spans
            .partition_point(|s| (s.0, s.1) <= at)
            .checked_sub(1)?;
        let (file, _, end, ci) = self.contract_spans[i];
        (file == node.file() && node.end_byte() <= end).then_some(ci)
    }

    /// Whether `name` is a struct type declared in this file.
    pub fn is_struct(&self, name: &str) -> bool {
        self.contracts.iter().any(|c| c.structs.contains(&name))
    }

    pub fn is_contract_type(&self, name: &str) -> bool {
        self.contracts
            .iter()
            .any(|c| c.name == name && c.kind != ContractKind::Library)
    }
}

fn contract<'t>(node: Node<'t>, ckind: ContractKind, idx: usize) -> Contract<'t> {
    let name = node.name().unwrap_or("");
    let bases = node
        .children_of(kind::INHERITANCE)
        .iter()
        .filter_map(|i| i.field(field::ANCESTOR))
        .map(|a| a.text().rsplit('.').next().unwrap_or(""))
        .collect();
    let mut state = Vec::new();
    let mut functions = Vec::new();
    let mut structs = Vec::new();
    let mut uses_safe_math = false;
    let body = node.field(field::BODY);
    for member in body.map(|b| b.children()).unwrap_or_default() {
        match member.kind() {
            kind::STATE_VARIABLE => state.push(StateVar {
                name: member.name().unwrap_or(""),
                type_text: member.field(field::TYPE).map(|t| t.text()).unwrap_or(""),
                visibility: member.field("visibility").map(|v| v.text()),
                constant: member.tokens().contains(&"constant")
                    || member.children().iter().any(|c| c.kind() == "immutable"),
                node: member,
            }),
            kind::FUNCTION | kind::CONSTRUCTOR | kind::FALLBACK | kind::MODIFIER => {
                functions.push(function(member, name, idx))
            }
            kind::STRUCT => structs.extend(member.name()),
            kind::USING => uses_safe_math |= member.text().contains("SafeMath"),
            _ => {}
        }
    }
    Contract {
        node,
        name,
        kind: ckind,
        bases,
        state,
        functions,
        structs,
        uses_safe_math,
    }
}

fn function<'t>(node: Node<'t>, contract_name: &str, contract: usize) -> Function<'t> {
    let name = node.name().unwrap_or("");
    let fkind = match node.kind() {
        kind::CONSTRUCTOR => FunctionKind::Constructor,
        kind::FALLBACK => FunctionKind::Fallback,
        kind::MODIFIER => FunctionKind::Modifier,
        _ if name == contract_name => FunctionKind::Constructor,
        _ => FunctionKind::Function,
    };
    let visibility = node.children_of(kind::VISIBILITY).first().map(|v| v.text());
    let mut mutability = node.children_of(kind::MUTABILITY).first().map(|m| m.text());
    let mut modifiers = Vec::new();
    for m in node.children_of(kind::MODIFIER_INVOCATION) {
        let n = m
            .children_of(kind::IDENTIFIER)
            .first()
            .map(|i| i.text())
            .unwrap_or("");
        // Old compilers' `constant` parses as a modifier invocation.
        if n == "constant" {
            mutability = Some("constant");
        } else if !n.is_empty() {
            modifiers.push(n);
        }
    }
    let params = node
        .children_of(kind::PARAMETER)
        .iter()
        .map(|p| {
            (
                p.name().unwrap_or(""),
                p.field(field::TYPE).map(|t| t.text()).unwrap_or(""),
            )
        })
        .collect();
    Function {
        node,
        name,
        kind: fkind,
        visibility,
        mutability,
        modifiers,
        params,
        body: node.field(field::BODY),
        contract,
        locals: OnceCell::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::syntax::SyntaxTree;
    use super::*;

    #[test]
    fn state_functions_and_bases_in_one_pass() {
        let src = "pragma solidity ^0.4.24;\ncontract Base { address owner; }\ncontract Vault is Base {\n  mapping(address => uint) public balances;\n  uint constant FEE = 1;\n  modifier onlyOwner { require(msg.sender == owner); _; }\n  function Vault() { owner = msg.sender; }\n  function() payable {}\n  function get(uint a) constant returns (uint) { return a; }\n  function put() external payable onlyOwner {}\n}\n";
        let tree = SyntaxTree::parse(src);
        let s = Symbols::build(tree.root());
        let vault = s.contracts.iter().position(|c| c.name == "Vault").unwrap();
        assert_eq!(s.lineage(vault).len(), 2);
        assert!(
            s.state_var(vault, "owner").is_some(),
            "base state is visible"
        );
        assert!(s.state_var(vault, "FEE").unwrap().constant);
        assert_eq!(
            s.state_var(vault, "balances").unwrap().visibility,
            Some("public")
        );
        let kinds: Vec<(String, FunctionKind)> = s.contracts[vault]
            .functions
            .iter()
            .map(|f| (f.display_name(), f.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("onlyOwner".to_owned(), FunctionKind::Modifier),
                ("Vault".to_owned(), FunctionKind::Constructor),
                ("fallback".to_owned(), FunctionKind::Fallback),
                ("get".to_owned(), FunctionKind::Function),
                ("put".to_owned(), FunctionKind::Function),
            ]
        );
        let get = &s.contracts[vault].functions[3];
        assert!(get.is_read_only() && get.is_entry_point() && get.visibility.is_none());
        assert_eq!(get.params, [("a", "uint")]);
        let put = &s.contracts[vault].functions[4];
        assert_eq!(
            (put.modifiers.as_slice(), put.mutability),
            (&["onlyOwner"][..], Some("payable"))
        );
    }
}
