//! The import directives of a Solidity file, read from its text with comments and strings
//! skipped (no parser needed, so a file that does not parse still has its imports): every
//! form (`import "x";`, `import {A} from "x";`, `import * as X from "x";`, `import "x" as
//! X;`) gives its path and the line it is on.

/// One `import` of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDirective {
    /// As written: `./Base.sol`, `@openzeppelin/contracts/access/Ownable.sol`.
    pub path: String,
    pub line: usize,
}

/// Every import of `source`, in order.
pub fn imports(source: &str) -> Vec<ImportDirective> {
    let bytes = source.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    // Inside an import directive: its line, waiting for its first string.
    let mut pending: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                    if bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i += 2;
            }
            b'"' | b'\'' => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() && bytes[i] != b && bytes[i] != b'\n' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(at) = pending.take() {
                    let end = i.min(bytes.len());
                    out.push(ImportDirective {
                        path: source[start..end].to_owned(),
                        line: at,
                    });
                }
                i += 1;
            }
            b';' => {
                pending = None;
                i += 1;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'$')
                {
                    i += 1;
                }
                let before = start.checked_sub(1).map(|p| bytes[p]);
                if &source[start..i] == "import" && before != Some(b'.') {
                    pending = Some(line);
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_with_its_line() {
        let src = "// import \"commented.sol\";\npragma solidity ^0.8.0;\nimport \"./A.sol\";\nimport {B, C as D} from '../B.sol';\n/* import \"no.sol\"; */\nimport * as E from \"@oz/E.sol\";\nimport\n  {F}\n  from \"lib/F.sol\";\nimport \"G.sol\" as G;\ncontract X { string s = \"import 'no.sol';\"; }\n";
        let got: Vec<(String, usize)> =
            imports(src).into_iter().map(|i| (i.path, i.line)).collect();
        assert_eq!(
            got,
            [
                ("./A.sol".to_owned(), 3),
                ("../B.sol".to_owned(), 4),
                ("@oz/E.sol".to_owned(), 6),
                ("lib/F.sol".to_owned(), 7),
                ("G.sol".to_owned(), 10),
            ]
        );
    }
}
