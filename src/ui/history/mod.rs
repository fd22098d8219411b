//! HistoryView: the `/history` route. Its page (`page.rs`: the list, its filters in the
//! URL through `query.rs`, and its rows) is a wasm part of its own (`load.rs`), so a
//! visitor of the generator never downloads it.

use leptos::prelude::*;

mod load;
mod page;
mod query;

use crate::ui::part::LazyPage;

#[component]
pub fn HistoryView() -> impl IntoView {
    view! { <LazyPage part=load::PART/> }
}

pub use load::load;
