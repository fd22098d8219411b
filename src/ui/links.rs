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

/// Whether `path` is the history list's page.
pub fn is_history(path: &str) -> bool {
    path.trim_end_matches('/') == HISTORY_PATH
}

/// Whether `path` is a stored report's page.
pub fn is_stored_report(path: &str) -> bool {
    path.strip_prefix("/reports/")
        .is_some_and(|id| !id.is_empty() && !id.contains('/'))
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
        assert!(is_stored_report(&report_href("abc")));
        assert!(
            !is_stored_report("/")
                && !is_stored_report("/reports/")
                && !is_stored_report(HISTORY_PATH)
        );
        assert!(is_history(HISTORY_PATH) && is_history("/history/") && !is_history("/"));
    }
}
