//! A small typed face on tree-sitter-solidity's untyped tree. Detectors never match on kind
//! strings themselves: they ask this module ("is this a call?", "the function's name"), so a
//! grammar change breaks one place, and a test (`every_kind_exists_in_the_grammar`) fails if a
//! kind we rely on disappears from the pinned grammar.

mod call;

pub use call::{Call, LOW_LEVEL};

use tree_sitter::{Parser, Tree};

/// The node kinds this facade (and so every detector) relies on.
pub mod kind {
    pub const SOURCE_FILE: &str = "source_file";
    pub const PRAGMA: &str = "pragma_directive";
    pub const CONTRACT: &str = "contract_declaration";
    pub const INTERFACE: &str = "interface_declaration";
    pub const LIBRARY: &str = "library_declaration";
    pub const INHERITANCE: &str = "inheritance_specifier";
    pub const STATE_VARIABLE: &str = "state_variable_declaration";
    pub const FUNCTION: &str = "function_definition";
    pub const CONSTRUCTOR: &str = "constructor_definition";
    pub const FALLBACK: &str = "fallback_receive_definition";
    pub const MODIFIER: &str = "modifier_definition";
    pub const MODIFIER_INVOCATION: &str = "modifier_invocation";
    pub const STRUCT: &str = "struct_declaration";
    pub const ENUM: &str = "enum_declaration";
    pub const EVENT: &str = "event_definition";
    pub const ERROR_DECLARATION: &str = "error_declaration";
    pub const PARAMETER: &str = "parameter";
    pub const VISIBILITY: &str = "visibility";
    pub const MUTABILITY: &str = "state_mutability";
    pub const EXPRESSION: &str = "expression";
    pub const PARENTHESIZED: &str = "parenthesized_expression";
    pub const STATEMENT: &str = "statement";
    pub const EXPRESSION_STATEMENT: &str = "expression_statement";
    pub const BLOCK: &str = "block_statement";
    pub const UNCHECKED: &str = "unchecked";
    pub const VARIABLE_DECLARATION_STATEMENT: &str = "variable_declaration_statement";
    pub const VARIABLE_DECLARATION: &str = "variable_declaration";
    pub const VARIABLE_TUPLE: &str = "variable_declaration_tuple";
    pub const CALL: &str = "call_expression";
    pub const CALL_ARGUMENT: &str = "call_argument";
    pub const CALL_OPTIONS: &str = "struct_expression";
    pub const CALL_OPTION: &str = "struct_field_assignment";
    pub const MEMBER: &str = "member_expression";
    pub const INDEX: &str = "array_access";
    pub const IDENTIFIER: &str = "identifier";
    pub const ASSIGNMENT: &str = "assignment_expression";
    pub const AUGMENTED_ASSIGNMENT: &str = "augmented_assignment_expression";
    pub const BINARY: &str = "binary_expression";
    pub const UNARY: &str = "unary_expression";
    pub const UPDATE: &str = "update_expression";
    pub const NUMBER: &str = "number_literal";
    pub const STRING: &str = "string_literal";
    pub const TUPLE: &str = "tuple_expression";
    pub const IF: &str = "if_statement";
    pub const FOR: &str = "for_statement";
    pub const WHILE: &str = "while_statement";
    pub const DO_WHILE: &str = "do_while_statement";
    pub const RETURN: &str = "return_statement";
    pub const TERNARY: &str = "ternary_expression";
    pub const ASSEMBLY: &str = "assembly_statement";
    pub const TYPE_NAME: &str = "type_name";
    pub const USER_TYPE: &str = "user_defined_type";
    pub const PRIMITIVE_TYPE: &str = "primitive_type";
    pub const USING: &str = "using_directive";
    pub const COMMENT: &str = "comment";
    pub const ERROR: &str = "ERROR";

    /// Every kind above except `ERROR` (which the grammar has but does not list by name).
    pub const ALL: &[&str] = &[
        SOURCE_FILE,
        PRAGMA,
        CONTRACT,
        INTERFACE,
        LIBRARY,
        INHERITANCE,
        STATE_VARIABLE,
        FUNCTION,
        CONSTRUCTOR,
        FALLBACK,
        MODIFIER,
        MODIFIER_INVOCATION,
        STRUCT,
        ENUM,
        EVENT,
        ERROR_DECLARATION,
        PARAMETER,
        VISIBILITY,
        MUTABILITY,
        EXPRESSION,
        PARENTHESIZED,
        STATEMENT,
        EXPRESSION_STATEMENT,
        BLOCK,
        UNCHECKED,
        VARIABLE_DECLARATION_STATEMENT,
        VARIABLE_DECLARATION,
        VARIABLE_TUPLE,
        CALL,
        CALL_ARGUMENT,
        CALL_OPTIONS,
        CALL_OPTION,
        MEMBER,
        INDEX,
        IDENTIFIER,
        ASSIGNMENT,
        AUGMENTED_ASSIGNMENT,
        BINARY,
        UNARY,
        UPDATE,
        NUMBER,
        STRING,
        TUPLE,
        IF,
        FOR,
        WHILE,
        DO_WHILE,
        RETURN,
        TERNARY,
        ASSEMBLY,
        TYPE_NAME,
        USER_TYPE,
        PRIMITIVE_TYPE,
        USING,
        COMMENT,
    ];
}

/// The field names the facade reads.
pub mod field {
    pub const NAME: &str = "name";
    pub const BODY: &str = "body";
    pub const TYPE: &str = "type";
    pub const VALUE: &str = "value";
    pub const LOCATION: &str = "location";
    pub const FUNCTION: &str = "function";
    pub const OBJECT: &str = "object";
    pub const PROPERTY: &str = "property";
    pub const BASE: &str = "base";
    pub const INDEX: &str = "index";
    pub const LEFT: &str = "left";
    pub const RIGHT: &str = "right";
    pub const OPERATOR: &str = "operator";
    pub const ARGUMENT: &str = "argument";
    pub const CONDITION: &str = "condition";
    pub const ANCESTOR: &str = "ancestor";
    pub const VERSION: &str = "version_constraint";

    pub const ALL: &[&str] = &[
        NAME, BODY, TYPE, VALUE, LOCATION, FUNCTION, OBJECT, PROPERTY, BASE, INDEX, LEFT, RIGHT,
        OPERATOR, ARGUMENT, CONDITION, ANCESTOR, VERSION,
    ];
}

/// The grammar this analyzer is pinned to.
pub fn language() -> tree_sitter::Language {
    tree_sitter_solidity::LANGUAGE.into()
}

/// A parsed Solidity file: the tree and the text it was parsed from.
pub struct SyntaxTree<'s> {
    tree: Tree,
    source: &'s str,
}

impl<'s> SyntaxTree<'s> {
    /// Parses `source`. Never fails on bad input: tree-sitter always returns a tree and keeps
    /// syntax errors in `ERROR`/missing nodes (see `damage`).
    pub fn parse(source: &'s str) -> SyntaxTree<'s> {
        let mut parser = Parser::new();
        parser
            .set_language(&language())
            .expect("the pinned grammar matches the pinned tree-sitter ABI");
        let tree = parser
            .parse(source, None)
            .expect("a parser with a language and no timeout always returns a tree");
        SyntaxTree { tree, source }
    }

    pub fn root(&self) -> Node<'_> {
        Node {
            raw: self.tree.root_node(),
            src: self.source,
        }
    }

    /// The 1-based line ranges the parser could not read, merged when they touch.
    pub fn damage(&self) -> Vec<(usize, usize)> {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        if !self.tree.root_node().has_error() {
            return ranges;
        }
        let mut stack = vec![self.tree.root_node()];
        while let Some(n) = stack.pop() {
            if n.is_error() || n.is_missing() {
                ranges.push((n.start_position().row + 1, n.end_position().row + 1));
                continue;
            }
            if n.has_error() {
                let mut c = n.walk();
                stack.extend(n.children(&mut c));
            }
        }
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        merged
    }
}

/// One node of the tree, with the source it points into.
#[derive(Clone, Copy)]
pub struct Node<'t> {
    raw: tree_sitter::Node<'t>,
    src: &'t str,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.kind(), self.line())
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.raw.id() == other.raw.id()
    }
}

impl<'t> Node<'t> {
    pub fn kind(&self) -> &'static str {
        self.raw.kind()
    }

    pub fn is(&self, kind: &str) -> bool {
        self.raw.kind() == kind
    }

    /// The source text the node covers.
    pub fn text(&self) -> &'t str {
        self.src.get(self.raw.byte_range()).unwrap_or("")
    }

    /// 1-based first line.
    pub fn line(&self) -> usize {
        self.raw.start_position().row + 1
    }

    /// 1-based last line.
    pub fn end_line(&self) -> usize {
        self.raw.end_position().row + 1
    }

    /// Which file the node is in: the same number for every node of one parsed text, and
    /// different ones for different texts (a project's files share one symbol table).
    pub fn file(&self) -> usize {
        self.src.as_ptr() as usize
    }

    pub fn start_byte(&self) -> usize {
        self.raw.start_byte()
    }

    pub fn end_byte(&self) -> usize {
        self.raw.end_byte()
    }

    pub fn id(&self) -> usize {
        self.raw.id()
    }

    fn wrap(&self, raw: tree_sitter::Node<'t>) -> Node<'t> {
        Node { raw, src: self.src }
    }

    pub fn field(&self, name: &str) -> Option<Node<'t>> {
        self.raw.child_by_field_name(name).map(|n| self.wrap(n))
    }

    /// The expression in a field, with `expression`/parenthesis wrappers removed.
    pub fn expr_field(&self, name: &str) -> Option<Node<'t>> {
        self.field(name).map(|n| n.unwrap())
    }

    pub fn parent(&self) -> Option<Node<'t>> {
        self.raw.parent().map(|n| self.wrap(n))
    }

    /// Named children, in order.
    pub fn children(&self) -> Vec<Node<'t>> {
        let mut c = self.raw.walk();
        self.raw
            .named_children(&mut c)
            .map(|n| self.wrap(n))
            .collect()
    }

    /// Named children of `kind`.
    pub fn children_of(&self, kind: &str) -> Vec<Node<'t>> {
        self.children().into_iter().filter(|c| c.is(kind)).collect()
    }

    /// Every unnamed token child's text (keywords and operators), e.g. `storage`, `-=`.
    pub fn tokens(&self) -> Vec<&'static str> {
        let mut c = self.raw.walk();
        self.raw
            .children(&mut c)
            .filter(|n| !n.is_named())
            .map(|n| n.kind())
            .collect()
    }

    /// The node itself and every named descendant, in source order. One cursor walks the
    /// subtree; no allocation per node.
    pub fn descendants(&self) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut cursor = self.raw.walk();
        loop {
            let n = cursor.node();
            if n.is_named() {
                out.push(self.wrap(n));
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return out;
                }
            }
        }
    }

    /// Descendants of `kind` (including the node itself).
    pub fn find_all(&self, kind: &str) -> Vec<Node<'t>> {
        self.descendants()
            .into_iter()
            .filter(|n| n.is(kind))
            .collect()
    }

    /// Drops `expression`, `statement` and parenthesis wrappers.
    pub fn unwrap(self) -> Node<'t> {
        let mut n = self;
        loop {
            let inner = match n.kind() {
                kind::EXPRESSION | kind::STATEMENT | kind::PARENTHESIZED | kind::CALL_ARGUMENT => {
                    n.children().into_iter().find(|c| !c.is(kind::COMMENT))
                }
                _ => None,
            };
            match inner {
                Some(i) => n = i,
                None => return n,
            }
        }
    }

    /// The nearest ancestor that is not an `expression`/parenthesis/argument wrapper.
    pub fn outer(&self) -> Option<Node<'t>> {
        let mut p = self.parent()?;
        while matches!(
            p.kind(),
            kind::EXPRESSION | kind::PARENTHESIZED | kind::CALL_ARGUMENT
        ) {
            p = p.parent()?;
        }
        Some(p)
    }

    /// Ancestors from the parent up to the root.
    pub fn ancestors(&self) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut p = self.parent();
        while let Some(n) = p {
            out.push(n);
            p = n.parent();
        }
        out
    }

    /// Whether `self` lies inside `other` (or is it).
    pub fn within(&self, other: &Node<'_>) -> bool {
        self.file() == other.file()
            && other.raw.start_byte() <= self.raw.start_byte()
            && self.raw.end_byte() <= other.raw.end_byte()
    }

    /// The name of a declaration (`name` field), as text.
    pub fn name(&self) -> Option<&'t str> {
        self.field(field::NAME).map(|n| n.text())
    }

    /// `a.b.c` → `a`; `a[i].b` → `a`; `this.x` → `x`: the variable an lvalue or object is
    /// rooted at.
    pub fn root_identifier(&self) -> Option<&'t str> {
        let n = self.unwrap();
        match n.kind() {
            kind::IDENTIFIER => Some(n.text()),
            kind::INDEX => n.field(field::BASE)?.root_identifier(),
            kind::MEMBER => {
                let object = n.expr_field(field::OBJECT)?;
                if object.is(kind::IDENTIFIER) && object.text() == "this" {
                    return n.field(field::PROPERTY).map(|p| p.text());
                }
                object.root_identifier()
            }
            _ => None,
        }
    }

    /// For `a.b`: (`a` unwrapped, `b`).
    pub fn member(&self) -> Option<(Node<'t>, &'t str)> {
        let n = self.unwrap();
        if !n.is(kind::MEMBER) {
            return None;
        }
        Some((
            n.expr_field(field::OBJECT)?,
            n.field(field::PROPERTY)?.text(),
        ))
    }

    /// Whether the node is the member access `object.property` written literally (e.g.
    /// `tx.origin`).
    pub fn is_member(&self, object: &str, property: &str) -> bool {
        self.member()
            .is_some_and(|(o, p)| p == property && o.is(kind::IDENTIFIER) && o.text() == object)
    }

    /// The operator token of a binary, unary, update or augmented assignment expression.
    pub fn operator(&self) -> Option<&'static str> {
        let n = self.unwrap();
        n.field(field::OPERATOR).map(|o| o.kind()).or_else(|| {
            n.tokens()
                .into_iter()
                .find(|t| !matches!(*t, "(" | ")" | ";"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_exists_in_the_grammar() {
        let lang = language();
        for k in kind::ALL {
            assert_ne!(lang.id_for_node_kind(k, true), 0, "node kind `{k}` is gone");
        }
        for f in field::ALL {
            assert!(lang.field_id_for_name(f).is_some(), "field `{f}` is gone");
        }
    }

    #[test]
    fn old_and_new_syntax_parse_without_damage() {
        let old = "pragma solidity ^0.4.11;\ncontract A {\n  function A() { owner = msg.sender; }\n  function() payable {}\n  function f() constant returns (uint) { if (x) throw; var y = sha3(1); }\n}\n";
        assert!(SyntaxTree::parse(old).damage().is_empty());
        let new = "pragma solidity 0.8.28;\ncontract B {\n  uint transient t;\n  function f() external { unchecked { t += 1; } }\n}\n";
        assert!(SyntaxTree::parse(new).damage().is_empty());
    }

    #[test]
    fn damage_is_local_and_reported_by_line() {
        let src = "contract A {\n  function f() public { x = 1; }\n  function g() public { if ( }\n  function h() public { y = 2; }\n}\n";
        let tree = SyntaxTree::parse(src);
        let damage = tree.damage();
        assert!(!damage.is_empty());
        assert!(
            damage.iter().all(|(lo, hi)| *lo >= 3 && *hi <= 4),
            "{damage:?}"
        );
        let names: Vec<&str> = tree
            .root()
            .find_all(kind::FUNCTION)
            .iter()
            .filter_map(|f| f.name())
            .collect();
        assert!(names.contains(&"f") && names.contains(&"h"), "{names:?}");
    }

    #[test]
    fn roots_of_lvalues() {
        let src = "contract A { function f() { a[msg.sender].b = 1; this.c = 2; } }";
        let tree = SyntaxTree::parse(src);
        let roots: Vec<&str> = tree
            .root()
            .find_all(kind::ASSIGNMENT)
            .iter()
            .filter_map(|a| a.field(field::LEFT)?.root_identifier())
            .collect();
        assert_eq!(roots, ["a", "c"]);
    }
}
