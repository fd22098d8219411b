//! The history page's split point: everything only it uses (the list, its filters, the
//! list's server function and its types) is in its own wasm part.

crate::ui::part::page_part!(history, super::page::page, "the history");
