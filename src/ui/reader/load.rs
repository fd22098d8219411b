//! The reader arrives after the page works. Its heavy half (the markdown renderer, the
//! findings parser, the panels and the exports: `chunk.rs`) is split out of the first
//! download into a wasm part of its own (`cargo leptos build --split`), fetched while
//! the page is idle or when it is first needed, so Generate never waits on it.
//!
//! This file is what the first download holds of it: the parts' shape, the one split
//! point (`load`), and whether they are here yet (`now`); loading and its failure are
//! `ui::part`'s, as for the lazily loaded pages.

use leptos::prelude::*;

pub use super::parts::{ReaderParts, Reading};
use crate::ui::part::{PartLoad, load_signal, reload_signal};

/// Where the reader is, for a page that shows one.
pub type ReaderLoad = PartLoad<ReaderParts>;

// The split point: everything only reachable from here goes into the reader's part.
crate::ui::part::split_part!(reader, ReaderParts, super::chunk::parts());

/// How long the page waits, at most, for an idle moment before it fetches the reader
/// anyway (a page kept busy never has one).
const IDLE_AT_MOST: std::time::Duration = std::time::Duration::from_secs(1);

/// Loads the parts into `into` (`Ready` or `Failed`) once the browser is idle, or after
/// `IDLE_AT_MOST`, whichever comes first, so the first download's own work comes first.
/// Browser only (from an effect).
pub fn load_when_idle(into: RwSignal<ReaderLoad>) {
    if let Some(parts) = now() {
        into.set(ReaderLoad::Ready(parts));
        return;
    }
    let started = std::rc::Rc::new(std::cell::Cell::new(false));
    let start = move || {
        if !started.replace(true) {
            load_into(into);
        }
    };
    request_idle_callback(start.clone());
    set_timeout(start, IDLE_AT_MOST);
}

/// Loads the parts into `into` now (Retry, or a page that needs them at once).
pub fn load_into(into: RwSignal<ReaderLoad>) {
    load_signal(into, load);
}

/// Try again, after the parts failed to load.
pub fn reload_into(into: RwSignal<ReaderLoad>) {
    reload_signal(into, load);
}
