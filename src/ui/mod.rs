//! The page's components. They render on the server and come alive in the browser;
//! browser APIs compile on both ends and only run in the browser, so no component
//! carries a cfg. State (`report_state`) ← session ← views: the use graph flows one way.

mod browser;
mod contract_input;
mod contract_view;
mod exports;
mod findings;
mod findings_panel;
pub mod markdown;
mod model_picker;
mod report_body;
mod report_panel;
mod report_state;
mod report_view;
mod session;
mod stats;
mod upload;

pub use model_picker::ModelPicker;
pub use report_view::ReportView;
