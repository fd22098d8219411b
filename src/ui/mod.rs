//! The page's components. They render on the server and come alive in the browser;
//! browser APIs compile on both ends and only run in the browser, so no component
//! carries a cfg. State (`report_state`) ← session ← views: the use graph flows one way.
//! Three routes: the generator (`report_view`), the history list (`history_view`) and a
//! stored report (`stored_report_view`, its state built by `stored` for the same reader).

mod browser;
mod contract_input;
mod contract_view;
mod delete_button;
mod exports;
mod findings;
mod findings_panel;
mod history_query;
mod history_view;
pub mod markdown;
mod model_picker;
mod report_body;
mod report_panel;
mod report_state;
mod report_view;
mod rerun;
mod session;
mod stats;
mod stored;
mod stored_report_view;
mod upload;
mod utc_time;

pub use history_view::HistoryView;
pub use model_picker::ModelPicker;
pub use report_view::ReportView;
pub use stored_report_view::StoredReportView;
