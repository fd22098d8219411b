//! The stored report page's split point: the page, its server function and the stored
//! report's types are in their own wasm part (the reader it shows is the reader's part).

crate::ui::part::page_part!(stored, super::page::page, "the report");
