//! A library file's interface for the model's prompt: each contract's header, state
//! variables, events, errors, structs and enums as written, and its functions and
//! modifiers as signatures without bodies. What a model needs of OpenZeppelin's `Ownable`
//! to read `onlyOwner` in an audited file, at a fraction of the tokens.

use super::syntax::{Node, SyntaxTree, field, kind};

/// The interface of the Solidity `source`: one block per contract, interface or library.
pub fn interface(source: &str) -> String {
    let tree = SyntaxTree::parse(source);
    let mut out = String::new();
    for c in tree.root().descendants() {
        if !matches!(c.kind(), kind::CONTRACT | kind::INTERFACE | kind::LIBRARY) {
            continue;
        }
        let Some(body) = c.field(field::BODY) else {
            continue;
        };
        out.push_str(head(&c, &body).trim());
        out.push_str(" {\n");
        for m in body.children() {
            let line = match m.kind() {
                kind::FUNCTION | kind::CONSTRUCTOR | kind::FALLBACK | kind::MODIFIER => {
                    match m.field(field::BODY) {
                        Some(b) => format!("{};", one_line(head(&m, &b))),
                        None => one_line(m.text()),
                    }
                }
                kind::STATE_VARIABLE
                | kind::EVENT
                | kind::ERROR_DECLARATION
                | kind::STRUCT
                | kind::ENUM
                | kind::USING => one_line(m.text()),
                _ => continue,
            };
            out.push_str("    ");
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str("}\n");
    }
    out
}

/// The text of `node` before `body` starts.
fn head<'t>(node: &Node<'t>, body: &Node<'t>) -> &'t str {
    let text = node.text();
    let cut = body.start_byte().saturating_sub(node.start_byte());
    text.get(..cut).unwrap_or(text)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_without_bodies() {
        let src = "pragma solidity ^0.8.20;\nabstract contract Ownable is Context {\n    address private _owner;\n    error OwnableUnauthorizedAccount(address account);\n    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);\n    modifier onlyOwner() {\n        _checkOwner();\n        _;\n    }\n    function owner() public view virtual returns (address) {\n        return _owner;\n    }\n    function renounceOwnership() public virtual onlyOwner {\n        _transferOwnership(address(0));\n    }\n}\ninterface IERC20 { function totalSupply() external view returns (uint256); }\n";
        let i = interface(src);
        assert_eq!(
            i,
            "abstract contract Ownable is Context {\n    address private _owner;\n    error OwnableUnauthorizedAccount(address account);\n    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);\n    modifier onlyOwner();\n    function owner() public view virtual returns (address);\n    function renounceOwnership() public virtual onlyOwner;\n}\ninterface IERC20 {\n    function totalSupply() external view returns (uint256);\n}\n"
        );
    }
}
