//! StoredReportView: the `/reports/:id` route. Its page (`page.rs`, with the stored
//! report read into the reader's state by `state.rs`) is a wasm part of its own
//! (`load.rs`); the reader it shows is the reader's part.

use leptos::prelude::*;

mod load;
mod page;
mod state;

use crate::ui::part::LazyPage;

#[component]
pub fn StoredReportView() -> impl IntoView {
    view! { <LazyPage part=load::PART/> }
}

pub use load::load;
