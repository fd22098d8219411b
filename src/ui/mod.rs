//! The page's components. They render on the server and come alive in the browser;
//! browser APIs compile on both ends and only run in the browser, so no component
//! carries a cfg. One folder per page a person sees, and the reader they share:
//! - `generator/`: the `/` route: the contract input, upload, model picker, the session
//!   that runs a report, Run again;
//! - `reader/`: a report on screen (state, body and `markdown/`, findings, contract
//!   view, stats, exports), used by the generator and the stored page;
//! - `history/`: the `/history` list and its filters in the URL;
//! - `stored/`: the `/reports/:id` page of one stored report.
//!
//! Leaves any page may use: `browser` (clipboard, downloads), `links` (the pages'
//! addresses), `utc_time`, `delete_button`. The use graph flows one way: pages →
//! reader → leaves.

mod browser;
mod delete_button;
mod generator;
mod history;
mod links;
pub mod part;
pub mod reader;
mod stored;
mod utc_time;

pub use generator::ReportView;
pub use history::HistoryView;
pub use stored::StoredReportView;

/// Loads the parts the page at `path` was rendered with (its page, the reader), so the
/// browser can hydrate it: the server's HTML holds their views.
pub async fn load_parts_for(path: &str) -> Result<(), part::PartUnavailable> {
    if links::is_history(path) {
        history::load().await?;
    } else if links::is_stored_report(path) {
        stored::load().await?;
        reader::load::load().await?;
    }
    Ok(())
}
