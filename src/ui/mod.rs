//! The page's components. They render on the server and come alive in the browser;
//! everything that touches `fetch` or the DOM is behind the `hydrate` feature.

mod model_picker;
mod report_view;
#[cfg(feature = "hydrate")]
mod session;

pub use model_picker::ModelPicker;
pub use report_view::ReportView;
