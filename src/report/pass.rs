//! The heading that opens each pass of a project reported in passes
//! (`## Pass 2 of 5: src/Vault.sol`): the server writes it into the report, the page
//! reads the running pass from it. One definition of the format, for both ends.

/// The heading line (and the blank line after it) for pass `index` of `total`.
pub fn heading(index: usize, total: usize, label: &str) -> String {
    format!("## Pass {index} of {total}: {label}\n\n")
}

/// `(index, total, label)` of a pass heading line, or `None` for any other line.
pub fn read_heading(line: &str) -> Option<(usize, usize, &str)> {
    let rest = line.strip_prefix("## Pass ")?;
    let (count, label) = rest.split_once(": ")?;
    let (index, total) = count.split_once(" of ")?;
    Some((index.parse().ok()?, total.parse().ok()?, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heading_reads_back_as_written() {
        let line = heading(2, 5, "src/A.sol, src/B.sol");
        assert_eq!(
            read_heading(line.trim_end()),
            Some((2, 5, "src/A.sol, src/B.sol"))
        );
        assert_eq!(read_heading("## Pass the salt: now"), None);
        assert_eq!(read_heading("### Pass 1 of 2: x"), None);
    }
}
