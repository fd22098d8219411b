//! The analyzer guides the model: its findings go into the prompt as candidates the model
//! confirms, refutes or adds to, so the model starts from what the code is known to hold.

use super::index::CodeIndex;

/// At most this many candidates go into a prompt, most severe first: enough to guide, and
/// a generated contract cannot fill the model's context with them.
pub const MAX_PROMPT_CANDIDATES: usize = 40;

/// The candidates section appended to the user message, or `None` when the analyzer found
/// nothing.
pub fn candidates_prompt(index: &CodeIndex) -> Option<String> {
    if index.candidates.is_empty() {
        return None;
    }
    let mut out = String::from(
        "\nAn offline static analyzer flagged the candidates below. For each, confirm it (report \
         it as a finding, in your own words, at its line) or leave it out if the code shows it \
         is not a real issue; then add every issue it missed. Line numbers are those of the \
         submitted source.\n\n",
    );
    for c in index.candidates.iter().take(MAX_PROMPT_CANDIDATES) {
        let at = c.locations.first().map_or(String::new(), |l| {
            let file = l
                .file
                .as_deref()
                .map(|f| format!("{f}:"))
                .unwrap_or_default();
            format!(" at {file}{}", l.line)
        });
        let title: String = c
            .title
            .chars()
            .map(|ch| if ch.is_control() { ' ' } else { ch })
            .collect();
        out.push_str(&format!("- [{}] {}{at}: {title}\n", c.severity, c.rule));
    }
    if index.candidates.len() > MAX_PROMPT_CANDIDATES {
        out.push_str(&format!(
            "- … and {} more of lower severity.\n",
            index.candidates.len() - MAX_PROMPT_CANDIDATES
        ));
    }
    Some(out)
}
