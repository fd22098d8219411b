//! Where the pages live and what they call a report without a file name: the addresses
//! and labels one page uses to point at another, kept here so no page imports another.

/// The history list.
pub const HISTORY_PATH: &str = "/history";

/// The query parameter naming the report the generator runs again.
pub const RERUN_PARAM: &str = "rerun";

/// How a report without a file name is called in lists and titles.
pub const PASTED: &str = "pasted contract";

/// The page of the stored report `id` (a capability link: the id is the access).
pub fn report_href(id: &str) -> String {
    format!("/reports/{id}")
}

/// The generator, filled with the stored report `id` to run it again.
pub fn rerun_href(id: &str) -> String {
    format!("/?{RERUN_PARAM}={id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_name_their_pages() {
        assert_eq!(rerun_href("abc"), "/?rerun=abc");
        assert_eq!(report_href("abc"), "/reports/abc");
    }
}
